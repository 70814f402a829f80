"""The stories' change record (issue 31): what a process's cache of the stories' lead vectors reads to stay in step.

Revision ID: 0015
Revises: 0014

Every change of ``story_members`` (an article joining a story, leaving it when deleted, an analyst's move, merge
or split) takes the next ``revision.story_generation`` and writes which article and which story it changed to
``story_changes``; a process that has seen generation g reads only the changes after it
(core.storage.story_cache). ``revision.story_changes_since``: the record holds every change after this generation
(older ones are pruned; a process further behind reads every member again). ``revision.story_epoch``: a token
drawn here, so that a database made again at the same URL is not taken for the one a process has cached.
Existing members have no record: a process reads them all on its first join, as it does anyway.

Like every migration, this one imports nothing from the application.
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("revision", sa.Column("story_generation", sa.Integer, nullable=False, server_default="0"))
    op.add_column("revision", sa.Column("story_changes_since", sa.Integer, nullable=False, server_default="0"))
    op.add_column("revision", sa.Column("story_epoch", sa.Text, nullable=False, server_default=""))
    op.execute(sa.text("UPDATE revision SET story_epoch = :epoch").bindparams(epoch=uuid.uuid4().hex))
    op.create_table(
        "story_changes",
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("story_id", sa.Integer, nullable=False),
    )
    op.create_index("story_changes_by_generation", "story_changes", ["generation"])


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
