"""The Evidence page's queries: the evidence of every article's latest analysis, filtered, counted and paged.

A filtered view reads no more rows than it shows (issue 29: at 100,000 analyses, stance = refutes took 5.7 s for
the total, 15 s for the charts and 11 s for the rows):

- totals and charts under every filter but the article and the search are sums over the tallies kept at save and
  delete (core.storage.evidence_tallies);
- a page of rows comes from the newest analyses expected to hold it, when reading their evidence costs less than
  sorting every match (:meth:`EvidenceQueries._window`); every page is the same whichever way it is read
  (:data:`EVIDENCE_ORDER`);
- the search finds its candidate claims through the substring index of their words (SQLite FTS5 trigrams,
  PostgreSQL pg_trgm) and counts at most :data:`SEARCH_LIMIT` matches: a search matching more says so, and its
  pages and charts are those of the newest :data:`SEARCH_LIMIT` matches.

:class:`EvidenceQueries` is part of the :class:`core.storage.Storage` facade.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, and_, case, column, exists, func, literal, or_, select, table, union_all

from ..records import weighed_stance
from . import evidence_tallies as tallies
from . import page_counts as kept
from .database import Database
from .page_queries import Page, escape_like
from .tables import analyses, articles, claim_tallies, claims, evidence, evidence_tallies, evidence_words, page_counts

# Articles the Evidence page's article filter offers when none is named: the newest ones with evidence.
ARTICLE_OPTIONS = 200
# A search counts its matches up to this many; beyond, its pages and charts are those of the newest so many (at
# 100,000 analyses, charting the newest 10,000 of a search in one claim of eight took 1.5 s, the newest 2,000 0.1 s).
SEARCH_LIMIT = 2_000
# A page of evidence is read from the newest analyses expected to hold it (EvidenceQueries._window): that many
# times more of them than the matches' average spread says, plus a few, and at most so many (beyond, the indexes).
WINDOW_MARGIN, WINDOW_SLACK, WINDOW_MAX = 1.5, 20, 20_000
# The Evidence page's order: newest analyses first, each claim's evidence in the order of its cards
# (components.evidence_explorer.in_card_order), then whatever tells two pieces apart, so that every page is the same
# whichever way it is read.
EVIDENCE_ORDER = (analyses.c.created_at.desc(), analyses.c.id, claims.c.claim_id, evidence.c.counted.desc(),
                  evidence.c.stance == "neutral", evidence.c.stance_confidence.desc(), evidence.c.source_type,
                  evidence.c.url, evidence.c.snippet, evidence.c.title, evidence.c.stance)
# core.records.weighed_stance in SQL: the charts count a stance that did not count apart ("leans supports").
WEIGHED_STANCE = case((or_(evidence.c.counted, evidence.c.stance == "neutral"), evidence.c.stance),
                      else_=literal("leans ") + evidence.c.stance)
COLUMNS = (analyses.c.id.label("analysis_id"), func.coalesce(articles.c.title, "").label("article"),
           func.coalesce(articles.c.outlet, "").label("article_outlet"), claims.c.claim_id,
           claims.c.text.label("claim"), claims.c.verdict, evidence.c.source_type, evidence.c.title, evidence.c.url,
           evidence.c.outlet, evidence.c.snippet, evidence.c.stance, evidence.c.stance_confidence, evidence.c.domain,
           evidence.c.counted, evidence.c.reason, evidence.c.facts)
FROM = evidence.join(claims, and_(claims.c.analysis_id == evidence.c.analysis_id, claims.c.claim_id == evidence.c.claim_id)) \
    .join(analyses, analyses.c.id == evidence.c.analysis_id).join(articles, articles.c.id == analyses.c.article_id)


@dataclass(frozen=True)
class EvidenceQuery:
    """The Evidence page's filters (over the latest analysis of every article) and one page of rows."""

    source_types: tuple[str, ...] = ()
    stances: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    analysis_ids: tuple[str, ...] = ()
    counted: bool | None = None  # True: only evidence that counted toward its verdict; False: only the rest
    search: str = ""
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class EvidenceCounts:
    """Counts for the Evidence page's charts, over every row matching the filters (not only one page)."""

    # Stances by their weight (records.weighed_stance): "supports" counted toward the verdict, "leans supports" did not.
    by_source_type: dict[str, dict[str, int]] = field(default_factory=dict)  # source type -> weighed stance -> n
    by_outlet: dict[str, dict[str, int]] = field(default_factory=dict)  # article outlet -> claim verdict -> n
    by_domain: dict[str, dict[str, int]] = field(default_factory=dict)  # web domain -> weighed stance -> n
    newest: int = 0  # when not 0, counted over the newest so many matching rows only (a search matching more)


