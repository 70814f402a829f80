"""Cross-references found when an article is stored: earlier articles whose claims it bears on, to re-check.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crossrefs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("cited_article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("found_at", sa.Text, nullable=False),
        sa.Column("job_id", sa.String(64)),
        sa.UniqueConstraint("article_id", "cited_article_id", name="crossrefs_once"),
    )
    op.create_index("crossrefs_by_article", "crossrefs", ["article_id"])


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
