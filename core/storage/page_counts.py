"""Counts the Library and Evidence pages show, kept up to date at every save and delete.

Counting them at every render read the whole library (at 20,000 analyses the
Evidence page took 12 s). Only the latest analysis of each article counts, so a
change to an article takes its latest analysis's share out before the change
(:func:`count_out`) and puts the share of the article's latest analysis after it
back in (:func:`count_in`): a few small queries on one analysis's rows, in the
same transaction as the change. The page queries read them (core.storage.page_queries).

``page_counts`` holds the Library's, each row (``kind``, ``key``, ``value``) → ``n``:
``library_outlet`` and ``library_engine``, latest analyses by outlet and by engine
(key; value empty). The Evidence page's, under every filter but the article and
the search, are the tallies of core.storage.evidence_tallies, kept here with them.

Rows whose count falls to 0 stay, at 0; readers skip them.
"""
from __future__ import annotations

from sqlalchemy import Connection, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from . import evidence_tallies
from .tables import analyses, articles, page_counts

LIBRARY_OUTLET, LIBRARY_ENGINE = "library_outlet", "library_engine"


def count_out(db: Connection, article_id: int | None) -> None:
    """Take the share of the article's latest analysis out of the counts (before the article changes)."""
    _count(db, article_id, -1)


def count_in(db: Connection, article_id: int | None) -> None:
    """Put the share of the article's latest analysis into the counts (after the article changed)."""
    _count(db, article_id, 1)


def recount(db: Connection) -> None:
    """Count everything afresh: after rows were written around :class:`~core.storage.Storage` (a bulk fill)."""
    db.execute(page_counts.delete())
    db.execute(text(RECOUNT_SQL))
    evidence_tallies.retally(db)


def _count(db: Connection, article_id: int | None, sign: int) -> None:
    if article_id is None:
        return
    # "Latest" is picked here, not in SQL: SQLite would walk its index over every latest analysis (0.1-0.2 s a
    # save at 30,000) instead of the article's few analyses.
    runs = db.execute(select(analyses.c.id, analyses.c.engine, func.coalesce(articles.c.outlet, ""), analyses.c.latest)
                      .join(articles).where(analyses.c.article_id == article_id)).all()
    latest = next((run for run in runs if run[3]), None)
    if latest is None:
        return
    analysis_id, engine, outlet, _ = latest
    _add(db, [(LIBRARY_ENGINE, engine), *([(LIBRARY_OUTLET, outlet)] if outlet else [])], sign)
    evidence_tallies.tally(db, analysis_id, outlet, sign)


def _add(db: Connection, shares: list[tuple[str, str]], sign: int) -> None:
    rows = [{"kind": kind, "key": key, "value": "", "n": sign} for kind, key in shares]
    dialect_insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(page_counts)
    db.execute(statement.on_conflict_do_update(index_elements=["kind", "key", "value"],
                                               set_={"n": page_counts.c.n + statement.excluded.n}), rows)


# Every count from scratch, as _count counts one article's; migration 0013 ran it with the Evidence page's counts
# that the tallies hold now (migration 0019).
RECOUNT_SQL = """
INSERT INTO page_counts (kind, key, value, n)
SELECT 'library_engine', l.engine, '', COUNT(*) FROM analyses l WHERE l.latest GROUP BY l.engine
UNION ALL
SELECT 'library_outlet', a.outlet, '', COUNT(*) FROM analyses l JOIN articles a ON a.id = l.article_id
 WHERE l.latest AND COALESCE(a.outlet, '') != '' GROUP BY a.outlet
"""
