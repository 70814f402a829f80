"""Techniques against ordinary news (issue 18): crosscheck.analysis/1 documents become /2.

Revision ID: 0007
Revises: 0006

Each stored /1 document is rewritten as /2 by core.documents.read_document:
every technique's strength, percentile and *found* are recomputed from its
stored passages and the article text against the shipped news reference (a
Claude analysis gets none found, with a note; a failed read stays as it was).
The Library's summary columns follow (techniques found, top technique), and a
new column keeps the persuasion percentile the Library shows. Documents are
read and written in batches so that a large library does not sit in memory.
"""
import json

import sqlalchemy as sa
from alembic import op

from core.documents import read_document
from core.documents import SCHEMA_V1

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BATCH = 200


def upgrade() -> None:
    op.add_column("analyses", sa.Column("persuasion_percentile", sa.Float, nullable=True))
    connection = op.get_bind()
    analyses = sa.table("analyses", sa.column("id", sa.String), sa.column("document", sa.Text),
                        sa.column("techniques_found", sa.Integer), sa.column("top_technique", sa.Text),
                        sa.column("persuasion_percentile", sa.Float))
    ids = connection.execute(sa.select(analyses.c.id).order_by(analyses.c.id)).scalars().all()
    for start in range(0, len(ids), BATCH):
        rows = connection.execute(sa.select(analyses.c.id, analyses.c.document)
                                  .where(analyses.c.id.in_(ids[start:start + BATCH]))).all()
        for analysis_id, document in rows:
            data = json.loads(document)
            if data.get("schema") != SCHEMA_V1:
                continue
            analysis = read_document(data)
            top = analysis.top_technique()
            connection.execute(
                sa.update(analyses).where(analyses.c.id == analysis_id).values(
                    document=json.dumps(analysis.to_dict()),
                    techniques_found=len(analysis.found_techniques()),
                    top_technique=top.label if top is not None else "",
                    persuasion_percentile=analysis.persuasion.percentile if analysis.persuasion is not None else None,
                ))


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
