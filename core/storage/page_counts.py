"""Counts the Library and Evidence pages show unfiltered, kept up to date at every save and delete.

Counting them at every render read the whole library (at 20,000 analyses the
Evidence page took 12 s). Only the latest analysis of each article counts, so a
change to an article takes its latest analysis's share out before the change
(:func:`count_out`) and puts the share of the article's latest analysis after it
back in (:func:`count_in`): a few small queries on one analysis's rows, in the
same transaction as the change. The page queries read ``page_counts`` when no
filter is set (core.storage.page_queries).

Each row is (``kind``, ``key``, ``value``) → ``n``:

- ``source_type``: evidence by source type (key) and weighed stance (value: "supports", or "leans supports" when
  it did not count toward its claim's verdict, as core.records.weighed_stance names it), whose sum is all evidence;
- ``outlet``: claims with evidence by the article's outlet (key) and the claim's verdict (value);
- ``domain``: evidence with a web address by domain (key) and weighed stance (value);
- ``evidence_domain``: evidence by domain (key; value empty), web address or not: the Evidence page's filter;
- ``library_outlet`` and ``library_engine``: latest analyses by outlet and by engine (key; value empty).

Rows whose count falls to 0 stay, at 0; readers skip them.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, and_, case, func, literal, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from .tables import analyses, articles, claims, evidence, page_counts

SOURCE_TYPE, OUTLET, DOMAIN, EVIDENCE_DOMAIN = "source_type", "outlet", "domain", "evidence_domain"
LIBRARY_OUTLET, LIBRARY_ENGINE = "library_outlet", "library_engine"

Share = tuple[str, str, str, int]  # kind, key, value, n

# core.records.weighed_stance in SQL: the charts count a stance that did not count apart ("leans supports").
WEIGHED_STANCE = case((or_(evidence.c.counted, evidence.c.stance == "neutral"), evidence.c.stance),
                      else_=literal("leans ") + evidence.c.stance)


def count_out(db: Connection, article_id: int | None) -> None:
    """Take the share of the article's latest analysis out of the counts (before the article changes)."""
    _add(db, _shares(db, article_id), -1)


def count_in(db: Connection, article_id: int | None) -> None:
    """Put the share of the article's latest analysis into the counts (after the article changed)."""
    _add(db, _shares(db, article_id), 1)


def recount(db: Connection) -> None:
    """Count everything afresh: after rows were written around :class:`~core.storage.Storage` (a bulk fill)."""
    db.execute(page_counts.delete())
    db.execute(text(RECOUNT_SQL))


def _shares(db: Connection, article_id: int | None) -> list[Share]:
    if article_id is None:
        return []
    # "Latest" is picked here, not in SQL: SQLite would walk its index over every latest analysis (0.1-0.2 s a
    # save at 30,000) instead of the article's few analyses.
    runs = db.execute(select(analyses.c.id, analyses.c.engine, func.coalesce(articles.c.outlet, ""), analyses.c.latest)
                      .join(articles).where(analyses.c.article_id == article_id)).all()
    latest = next((run for run in runs if run[3]), None)
    if latest is None:
        return []
    analysis_id, engine, outlet, _ = latest
    shares: list[Share] = [(LIBRARY_ENGINE, engine, "", 1)]
    if outlet:
        shares.append((LIBRARY_OUTLET, outlet, "", 1))
    joined = evidence.join(claims, and_(claims.c.analysis_id == evidence.c.analysis_id,
                                        claims.c.claim_id == evidence.c.claim_id))
    mine = evidence.c.analysis_id == analysis_id
    domains = db.execute(select(evidence.c.domain, func.count()).where(mine, evidence.c.domain != "")
                         .group_by(evidence.c.domain)).all()
    shares.extend((EVIDENCE_DOMAIN, domain, "", int(n)) for domain, n in domains)
    for kind, key, value, counted, extra in (
        (SOURCE_TYPE, evidence.c.source_type, WEIGHED_STANCE, func.count(), []),
        (OUTLET, None, claims.c.verdict, func.count(func.distinct(claims.c.claim_id)), []),
        (DOMAIN, evidence.c.domain, WEIGHED_STANCE, func.count(), [evidence.c.url.like("http%")]),
    ):
        if key is None:  # by the article's outlet, the same for every row of this analysis
            found = db.execute(select(value, counted).select_from(joined).where(mine, *extra).group_by(value)).all()
            shares.extend((kind, outlet, v, int(n)) for v, n in found)
        else:
            found = db.execute(select(key, value, counted).select_from(joined).where(mine, *extra).group_by(key, value)).all()
            shares.extend((kind, k, v, int(n)) for k, v, n in found)
    return shares


def _add(db: Connection, shares: Iterable[Share], sign: int) -> None:
    rows = [{"kind": kind, "key": key, "value": value, "n": sign * n} for kind, key, value, n in shares]
    if not rows:
        return
    dialect_insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(page_counts)
    db.execute(statement.on_conflict_do_update(index_elements=["kind", "key", "value"],
                                               set_={"n": page_counts.c.n + statement.excluded.n}), rows)


# Every count from scratch, as _shares computes one article's; migration 0013 runs the same statement.
RECOUNT_SQL = """
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
