"""The Story and Outlet pages at 100,000 stored articles (issue 31): an article's found techniques in a column, and
the indexes their queries walk.

Revision ID: 0018
Revises: 0017

The Outlet page counted the techniques found in an outlet's articles by reading every one of their documents
(10,000 at 100,000 stored articles: seconds a visit); ``analyses.found_techniques`` keeps the names of the found
techniques (JSON list, strongest first, as ``techniques_found`` counts them), written at save beside the other
summary columns and filled here from the stored documents (every one is crosscheck.analysis/2 since 0007: each
technique says whether it was ``found``), in batches so that a large library does not sit in memory.
``articles_by_outlet`` finds an outlet's articles without reading every article.

Like every migration, this one imports nothing from the application.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BATCH = 500

analyses = sa.table("analyses", sa.column("id", sa.String), sa.column("document", sa.Text),
                    sa.column("found_techniques", sa.Text))


def _found(document: dict) -> list[str]:
    """The found techniques' names, strongest against ordinary news first (core.records.Analysis.found_techniques
    as it is in 2026-12)."""
    found = [t for t in document.get("techniques") or () if t.get("found")]
    found.sort(key=lambda t: (-(t.get("percentile") if t.get("percentile") is not None else 0.0),
                              -float(t.get("strength") or 0.0), -float(t.get("confidence") or 0.0)))
    return [str(t["name"]) for t in found]


def upgrade() -> None:
    op.add_column("analyses", sa.Column("found_techniques", sa.Text, nullable=False, server_default="[]"))
    connection = op.get_bind()
    ids = connection.execute(sa.select(analyses.c.id).order_by(analyses.c.id)).scalars().all()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        rows = connection.execute(sa.select(analyses.c.id, analyses.c.document).where(analyses.c.id.in_(chunk))).all()
        found = [(analysis_id, _found(json.loads(document))) for analysis_id, document in rows]
        updates = [{"key": analysis_id, "found": json.dumps(names)} for analysis_id, names in found if names]
        if updates:
            connection.execute(sa.update(analyses).where(analyses.c.id == sa.bindparam("key"))
                               .values(found_techniques=sa.bindparam("found")), updates)
    op.create_index("articles_by_outlet", "articles", ["outlet"])


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
