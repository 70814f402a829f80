"""SQLite files from before Alembic (``PRAGMA user_version`` 0 to 3), brought to the schema of version 3.

Those versions ran each statement in its own transaction and wrote
``user_version`` last, so a process killed during a first open left files
with some tables and an old version number ("table claims already exists").
Every step here therefore checks what is there before it creates anything, and
runs inside the caller's single transaction; Alembic's first revision
(``ALEMBIC_REVISION``) is this same schema, built from scratch.
"""
from __future__ import annotations

import json

from sqlalchemy import Connection, inspect

LAST_VERSION = 3
ALEMBIC_REVISION = "0001"

_TABLES = {
    "articles": """CREATE TABLE articles (
        id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, url TEXT, title TEXT, outlet TEXT, first_seen TEXT NOT NULL)""",
    "analyses": """CREATE TABLE analyses (
        id TEXT PRIMARY KEY, article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL, engine TEXT NOT NULL, partial INTEGER NOT NULL, document TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '{}')""",
    "claims": """CREATE TABLE claims (
        analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE, claim_id TEXT NOT NULL,
        text TEXT NOT NULL, verdict TEXT NOT NULL, verdict_confidence REAL NOT NULL,
        PRIMARY KEY (analysis_id, claim_id))""",
    "evidence": """CREATE TABLE evidence (
        analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE, claim_id TEXT NOT NULL,
        source_type TEXT NOT NULL, title TEXT, url TEXT, outlet TEXT, snippet TEXT, stance TEXT NOT NULL,
        stance_confidence REAL NOT NULL)""",
    "revision": "CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)",
}
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS analyses_by_article ON analyses(article_id, created_at)",
    "CREATE INDEX IF NOT EXISTS evidence_by_analysis ON evidence(analysis_id)",
)


def upgrade(connection: Connection, version: int) -> None:
    """Whatever of the version-3 schema is missing, created; derived rows rebuilt where they were never written."""
    existing = set(inspect(connection).get_table_names())
    for name, ddl in _TABLES.items():
        if name not in existing:
            connection.exec_driver_sql(ddl)
    if "summary" not in {c["name"] for c in inspect(connection).get_columns("analyses")}:
        connection.exec_driver_sql("ALTER TABLE analyses ADD COLUMN summary TEXT NOT NULL DEFAULT '{}'")
    for ddl in _INDEXES:
        connection.exec_driver_sql(ddl)
    if version < 2 or "claims" not in existing:
        _rebuild_claims_and_evidence(connection)
    if connection.exec_driver_sql("SELECT COUNT(*) FROM revision").scalar_one() == 0:
        connection.exec_driver_sql("INSERT INTO revision VALUES (1, (SELECT COUNT(*) FROM analyses))")


def _rebuild_claims_and_evidence(connection: Connection) -> None:
    """The flat claim and evidence rows of every stored document (version 2 added them)."""
    connection.exec_driver_sql("DELETE FROM evidence")
    connection.exec_driver_sql("DELETE FROM claims")
    for analysis_id, document in connection.exec_driver_sql("SELECT id, document FROM analyses").fetchall():
        data = json.loads(document)
        for claim in data.get("claims", ()):
            connection.exec_driver_sql(
                "INSERT INTO claims VALUES (?, ?, ?, ?, ?)",
                (analysis_id, str(claim["id"]), claim["text"], claim["verdict"], float(claim.get("verdict_confidence") or 0.0)),
            )
            for item in claim.get("evidence", ()):
                connection.exec_driver_sql(
                    "INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (analysis_id, str(claim["id"]), item["source_type"], item.get("title"), item.get("url"),
                     item.get("outlet"), item.get("snippet"), item["stance"], float(item["stance_confidence"])),
                )
