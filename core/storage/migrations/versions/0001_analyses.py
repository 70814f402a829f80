"""Articles, analyses, claims, evidence and the revision counter: the schema of SQLite user_version 3.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("first_seen", sa.Text, nullable=False),
    )
    op.create_table(
        "analyses",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("engine", sa.Text, nullable=False),
        sa.Column("partial", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_index("analyses_by_article", "analyses", ["article_id", "created_at"])
    op.create_table(
        "claims",
        sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("claim_id", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("verdict_confidence", sa.Float, nullable=False),
    )
    op.create_table(
        "evidence",
        sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("claim_id", sa.String(64), nullable=False),
        sa.Column("source_type", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("snippet", sa.Text),
        sa.Column("stance", sa.Text, nullable=False),
        sa.Column("stance_confidence", sa.Float, nullable=False),
    )
    op.create_index("evidence_by_analysis", "evidence", ["analysis_id"])
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.execute("INSERT INTO revision (id, value) VALUES (1, 0)")


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
