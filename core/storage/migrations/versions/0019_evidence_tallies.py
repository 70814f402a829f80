"""The Evidence page's counts under its filters, kept at save and delete: evidence_tallies and claim_tallies.

Revision ID: 0019
Revises: 0018

A filtered view of the Evidence page counted the rows matching it at every render (at
100,000 analyses, stance = refutes: 1.2-5.7 s for the total, 4-15 s for the charts). The
tallies hold the evidence of every article's latest analysis by source type, stance,
counted, claim verdict, domain and web address or not, and its claims by article
outlet, verdict and the kinds of evidence each has (a bit per source type, stance and
counted); they are tallied here once from the stored rows, then kept up to date by every
save and delete (core.storage.evidence_tallies; the statements are its RETALLY_SQL as it
is at this revision). The Evidence page's rows of page_counts (revision 0013) go: the
tallies answer for them.

``evidence_words`` holds, for the search, each claim with evidence of every latest analysis
with its evidence's passages, indexed for substrings: SQLite's FTS5 trigram table
``evidence_words_fts`` (kept in step by triggers, like ``library_fts``), PostgreSQL's trigram
index (the pg_trgm extension, where it can be created). The evidence is indexed by claim
(``evidence_by_claim``, in place of ``evidence_by_analysis``, its first column).

Like every migration, this one imports nothing from the application.
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

KIND_BIT = ("(1 << (CASE e.source_type WHEN 'library' THEN 0 WHEN 'wikipedia' THEN 6 WHEN 'web' THEN 12 "
             "WHEN 'factcheck' THEN 18 END + CASE e.stance WHEN 'supports' THEN 0 WHEN 'refutes' THEN 2 "
             "WHEN 'neutral' THEN 4 END + CASE WHEN e.counted THEN 1 ELSE 0 END))")
RETALLY = (
    """
INSERT INTO evidence_tallies (source_type, stance, counted, verdict, domain, web, n)
SELECT e.source_type, e.stance, e.counted, c.verdict, e.domain, CASE WHEN LOWER(e.url) LIKE 'http%' THEN TRUE ELSE FALSE END,
       COUNT(*)
  FROM evidence e JOIN claims c ON c.analysis_id = e.analysis_id AND c.claim_id = e.claim_id
  JOIN analyses l ON l.id = e.analysis_id
 WHERE l.latest
 GROUP BY e.source_type, e.stance, e.counted, c.verdict, e.domain, CASE WHEN LOWER(e.url) LIKE 'http%' THEN TRUE ELSE FALSE END
""",
    f"""
INSERT INTO claim_tallies (outlet, verdict, kinds, n)
SELECT outlet, verdict, kinds, COUNT(*) FROM (
  SELECT COALESCE(a.outlet, '') AS outlet, c.verdict AS verdict, SUM(DISTINCT {KIND_BIT}) AS kinds
    FROM evidence e JOIN claims c ON c.analysis_id = e.analysis_id AND c.claim_id = e.claim_id
    JOIN analyses l ON l.id = e.analysis_id JOIN articles a ON a.id = l.article_id
   WHERE l.latest
   GROUP BY e.analysis_id, e.claim_id, COALESCE(a.outlet, ''), c.verdict
) per_claim
GROUP BY outlet, verdict, kinds
""",
)


def upgrade() -> None:
    op.create_table(
        "evidence_tallies",
        sa.Column("source_type", sa.Text, primary_key=True),
        sa.Column("stance", sa.Text, primary_key=True),
        sa.Column("counted", sa.Boolean, primary_key=True),
        sa.Column("verdict", sa.Text, primary_key=True),
        sa.Column("domain", sa.Text, primary_key=True),
        sa.Column("web", sa.Boolean, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "claim_tallies",
        sa.Column("outlet", sa.Text, primary_key=True),
        sa.Column("verdict", sa.Text, primary_key=True),
        sa.Column("kinds", sa.Integer, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    for statement in RETALLY:
        op.execute(statement)
    op.execute("DELETE FROM page_counts WHERE kind IN ('source_type', 'outlet', 'domain', 'evidence_domain')")
    op.create_table(
        "evidence_words",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("claim_id", sa.String(64), nullable=False),
        sa.Column("words", sa.Text, nullable=False),
    )
    op.create_index("evidence_words_by_analysis", "evidence_words", ["analysis_id"])
    # A search's candidate claims find their evidence by claim, not among all of their analysis's evidence.
    op.create_index("evidence_by_claim", "evidence", ["analysis_id", "claim_id"])
    op.drop_index("evidence_by_analysis", table_name="evidence")
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        _trigram_index()
    else:
        op.execute("CREATE VIRTUAL TABLE evidence_words_fts USING fts5(words, content='evidence_words', content_rowid='id', "
                   "tokenize='trigram')")
        op.execute("CREATE TRIGGER evidence_words_fts_insert AFTER INSERT ON evidence_words BEGIN "
                   "INSERT INTO evidence_words_fts(rowid, words) VALUES (new.id, new.words); END")
        op.execute("CREATE TRIGGER evidence_words_fts_delete AFTER DELETE ON evidence_words BEGIN "
                   "INSERT INTO evidence_words_fts(evidence_words_fts, rowid, words) VALUES ('delete', old.id, old.words); END")
    newline, joined = ("chr(10)", "string_agg") if postgresql else ("char(10)", "group_concat")
    op.execute(f"""
INSERT INTO evidence_words (analysis_id, claim_id, words)
SELECT c.analysis_id, c.claim_id, c.text || {newline} || {joined}(COALESCE(e.snippet, ''), {newline})
  FROM claims c JOIN evidence e ON e.analysis_id = c.analysis_id AND e.claim_id = c.claim_id
  JOIN analyses l ON l.id = c.analysis_id
 WHERE l.latest
 GROUP BY c.analysis_id, c.claim_id, c.text
""")


def _trigram_index() -> None:
    """PostgreSQL's trigram index on the words, where the pg_trgm extension can be had (a trusted extension since
    PostgreSQL 13: the database's owner may create it); without it the search reads every claim's words."""
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:  # not installed, or not ours to create: docs/deploy.md says what that costs
        return
    op.execute("CREATE INDEX evidence_words_search ON evidence_words USING gin (lower(words) gin_trgm_ops)")


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
