"""Summary columns on analyses and a domain on evidence, so that pages filter, sort and count in the database.

Revision ID: 0002
Revises: 0001

The columns are filled from the stored documents with the rules of this
revision (a technique counts as found from article-level confidence 0.5; the
domain is the URL's host without www., else the outlet), frozen here so that
later changes to the product do not change what this migration does.
"""
import json
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VERDICTS = ("corroborated", "single_source", "contradicted", "disputed", "unverified")


def upgrade() -> None:
    for name, kind, default in (
        ("latest", sa.Boolean, sa.false()), ("published", sa.Text, ""), ("claims_count", sa.Integer, "0"),
        ("techniques_found", sa.Integer, "0"), ("top_technique", sa.Text, ""),
        *((verdict, sa.Integer, "0") for verdict in VERDICTS),
    ):
        op.add_column("analyses", sa.Column(name, kind, nullable=False, server_default=default))
    op.add_column("analyses", sa.Column("job_id", sa.String(64)))
    op.add_column("evidence", sa.Column("domain", sa.Text, nullable=False, server_default=""))

    bind = op.get_bind()
    for analysis_id, document in bind.execute(sa.text("SELECT id, document FROM analyses")).fetchall():
        bind.execute(sa.text(
            "UPDATE analyses SET published = :published, claims_count = :claims_count, techniques_found = :techniques_found, "
            "top_technique = :top_technique, corroborated = :corroborated, single_source = :single_source, "
            "contradicted = :contradicted, disputed = :disputed, unverified = :unverified WHERE id = :id"
        ), {"id": analysis_id, **_summary(json.loads(document))})
    bind.execute(sa.text(
        "UPDATE analyses SET latest = (id = (SELECT l.id FROM analyses l WHERE l.article_id = analyses.article_id "
        "ORDER BY l.created_at DESC, l.id DESC LIMIT 1))"
    ))
    for rowid_column, url, outlet in bind.execute(sa.text(_evidence_rows(bind))).fetchall():
        bind.execute(sa.text(f"UPDATE evidence SET domain = :domain WHERE {_evidence_key(bind)} = :key"),
                     {"domain": _domain(url, outlet), "key": rowid_column})

    op.create_index("analyses_latest", "analyses", ["latest", "created_at"])
    op.create_index("analyses_by_job", "analyses", ["job_id"])
    op.create_index("claims_by_verdict", "claims", ["verdict"])
    op.create_index("evidence_filters", "evidence", ["stance", "source_type"])
    op.create_index("evidence_by_domain", "evidence", ["domain"])


def _evidence_key(bind: sa.Connection) -> str:
    return "rowid" if bind.dialect.name == "sqlite" else "ctid"


def _evidence_rows(bind: sa.Connection) -> str:
    return f"SELECT {_evidence_key(bind)}, url, outlet FROM evidence"


def _domain(url: str | None, outlet: str | None) -> str:
    host = (urlsplit(url).hostname or "") if isinstance(url, str) and url.startswith(("http://", "https://")) else ""
    return host.lower().removeprefix("www.") or (outlet or "")


def _summary(document: dict) -> dict:
    techniques = document.get("techniques", ())
    found = sorted((t for t in techniques if float(t.get("confidence", 0)) >= 0.5), key=lambda t: -float(t["confidence"]))
    counts = {verdict: 0 for verdict in VERDICTS}
    for claim in document.get("claims", ()):
        if claim.get("verdict") in counts:
            counts[claim["verdict"]] += 1
    return {
        "published": (document.get("article") or {}).get("published") or "",
        "claims_count": len(document.get("claims", ())),
        "techniques_found": len(found),
        "top_technique": found[0].get("label", found[0].get("name", "")) if found else "",
        **counts,
    }


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