class EvidenceQueries:
    """The Storage facade's queries for the Evidence page."""

    database: Database

    def evidence_page(self, query: EvidenceQuery) -> Page:
        """One page of evidence rows (dicts), newest analyses first, with the total matching the filters (a search
        matching more than :data:`SEARCH_LIMIT`: that many, ``more`` set, and its pages go no further)."""
        with self.database.read() as db:
            total, more = self._evidence_total(db, query)
            if more:  # the pages end with the newest SEARCH_LIMIT matches
                query = replace(query, limit=min(query.limit, total - query.offset))
            rows = [] if query.limit <= 0 or query.offset >= total else self._evidence_rows(db, query, total, more)
        return Page([dict(row) for row in rows], total, more)

    def evidence_counts(self, query: EvidenceQuery) -> EvidenceCounts:
        """Evidence items by source type and stance, by web domain and stance; distinct claims by outlet and verdict."""
        with self.database.read() as db:
            if _tallied(query):
                out = EvidenceCounts()
                self._tallied_counts(db, query, out)
                if query.domains:  # the claim tallies do not know the domains
                    self._matching_counts(db, self._matching(query), out, ("outlet",))
                return out
            charts = ("source_type", "outlet", "domain")
            counted: list[EvidenceCounts] = []

            def charted(window: list[str]) -> int:
                """The charts of the window's newest matches, and how many matches they count."""
                counted.append(EvidenceCounts(newest=SEARCH_LIMIT))
                self._matching_counts(db, self._matching(query, window), counted[-1], charts, newest=SEARCH_LIMIT)
                return sum(sum(by_stance.values()) for by_stance in counted[-1].by_source_type.values())

            # A search that matches at least SEARCH_LIMIT rows in the newest analyses is charted there, uncounted.
            if query.search and self._window(db, query, SEARCH_LIMIT, None, held=charted):
                return counted[-1]
            total, more = self._evidence_total(db, query)
            out = EvidenceCounts(newest=SEARCH_LIMIT if more else 0)
            if total:
                self._matching_counts(db, self._matching(query), out, charts, newest=out.newest)
            return out

    def evidence_facets(self, *, named: Sequence[str] = ()) -> tuple[list[str], list[tuple[str, str]]]:
        """What the Evidence page's filters offer: domains (the tallies), and (analysis id, title) of the newest
        :data:`ARTICLE_OPTIONS` articles with evidence, by title, with the ``named`` ones (an address's) among them."""
        with_evidence = and_(analyses.c.latest, exists().where(evidence.c.analysis_id == analyses.c.id))
        titled = select(analyses.c.id, func.coalesce(articles.c.title, "")).join(articles)
        t = evidence_tallies.c
        with self.database.read() as db:
            # Two queries, not one with OR: the newest walk the index on (latest, created_at) and stop at the limit.
            newest = db.execute(titled.where(with_evidence).order_by(analyses.c.created_at.desc())
                                .limit(ARTICLE_OPTIONS)).all()
            chosen = db.execute(titled.where(with_evidence, analyses.c.id.in_(list(named)))).all() if named else []
            domains = list(db.execute(select(t.domain).where(t.domain != "").group_by(t.domain)
                                      .having(func.sum(t.n) > 0).order_by(t.domain)).scalars().all())
        article_rows = sorted({tuple(row) for row in (*newest, *chosen)}, key=lambda row: (row[1], row[0]))
        return domains, [(analysis_id, title) for analysis_id, title in article_rows]

    # ------------------------------------------------------------------ the rows

    def _matching(self, query: EvidenceQuery, window: Sequence[str] = ()) -> tuple[Any, list[Any]]:
        """The rows the query matches: what to select them from, and on what conditions. With a ``window`` (latest
        analyses' ids), only the rows of those analyses, and the filters kept from their columns' indexes (``|| ''``,
        no search index): the database then reads those few analyses' rows instead of every match. A search
        without a window starts from its candidate claims (:func:`_searched`)."""
        searched = _searched(self.database.dialect, query.search) if query.search and not window else None
        if window:
            from_, conditions = FROM, [evidence.c.analysis_id.in_(list(window))]
        elif searched is not None:
            # The candidates are latest analyses' claims: saying so again would have SQLite walk every latest analysis.
            from_, conditions = searched
        else:
            from_, conditions = FROM, [analyses.c.latest]
        for filtered, chosen in ((evidence.c.source_type, query.source_types), (evidence.c.stance, query.stances),
                                 (claims.c.verdict, query.verdicts), (evidence.c.domain, query.domains),
                                 (analyses.c.id, query.analysis_ids)):
            if chosen:
                conditions.append((filtered + "" if window else filtered).in_(chosen))
        if query.counted is not None:
            conditions.append(evidence.c.counted.is_(query.counted))
        if query.search:
            pattern = f"%{escape_like(query.search.lower())}%"
            conditions.append(or_(func.lower(claims.c.text).like(pattern, escape="\\"),
                                  func.lower(func.coalesce(evidence.c.snippet, "")).like(pattern, escape="\\")))
        return from_, conditions

    def _evidence_total(self, db: Connection, query: EvidenceQuery) -> tuple[int, bool]:
        """The rows matching, and whether more do (a search counts up to SEARCH_LIMIT)."""
        if _tallied(query):
            return int(db.execute(select(func.coalesce(func.sum(evidence_tallies.c.n), 0))
                                  .where(*_tally_conditions(query))).scalar_one()), False
        from_, conditions = self._matching(query)
        matching = select(literal(1)).select_from(from_).where(*conditions)
        if not query.search:  # the article filter: a few analyses' rows
            return int(db.execute(select(func.count()).select_from(matching.subquery())).scalar_one()), False
        found = int(db.execute(select(func.count()).select_from(matching.limit(SEARCH_LIMIT + 1).subquery())).scalar_one())
        return min(found, SEARCH_LIMIT), found > SEARCH_LIMIT

    def _evidence_rows(self, db: Connection, query: EvidenceQuery, total: int, more: bool) -> list[Any]:
        """The page's rows: from the newest analyses that hold them where the filter matches many rows, else from every
        matching row, through the indexes."""

        def page(matching: tuple[Any, list[Any]]) -> list[Any]:
            return list(db.execute(select(*COLUMNS).select_from(matching[0]).where(*matching[1]).order_by(*EVIDENCE_ORDER)
                                   .limit(query.limit).offset(query.offset)).mappings().all())

        window = self._window(db, query, query.offset + query.limit, None if more else total)
        if window:
            rows = page(self._matching(query, window))
            # The window held the page when it filled it, or when the page is the last one.
            if len(rows) == min(query.limit, total - query.offset):
                return rows
        return page(self._matching(query))

    def _window(self, db: Connection, query: EvidenceQuery, needed: int, total: int | None,
                held: Callable[[list[str]], int] | None = None) -> list[str]:
        """The newest latest analyses expected to hold the first ``needed`` matching rows, where reading their evidence
        costs less than reading every match; else none. Knowing the ``total``, from the matches' average spread;
        not knowing it (a search matching more than SEARCH_LIMIT), windows counted (``held``: how many matches a
        window holds, up to ``needed``) until one holds them, the first as if half of all evidence matched, each
        next one from the matches the last held."""
        if query.analysis_ids:
            return []
        latest = int(db.execute(select(func.coalesce(func.sum(page_counts.c.n), 0))
                                .where(page_counts.c.kind == kept.LIBRARY_ENGINE)).scalar_one())
        everything = int(db.execute(select(func.coalesce(func.sum(evidence_tallies.c.n), 0))).scalar_one())
        if not latest or not everything or total == 0:
            return []
        per_analysis = everything / latest

        def newest(size: int) -> list[str]:
            return list(db.execute(select(analyses.c.id).where(analyses.c.latest)
                                   .order_by(analyses.c.created_at.desc(), analyses.c.id).limit(size)).scalars().all())

        if total is not None:
            size = math.ceil(needed * latest / total * WINDOW_MARGIN) + WINDOW_SLACK
            return newest(size) if size < latest and size <= WINDOW_MAX and size * per_analysis < total else []
        size = math.ceil(needed / per_analysis * 2) + WINDOW_SLACK

        def matches(window: list[str]) -> int:
            from_, conditions = self._matching(query, window)
            found = select(literal(1)).select_from(from_).where(*conditions).limit(needed)
            return int(db.execute(select(func.count()).select_from(found.subquery())).scalar_one())

        while size < latest and size <= WINDOW_MAX:
            window = newest(size)
            found = (held or matches)(window)
            if found >= needed:
                return window
            size = max(2 * size, math.ceil(size * needed / max(found, 1) * WINDOW_MARGIN))
        return []

    # ------------------------------------------------------------------ the charts

    @staticmethod
    def _tallied_counts(db: Connection, query: EvidenceQuery, out: EvidenceCounts) -> None:
        t = evidence_tallies.c
        rows = db.execute(select(t.source_type, t.stance, t.counted, t.domain, t.web, func.sum(t.n))
                          .where(*_tally_conditions(query)).group_by(t.source_type, t.stance, t.counted, t.domain, t.web)
                          .having(func.sum(t.n) > 0)).all()
        for source_type, stance, counted, domain, web, n in rows:
            weighed = weighed_stance(stance, bool(counted))
            for chart, key in ((out.by_source_type, source_type), *(((out.by_domain, domain),) if web else ())):
                chart.setdefault(key, {})[weighed] = chart.get(key, {}).get(weighed, 0) + int(n)
        if query.domains:
            return
        c = claim_tallies.c
        wanted = [c.kinds.op("&")(tallies.kinds_mask(query.source_types, query.stances, query.counted)) != 0]
        if query.verdicts:
            wanted.append(c.verdict.in_(query.verdicts))
        for outlet, verdict, n in db.execute(select(c.outlet, c.verdict, func.sum(c.n)).where(*wanted)
                                             .group_by(c.outlet, c.verdict).having(func.sum(c.n) > 0)).all():
            out.by_outlet.setdefault(outlet, {})[verdict] = int(n)

    @staticmethod
    def _matching_counts(db: Connection, matching: tuple[Any, list[Any]], out: EvidenceCounts, charts: Sequence[str],
                         *, newest: int = 0) -> None:
        """The ``charts`` counted from the matching rows (``newest``: the newest so many), read once (a materialised
        CTE), grouped in one statement."""
        rows = (select(evidence.c.source_type, WEIGHED_STANCE.label("stance"), evidence.c.domain,
                       func.lower(evidence.c.url).like("http%").label("web"),
                       func.coalesce(articles.c.outlet, "").label("outlet"),
                       claims.c.verdict, (claims.c.analysis_id + ":" + claims.c.claim_id).label("claim"))
                .select_from(matching[0]).where(*matching[1]))
        if newest:
            rows = rows.order_by(*EVIDENCE_ORDER).limit(newest)
        m = rows.cte("matching").prefix_with("MATERIALIZED").c
        grouped = {
            "source_type": select(literal("source_type"), m.source_type, m.stance, func.count()).group_by(m.source_type, m.stance),
            "outlet": select(literal("outlet"), m.outlet, m.verdict, func.count(func.distinct(m.claim))).group_by(m.outlet, m.verdict),
            "domain": select(literal("domain"), m.domain, m.stance, func.count()).where(m.web).group_by(m.domain, m.stance),
        }
        targets = {"source_type": out.by_source_type, "outlet": out.by_outlet, "domain": out.by_domain}
        for chart, key, kind, n in db.execute(union_all(*(grouped[chart] for chart in charts))).all():
            targets[chart].setdefault(key, {})[kind] = int(n)


