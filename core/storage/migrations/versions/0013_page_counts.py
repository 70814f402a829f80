"""Counts the pages show kept up to date at save and delete, and PostgreSQL's library search on a stored tsvector.

Revision ID: 0013
Revises: 0012

``page_counts`` holds what the Library and Evidence pages count unfiltered (evidence
by source type and stance, claims by outlet and verdict, evidence by domain and
stance, latest analyses by outlet and by engine); it is counted here once from the
stored rows, then kept up to date by every save and delete (issue 29). The
statement is the application's recount (core.storage.page_counts.RECOUNT_SQL) as
it was at this revision.

On PostgreSQL each indexed sentence's text search vector is stored once, in
``library_words`` (kept in step by a trigger, like SQLite's ``library_fts``), with
its GIN index: ranking no longer tokenises every matching sentence again. The
expression index of revision 0004 is no longer used and goes.

``jobs_listed`` lets the Jobs page list the newest jobs of a status without
sorting all of them (1.6 s with 100,000 finished jobs).

Like every migration, this one imports nothing from the application.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

RECOUNT = """
INSERT INTO page_counts (kind, key, value, n)
SELECT 'library_engine', l.engine, '', COUNT(*) FROM analyses l WHERE l.latest GROUP BY l.engine
UNION ALL
SELECT 'library_outlet', a.outlet, '', COUNT(*) FROM analyses l JOIN articles a ON a.id = l.article_id
 WHERE l.latest AND COALESCE(a.outlet, '') != '' GROUP BY a.outlet
UNION ALL
SELECT 'source_type', e.source_type, CASE WHEN e.counted OR e.stance = 'neutral' THEN e.stance ELSE 'leans ' || e.stance END, COUNT(*) FROM evidence e
 JOIN claims c ON c.analysis_id = e.analysis_id AND c.claim_id = e.claim_id
 JOIN analyses l ON l.id = e.analysis_id WHERE l.latest GROUP BY e.source_type, CASE WHEN e.counted OR e.stance = 'neutral' THEN e.stance ELSE 'leans ' || e.stance END
UNION ALL
SELECT 'outlet', COALESCE(a.outlet, ''), c.verdict, COUNT(DISTINCT c.analysis_id || ':' || c.claim_id) FROM evidence e
 JOIN claims c ON c.analysis_id = e.analysis_id AND c.claim_id = e.claim_id
 JOIN analyses l ON l.id = e.analysis_id JOIN articles a ON a.id = l.article_id
 WHERE l.latest GROUP BY COALESCE(a.outlet, ''), c.verdict
UNION ALL
SELECT 'evidence_domain', e.domain, '', COUNT(*) FROM evidence e
 JOIN analyses l ON l.id = e.analysis_id WHERE l.latest AND e.domain != '' GROUP BY e.domain
UNION ALL
SELECT 'domain', e.domain, CASE WHEN e.counted OR e.stance = 'neutral' THEN e.stance ELSE 'leans ' || e.stance END, COUNT(*) FROM evidence e
 JOIN claims c ON c.analysis_id = e.analysis_id AND c.claim_id = e.claim_id
 JOIN analyses l ON l.id = e.analysis_id WHERE l.latest AND e.url LIKE 'http%' GROUP BY e.domain, CASE WHEN e.counted OR e.stance = 'neutral' THEN e.stance ELSE 'leans ' || e.stance END
"""


def upgrade() -> None:
    op.create_table(
        "page_counts",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.execute(RECOUNT)
    # The Jobs page lists each status's newest first (core.storage.jobs.JobStore.list).
    op.execute("CREATE INDEX jobs_listed ON jobs (status, COALESCE(finished_at, started_at, created_at), id)")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE library_words (sentence_id INTEGER PRIMARY KEY REFERENCES library_sentences(id) "
               "ON DELETE CASCADE, words tsvector NOT NULL)")
    op.execute("INSERT INTO library_words (sentence_id, words) SELECT id, to_tsvector('simple', text) FROM library_sentences")
    op.execute("CREATE INDEX library_words_search ON library_words USING gin (words)")
    op.execute("CREATE FUNCTION library_words_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "INSERT INTO library_words (sentence_id, words) VALUES (NEW.id, to_tsvector('simple', NEW.text)); "
               "RETURN NULL; END $$")
    op.execute("CREATE TRIGGER library_words_insert AFTER INSERT ON library_sentences "
               "FOR EACH ROW EXECUTE FUNCTION library_words_insert()")
    op.execute("DROP INDEX library_sentences_text")


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
