"""The Evidence page tells counted evidence from leaning (issue 27): evidence rows keep counted, reason and facts.

Revision ID: 0011
Revises: 0010

The flat evidence rows behind the Evidence page held the stance and its
confidence but not what the stored documents say since issue 27: whether the
passage counted toward the verdict, the one reason a side-taking passage did
not, and what its figures say of the claim's. Three columns take them:

- ``counted``: the passage is decisive, takes a side and is not from the
  analysed article's own outlet (core.verdict.counts at this revision);
- ``reason``: for a side-taking passage that does not count, why: its own
  outlet, else the reason stored with it, else the decisive rule
  (core.verdict.not_counted_reason at this revision); NULL otherwise;
- ``facts``: the passage's ``facts`` as stored (NULL when its figures say nothing).

They are filled from each stored document. The rows have no key of their own,
so each analysis's rows are read, matched to its document's evidence by what
they store (claim, source type, address, passage, stance, confidence), and
those whose columns differ from the defaults are updated by the row's own
address (SQLite's rowid, PostgreSQL's ctid); nothing else stored changes. A document's evidence
that does not say whether it was decisive gets the rule crosscheck.analysis/1
verdicts used (a side taken with a confidence of at least 0.6), as
core.records.Evidence.from_dict gives it.

Like every migration, this one imports nothing from the application: the
tables and the rules are declared here as they are at this revision.
"""
import json
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Documents read at a time: the backfill never holds every stored document at once.
CHUNK = 200
LEGACY_DECISIVE_CONFIDENCE = 0.6
NOT_COUNTED = "not counted: short of the decisive rule"
OWN_OUTLET = "not counted: the article's own outlet"
_PREFIXES = ("www.", "m.", "the ")
# Where a row is, for rows without a key: the row's own address in each dialect Crosscheck supports.
ROW_ADDRESS = {"sqlite": "rowid", "postgresql": "ctid"}

analyses = sa.table("analyses", sa.column("id", sa.String), sa.column("document", sa.Text))
EVIDENCE_COLUMNS = ("analysis_id", "claim_id", "source_type", "title", "url", "outlet", "snippet", "stance",
                    "stance_confidence", "domain")
evidence = sa.table("evidence", *(sa.column(name) for name in EVIDENCE_COLUMNS),
                    sa.column("counted", sa.Boolean), sa.column("reason", sa.Text), sa.column("facts", sa.Text))


def _normalise(name: str) -> str:
    """core.identity.normalise at this revision."""
    name = " ".join(name.lower().split())
    for prefix in _PREFIXES:
        name = name.removeprefix(prefix)
    return name


def _domain(url: str | None) -> str:
    return _normalise(urlsplit(url).hostname or "") if url else ""


def _independence_key(item: dict[str, Any]) -> str:
    """core.identity.independence_key at this revision."""
    if item.get("source_type") == "wikipedia":
        return "wikipedia"
    if (item.get("outlet") or "").strip():
        return _normalise(item["outlet"])
    return _domain(item.get("url")) or _normalise(item.get("title") or "")


def _own_outlet(article: dict[str, Any]) -> frozenset[str]:
    return frozenset(k for k in (_normalise(article.get("outlet") or ""), _domain(article.get("url"))) if k)


def _judged(item: dict[str, Any], own: frozenset[str]) -> tuple[bool, str | None, str | None]:
    """(counted, reason, facts) of one piece of a document's evidence."""
    stance, confidence = item["stance"], float(item["stance_confidence"])
    decisive = item.get("decisive")
    if decisive is None:
        decisive = stance != "neutral" and confidence >= LEGACY_DECISIVE_CONFIDENCE
    facts = item.get("facts")
    if stance == "neutral":
        return False, None, facts
    if own and (_independence_key(item) in own or _domain(item.get("url")) in own):
        return False, OWN_OUTLET, facts
    if decisive:
        return True, None, facts
    return False, item.get("reason") or NOT_COUNTED, facts


def _match_key(claim_id: Any, item: dict[str, Any]) -> tuple[Any, ...]:
    return (str(claim_id), item.get("source_type"), item.get("url"), item.get("snippet") or "", item.get("stance"),
            float(item["stance_confidence"]))


def upgrade() -> None:
    op.add_column("evidence", sa.Column("counted", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("evidence", sa.Column("reason", sa.Text))
    op.add_column("evidence", sa.Column("facts", sa.Text))
    connection = op.get_bind()
    ids = list(connection.execute(sa.select(evidence.c.analysis_id).distinct()).scalars())
    for start in range(0, len(ids), CHUNK):
        _backfill(connection, ids[start:start + CHUNK])


def _backfill(connection: sa.Connection, chunk: list[str]) -> None:
    """Counted, reason and facts of these analyses' evidence rows, from their documents.

    Only the rows that differ from the new columns' defaults (not counted, no reason, no figures) are written,
    each by the row's own address (SQLite's rowid, PostgreSQL's ctid): the rows have no key of their own.
    """
    judged: dict[tuple[Any, ...], list[tuple[bool, str | None, str | None]]] = {}
    for analysis_id, text in connection.execute(sa.select(analyses.c.id, analyses.c.document)
                                                .where(analyses.c.id.in_(chunk))):
        document = json.loads(text)
        own = _own_outlet(document.get("article") or {})
        for claim in document.get("claims") or ():
            for item in claim.get("evidence") or ():
                judged.setdefault((analysis_id, *_match_key(claim["id"], item)), []).append(_judged(item, own))
    address = ROW_ADDRESS[connection.dialect.name]
    rows = connection.execute(sa.select(sa.literal_column(address).label("address"),
                                        *(evidence.c[name] for name in EVIDENCE_COLUMNS))
                              .where(evidence.c.analysis_id.in_(chunk))).mappings().all()
    changes = []
    for row in rows:
        found = judged.get((row["analysis_id"], *_match_key(row["claim_id"], dict(row))))
        counted, reason, facts = found.pop(0) if found else (False, None, None)
        if counted or reason is not None or facts is not None:
            changes.append({"address": str(row["address"]), "counted": counted, "reason": reason, "facts": facts})
    if changes:
        where = "rowid = :address" if address == "rowid" else "ctid = CAST(:address AS tid)"
        connection.execute(sa.text(f"UPDATE evidence SET counted = :counted, reason = :reason, facts = :facts "
                                   f"WHERE {where}").bindparams(sa.bindparam("counted", type_=sa.Boolean)), changes)


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
