"""Followed outlets (issue 31): the outlets an analyst follows, set on the Settings page.

A story's blindspots are the followed outlets (these, and the sites of the feeds) with no article in it.
Like every migration, this one imports nothing from the application.
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followed_outlets",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("added_at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
