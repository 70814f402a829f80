"""Jobs (analyses, re-checks and feed polls run by workers) and feed subscriptions.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("batch_id", sa.String(64)),
        sa.Column("stage", sa.Text, nullable=False, server_default=""),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("fraction", sa.Float),
        sa.Column("analysis_id", sa.String(64)),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
        sa.Column("hint", sa.Text, nullable=False, server_default=""),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("worker", sa.Text, nullable=False, server_default=""),
        sa.Column("heartbeat_at", sa.Float),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text),
        sa.Column("finished_at", sa.Text),
        sa.Column("dedupe_key", sa.Text),
    )
    op.create_index("jobs_by_status", "jobs", ["status", "created_at"])
    op.create_index("jobs_by_batch", "jobs", ["batch_id"])
    op.create_index("jobs_by_dedupe_key", "jobs", ["dedupe_key"])
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("engine", sa.Text, nullable=False, server_default="local"),
        sa.Column("sources", sa.Text, nullable=False, server_default=""),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_polled_at", sa.Text),
        sa.Column("last_error", sa.Text, nullable=False, server_default=""),
        sa.Column("items_seen", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_table(
        "feed_items",
        sa.Column("feed_id", sa.Integer, sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_key", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("published", sa.Text, nullable=False, server_default=""),
        sa.Column("job_id", sa.String(64)),
        sa.Column("seen_at", sa.Text, nullable=False),
        sa.UniqueConstraint("feed_id", "item_key", name="feed_items_once"),
    )


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