def _tallied(query: EvidenceQuery) -> bool:
    """Whether the tallies answer the query's total and charts (core.storage.evidence_tallies): all its filters but
    the article and the search."""
    return not query.analysis_ids and not query.search


def _tally_conditions(query: EvidenceQuery) -> list[Any]:
    t = evidence_tallies.c
    conditions = [column.in_(chosen) for column, chosen in ((t.source_type, query.source_types), (t.stance, query.stances),
                                                            (t.verdict, query.verdicts), (t.domain, query.domains))
                  if chosen]
    if query.counted is not None:
        conditions.append(t.counted.is_(query.counted))
    return conditions


def _searched(dialect: str, search: str) -> tuple[Any, list[Any]] | None:
    """The evidence rows of the latest analyses' claims whose text or evidence may hold ``search``, joined from the
    substring index of their words (core.storage.evidence_tallies): a superset that the rows' own match narrows,
    read as the index finds them (a count that stops at a limit stops reading); None where the index cannot tell
    (SQLite's trigrams need 3 characters)."""
    words = evidence_words.join(claims, and_(claims.c.analysis_id == evidence_words.c.analysis_id,
                                             claims.c.claim_id == evidence_words.c.claim_id))
    rest = (evidence, and_(evidence.c.analysis_id == claims.c.analysis_id, evidence.c.claim_id == claims.c.claim_id))
    if dialect == "postgresql":
        from_ = words.join(*rest)
        condition = func.lower(evidence_words.c.words).like(f"%{escape_like(search.lower())}%", escape="\\")
    elif len(search) < 3:
        return None
    else:
        fts = table("evidence_words_fts", column("rowid"), column("evidence_words_fts"))
        from_ = fts.join(words, evidence_words.c.id == fts.c.rowid).join(*rest)
        condition = fts.c.evidence_words_fts.op("MATCH")('"' + search.replace('"', '""') + '"')
    return from_.join(analyses, analyses.c.id == evidence.c.analysis_id) \
        .join(articles, articles.c.id == analyses.c.article_id), [condition]
