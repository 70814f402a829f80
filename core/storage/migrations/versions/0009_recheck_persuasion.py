"""Re-checks keep the run they replace (issue 26): give back the persuasion score the re-checks dropped.

Revision ID: 0009
Revises: 0008

Until issue 26 an automatic re-check against the library built its new
analysis by hand and left out the persuasion score, so the Library showed
"Persuasion -" for the article. A re-check changes only the library evidence
and the verdicts: its persuasion (and techniques, should they be missing) is
that of the analysis it replaced, the same article's run just before it. That
run may itself be a re-check repaired a step earlier, so each article's runs
are repaired oldest first. The Library's summary columns follow.

Like every migration, this one imports nothing from the application: the
tables are declared here as they are at this revision, and the documents are
read and written as plain JSON (the crosscheck.analysis/2 fields named below).
"""
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The first warning of every re-check's document (core/crossrefs.py RECHECK_NOTE at this revision).
RECHECK_NOTE = "Re-checked against the library"

analyses = sa.table(
    "analyses",
    sa.column("id", sa.String), sa.column("article_id", sa.Integer), sa.column("created_at", sa.Text),
    sa.column("document", sa.Text), sa.column("techniques_found", sa.Integer), sa.column("top_technique", sa.Text),
    sa.column("persuasion_percentile", sa.Float),
)


def _is_recheck(document: dict[str, Any]) -> bool:
    warnings = document.get("warnings") or []
    return bool(warnings) and str(warnings[0]).startswith(RECHECK_NOTE)


def _repaired(document: dict[str, Any], earlier: dict[str, Any]) -> dict[str, Any] | None:
    """The re-check's document with what it lost taken from the run it replaced, or None when it lost nothing."""
    changes: dict[str, Any] = {}
    if document.get("persuasion") is None and earlier.get("persuasion") is not None:
        changes["persuasion"] = earlier["persuasion"]
    if not document.get("techniques") and earlier.get("techniques"):
        changes["techniques"] = earlier["techniques"]
    return {**document, **changes} if changes else None


def _top_label(techniques: list[dict[str, Any]]) -> str:
    """The Library's top technique, by the rule of Analysis.found_techniques at this revision."""
    found = [t for t in techniques if t.get("found")]
    if not found:
        return ""
    top = min(found, key=lambda t: (-(t.get("percentile") if t.get("percentile") is not None else 0.0),
                                    -float(t.get("strength") or 0.0), -float(t.get("confidence") or 0.0)))
    return str(top.get("label") or top.get("name") or "")


def upgrade() -> None:
    connection = op.get_bind()
    runs = connection.execute(sa.select(analyses.c.id, analyses.c.article_id)
                              .order_by(analyses.c.article_id, analyses.c.created_at, analyses.c.id)).all()
    by_article: dict[int, list[str]] = {}
    for analysis_id, article_id in runs:
        by_article.setdefault(article_id, []).append(analysis_id)
    for ids in by_article.values():
        if len(ids) < 2:
            continue  # a single run replaced nothing
        documents = dict(connection.execute(sa.select(analyses.c.id, analyses.c.document)
                                            .where(analyses.c.id.in_(ids))).all())
        earlier = json.loads(documents[ids[0]])
        for analysis_id in ids[1:]:
            document = json.loads(documents[analysis_id])
            repaired = _repaired(document, earlier) if _is_recheck(document) else None
            if repaired is not None:
                techniques = repaired.get("techniques") or []
                persuasion = repaired.get("persuasion")
                connection.execute(sa.update(analyses).where(analyses.c.id == analysis_id).values(
                    document=json.dumps(repaired),
                    techniques_found=sum(1 for t in techniques if t.get("found")),
                    top_technique=_top_label(techniques),
                    persuasion_percentile=persuasion.get("percentile") if persuasion is not None else None,
                ))
                document = repaired
            earlier = document


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
