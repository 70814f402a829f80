"""What the Evidence page counts under its filters, kept up to date at every save and delete (issue 29).

Counting the rows that match a filter read every one of them (at 100,000 analyses, stance = refutes: 1.2-5.7 s
for the total, 4-15 s for the charts). These tallies hold the evidence of every article's latest analysis by
each value of every filter but the article and the search, so that a filtered total and the charts are sums
over a few thousand rows at most:

- ``evidence_tallies``: pieces of evidence by (source type, stance, counted, claim verdict, domain, web address
  or not) → n: the total, the stance-by-source-type chart and the domain chart, under any mix of those filters;
- ``claim_tallies``: claims with evidence by (article outlet, claim verdict, kinds) → n, where ``kinds`` has a
  bit for each (source type, stance, counted) among the claim's evidence (:func:`kind_bit`): the outlet chart
  counts a claim once when any of its evidence matches, which a sum over pieces of evidence cannot say;
- ``evidence_words``: what the search looks in, one row per claim with evidence, its text and its evidence's
  passages, each on a line, indexed for substrings (core.storage.evidence_queries reads it).

Like core.storage.page_counts (which calls :func:`tally`), a change to an article takes its latest analysis's
share out before the change and puts the share of the new latest analysis in after it, in the same transaction.
Rows whose count falls to 0 stay, at 0; readers skip them.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import Connection, and_, delete, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite

from .tables import claim_tallies, claims, evidence, evidence_tallies, evidence_words

# The bit of each kind of evidence in claim_tallies.kinds: these orders are stored; a new source type or stance
# goes at the end of its tuple and needs a migration that tallies the claims again.
SOURCE_TYPES = ("library", "wikipedia", "web", "factcheck")
STANCES = ("supports", "refutes", "neutral")


def kind_bit(source_type: str, stance: str, counted: bool) -> int:
    """The bit of one kind of evidence: 2 counted-or-not bits per stance, 6 bits per source type (24 in all)."""
    return 1 << (SOURCE_TYPES.index(source_type) * 6 + STANCES.index(stance) * 2 + int(counted))


def kinds_mask(source_types: Iterable[str], stances: Iterable[str], counted: bool | None) -> int:
    """The bits of every kind of evidence a filter matches (no values chosen: every value)."""
    chosen_types = set(source_types) or set(SOURCE_TYPES)
    chosen_stances = set(stances) or set(STANCES)
    mask = 0
    for source_type in SOURCE_TYPES:
        for stance in STANCES:
            for is_counted in (False, True):
                if source_type in chosen_types and stance in chosen_stances and counted in (None, is_counted):
                    mask |= kind_bit(source_type, stance, is_counted)
    return mask


def tally(db: Connection, analysis_id: str, outlet: str, sign: int) -> None:
    """Add (sign 1) or take out (sign -1) one analysis's evidence, claims and search words, its article's outlet
    given."""
    if sign < 0:
        db.execute(delete(evidence_words).where(evidence_words.c.analysis_id == analysis_id))
    rows = db.execute(select(evidence.c.claim_id, evidence.c.source_type, evidence.c.stance, evidence.c.counted,
                             claims.c.verdict, evidence.c.domain, evidence.c.url, claims.c.text, evidence.c.snippet)
                      .select_from(evidence.join(claims, and_(claims.c.analysis_id == evidence.c.analysis_id,
                                                              claims.c.claim_id == evidence.c.claim_id)))
                      .where(evidence.c.analysis_id == analysis_id)).all()
    if not rows:
        return
    pieces: Counter[tuple] = Counter()
    claim_kinds: dict[tuple[str, str], int] = {}
    words: dict[str, list[str]] = {}
    for claim_id, source_type, stance, counted, verdict, domain, url, claim, snippet in rows:
        pieces[(source_type, stance, bool(counted), verdict, domain, (url or "").lower().startswith("http"))] += 1
        claim_kinds[(claim_id, verdict)] = claim_kinds.get((claim_id, verdict), 0) | kind_bit(source_type, stance,
                                                                                                 bool(counted))
        words.setdefault(claim_id, [claim]).append(snippet or "")
    by_claim = Counter((outlet, verdict, kinds) for (_claim, verdict), kinds in claim_kinds.items())
    _add(db, evidence_tallies, ["source_type", "stance", "counted", "verdict", "domain", "web"],
         [(*key, sign * n) for key, n in pieces.items()])
    _add(db, claim_tallies, ["outlet", "verdict", "kinds"], [(*key, sign * n) for key, n in by_claim.items()])
    if sign > 0:
        db.execute(insert(evidence_words), [{"analysis_id": analysis_id, "claim_id": claim_id, "words": "\n".join(texts)}
                                            for claim_id, texts in words.items()])


def _add(db: Connection, table, keys: list[str], rows: list[tuple]) -> None:  # type: ignore[no-untyped-def]
    dialect_insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(table)
    db.execute(statement.on_conflict_do_update(index_elements=keys, set_={"n": table.c.n + statement.excluded.n}),
               [dict(zip([*keys, "n"], row)) for row in rows])


def retally(db: Connection) -> None:
    """Tally everything afresh, and bring the search words up to date: after rows were written around
    :class:`~core.storage.Storage` (a bulk fill)."""
    db.execute(evidence_tallies.delete())
    db.execute(claim_tallies.delete())
    for statement in (*RETALLY_SQL, *words_sql(db.dialect.name)):
        db.execute(text(statement))


# The kind bit of a piece of evidence e in SQL, as kind_bit computes it; migration 0019 runs the same statements.
_KIND_BIT = ("(1 << (CASE e.source_type WHEN 'library' THEN 0 WHEN 'wikipedia' THEN 6 WHEN 'web' THEN 12 "
             "WHEN 'factcheck' THEN 18 END + CASE e.stance WHEN 'supports' THEN 0 WHEN 'refutes' THEN 2 "
             "WHEN 'neutral' THEN 4 END + CASE WHEN e.counted THEN 1 ELSE 0 END))")
RETALLY_SQL = (
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
  SELECT COALESCE(a.outlet, '') AS outlet, c.verdict AS verdict, SUM(DISTINCT {_KIND_BIT}) AS kinds
    FROM evidence e JOIN claims c ON c.analysis_id = e.analysis_id AND c.claim_id = e.claim_id
    JOIN analyses l ON l.id = e.analysis_id JOIN articles a ON a.id = l.article_id
   WHERE l.latest
   GROUP BY e.analysis_id, e.claim_id, COALESCE(a.outlet, ''), c.verdict
) per_claim
GROUP BY outlet, verdict, kinds
""",
)


def words_sql(dialect: str) -> tuple[str, str]:
    """The search words of every latest analysis that has none yet, and none of the others; migration 0019 runs
    the same statements."""
    newline, joined = ("chr(10)", "string_agg") if dialect == "postgresql" else ("char(10)", "group_concat")
    return (
        "DELETE FROM evidence_words WHERE analysis_id IN (SELECT id FROM analyses WHERE NOT latest)",
        f"""
INSERT INTO evidence_words (analysis_id, claim_id, words)
SELECT c.analysis_id, c.claim_id, c.text || {newline} || {joined}(COALESCE(e.snippet, ''), {newline})
  FROM claims c JOIN evidence e ON e.analysis_id = c.analysis_id AND e.claim_id = c.claim_id
  JOIN analyses l ON l.id = c.analysis_id
 WHERE l.latest AND NOT EXISTS (SELECT 1 FROM evidence_words w WHERE w.analysis_id = l.id)
 GROUP BY c.analysis_id, c.claim_id, c.text
""",
    )
