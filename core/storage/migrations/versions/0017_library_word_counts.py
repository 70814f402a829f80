"""PostgreSQL keeps how many library sentences hold each word, so that a search need not count them (issue 29).

Revision ID: 0017
Revises: 0016

The library search looks for a claim's rarest words (core.storage.library_index): it needs, per word, the
number of stored sentences holding it. Counting them at each search read every sentence holding a common
word (thousands at 10,000 articles): about 50 ms of every claim's search. Here the counts are kept:

- ``library_word_counts``: sentences per lexeme, as of the last compaction;
- ``library_word_changes``: +1 or -1 per lexeme for every sentence stored or deleted since, appended by a
  trigger on ``library_words`` in the same transaction as the sentence (so a search sees exactly what its
  snapshot holds). Appending takes no lock on a shared row: concurrent saves neither wait for each other
  nor deadlock over common words, as an in-place count would.

A search adds the two. The workers move the changes into the counts every minute (one at a time, by an
advisory lock; core.storage.library_index.compact_word_counts). SQLite's FTS5 keeps its own counts
(fts5vocab): nothing to do there.

Like every migration, this one imports nothing from the application.
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE library_word_counts (lexeme text PRIMARY KEY, sentences bigint NOT NULL)")
    op.execute("CREATE TABLE library_word_changes (lexeme text NOT NULL, change integer NOT NULL)")
    op.execute("CREATE INDEX library_word_changes_by_lexeme ON library_word_changes (lexeme)")
    op.execute("CREATE FUNCTION library_word_changes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "IF TG_OP = 'INSERT' THEN "
               "INSERT INTO library_word_changes (lexeme, change) SELECT lexeme, 1 FROM unnest(NEW.words); "
               "ELSE "
               "INSERT INTO library_word_changes (lexeme, change) SELECT lexeme, -1 FROM unnest(OLD.words); "
               "END IF; RETURN NULL; END $$")
    op.execute("CREATE TRIGGER library_word_changes AFTER INSERT OR DELETE ON library_words "
               "FOR EACH ROW EXECUTE FUNCTION library_word_changes()")
    op.execute("INSERT INTO library_word_counts (lexeme, sentences) "
               "SELECT lexeme, count(*) FROM library_words, unnest(words) GROUP BY lexeme")


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
