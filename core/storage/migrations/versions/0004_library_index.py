"""The library's persistent passage index: stored articles' sentences with their embeddings, and a full-text index.

Articles also get the hash of their text, so that the same story stored under
another address is never evidence for itself.

Revision ID: 0004
Revises: 0003

SQLite gets an FTS5 table kept in step by triggers; PostgreSQL a GIN index on
the sentences' text search vector ('simple' configuration: no stemming, so
every language is treated alike). Existing articles are indexed by the
library source the first time it runs after the upgrade (it needs the
embedding model, which a migration should not load).
"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("text_hash", sa.Text))
    bind = op.get_bind()
    latest = bind.execute(sa.text("SELECT article_id, document FROM analyses WHERE latest")).fetchall()
    for article_id, document in latest:
        digest = hashlib.sha256(json.loads(document)["article"]["text"].strip().encode("utf-8")).hexdigest()
        bind.execute(sa.text("UPDATE articles SET text_hash = :hash WHERE id = :id"), {"hash": digest, "id": article_id})
    op.create_index("articles_by_text_hash", "articles", ["text_hash"])
    op.create_table(
        "library_sentences",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("analysis_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("embedding", sa.LargeBinary, nullable=False),
    )
    op.create_index("library_sentences_by_article", "library_sentences", ["article_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE library_fts USING fts5(text, content='library_sentences', content_rowid='id')")
        op.execute("CREATE TRIGGER library_fts_insert AFTER INSERT ON library_sentences BEGIN "
                   "INSERT INTO library_fts(rowid, text) VALUES (new.id, new.text); END")
        op.execute("CREATE TRIGGER library_fts_delete AFTER DELETE ON library_sentences BEGIN "
                   "INSERT INTO library_fts(library_fts, rowid, text) VALUES ('delete', old.id, old.text); END")
    else:
        op.execute("CREATE INDEX library_sentences_text ON library_sentences USING gin (to_tsvector('simple', text))")


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
