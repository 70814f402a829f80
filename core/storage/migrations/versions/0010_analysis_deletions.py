"""Deleting an analysis keeps its review (issue 30): a record of each deletion, with the review it ended.

Revision ID: 0010
Revises: 0009

Until now deleting an analysis took its decisions, notes, reviewed mark and
activity log with it (ON DELETE CASCADE) and left no trace of who deleted what.
Each deletion now writes a row here in the same transaction: which analysis and
article, who deleted it and when, and its review as it was (JSON: decisions,
notes, reviewed mark, activity log). The rows have no foreign key, so they
outlive what they describe. Existing data is not touched.

Like every migration, this one imports nothing from the application.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_deletions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("analysis_id", sa.String(64), nullable=False),
        sa.Column("article_url", sa.Text, nullable=False, server_default=""),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("deleted_by", sa.Text, nullable=False),
        sa.Column("deleted_at", sa.Text, nullable=False),
        sa.Column("review", sa.Text, nullable=False),
    )
    op.create_index("analysis_deletions_by_analysis", "analysis_deletions", ["analysis_id"])


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
