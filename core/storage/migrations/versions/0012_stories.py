"""Stories (issue 31): each stored article belongs to one story, the same event as other outlets report it.

Revision ID: 0012
Revises: 0011

``stories`` holds each story's title, size and the first and last publication day of its dated
articles (ordinal days: the time window). ``story_members`` puts each article in one story, with what
the online clustering (core.story_clusters) compares a new article with: the article's signature
(float16 lead vector, day, names and lead word counts as JSON), and whether the machine or an analyst
placed it (an analyst's placement survives re-clustering). ``story_words`` counts in how many stored
articles' leads each word stem occurs: the rarity that weighs words.
Existing articles join no story until ``python -m core stories --recluster`` runs.

Like every migration, this one imports nothing from the application.
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("first_day", sa.Integer),
        sa.Column("last_day", sa.Integer),
    )
    op.create_index("stories_by_last_day", "stories", ["last_day"])
    op.create_table(
        "story_members",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("day", sa.Integer),
        sa.Column("actors", sa.Text, nullable=False, server_default="[]"),
        sa.Column("terms", sa.Text, nullable=False, server_default="{}"),
        sa.Column("placed_by", sa.Text, nullable=False, server_default=""),
        sa.Column("joined_at", sa.Text, nullable=False),
    )
    op.create_index("story_members_by_story", "story_members", ["story_id"])
    op.create_table(
        "story_words",
        sa.Column("term", sa.Text, primary_key=True),
        sa.Column("articles", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
