"""The full-text index of the library on PostgreSQL without its pending list (issue 29).

Revision ID: 0016
Revises: 0015

A GIN index with ``fastupdate`` (PostgreSQL's default) gathers new entries in a pending list, up to
``gin_pending_list_limit`` (4 MB), until a vacuum merges them; every search reads the whole list
besides the index. The library search matches a claim's words one by one to find the rarest
(core.storage.library_index), about 20 index searches per claim: at 10,000 articles, with the
list as articles stored in a row leave it (246 pages), those searches took 17 s for 29 claims, 4.8 s
with the list merged. Without ``fastupdate`` each save writes its sentences into the index itself
(the save's own cost) and no search reads a list. The list there now is merged here.
SQLite's FTS5 has no such list: nothing to do.

Like every migration, this one imports nothing from the application.
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX library_words_search SET (fastupdate = off)")
        op.execute("SELECT gin_clean_pending_list('library_words_search')")


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
