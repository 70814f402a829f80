"""Analyst review (issue 22): decisions beside the machine's values, notes, reviewed marks, and the activity log.

Revision ID: 0008
Revises: 0007

The stored analysis documents are not touched: a review is kept beside them,
so the machine's original output is always there to compare with.
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _analysis_id() -> sa.Column:
    return sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        _analysis_id(),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("component", sa.Text, nullable=False),
        sa.Column("machine_value", sa.Text, nullable=False),
        sa.Column("analyst_value", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("decided_at", sa.Text, nullable=False),
        sa.UniqueConstraint("analysis_id", "target", name="review_decisions_once"),
    )
    op.create_table(
        "review_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        _analysis_id(),
        sa.Column("claim_id", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("written_at", sa.Text, nullable=False),
    )
    op.create_index("review_notes_by_analysis", "review_notes", ["analysis_id"])
    op.create_table(
        "review_marks",
        sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("reviewed_at", sa.Text, nullable=False),
    )
    op.create_table(
        "review_activity",
        sa.Column("id", sa.Integer, primary_key=True),
        _analysis_id(),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("why", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("review_activity_by_analysis", "review_activity", ["analysis_id"])


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
