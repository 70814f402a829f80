"""The Evidence page's counts under its filters, kept at save and delete: evidence_tallies and claim_tallies.

Revision ID: 0018
Revises: 0016

A filtered view of the Evidence page counted the rows matching it at every render (at
100,000 analyses, stance = refutes: 1.2-5.7 s for the total, 4-15 s for the charts). The
tallies hold the evidence of every article's latest analysis by source type, stance,
counted, claim verdict, domain and web address or not, and its claims by article
outlet, verdict and the kinds of evidence each has (a bit per source type, stance and
counted); they are tallied here once from the stored rows, then kept up to date by every
save and delete (core.storage.evidence_tallies; the statements are its RETALLY_SQL as it
is at this revision). The Evidence page's rows of page_counts (revision 0013) go: the
tallies answer for them.

Like every migration, this one imports nothing from the application.
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0016"
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


def downgrade() -> None:
    raise NotImplementedError("Crosscheck's migrations go forward only; restore a backup to go back.")
