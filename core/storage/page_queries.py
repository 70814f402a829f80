"""The queries behind the Library, Compare and Evidence pages: rows, filters, facets and counts, run in the database.

The pages never load every stored document: they read the flat, indexed summary,
claim and evidence columns that :mod:`core.storage.analyses` writes beside each
document, and ask for one page of rows at a time. Unfiltered totals, chart counts
and filter options come from the counts kept at save and delete
(:mod:`core.storage.page_counts`), so that an unfiltered page reads only the rows it
shows. :class:`PageQueries` is part of the :class:`core.storage.Storage` facade.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, case, exists, func, literal, or_, select, union_all

from ..records import Verdict, weighed_stance
from . import evidence_tallies as tallies
from . import page_counts as kept
from .database import Database
from .tables import analyses, articles, claim_tallies, claims, evidence, evidence_tallies, page_counts

VERDICT_COLUMNS = tuple(v.value for v in Verdict)
# Articles the Evidence page's article filter offers when none is named: the newest ones with evidence.
ARTICLE_OPTIONS = 200
# A page of evidence is read from the newest analyses expected to hold it (PageQueries._newest_window): that many
# times more of them than the matches' average spread says, plus a few, and at most so many (beyond, the indexes).
WINDOW_MARGIN, WINDOW_SLACK, WINDOW_MAX = 1.5, 20, 5000
# The Evidence page's order: newest analyses first, each claim's evidence in the order of its cards
# (components.evidence_explorer.in_card_order), then whatever tells two pieces apart, so that every page is the same
# whichever way it is read (PageQueries._evidence_rows).
EVIDENCE_ORDER = (analyses.c.created_at.desc(), analyses.c.id, claims.c.claim_id, evidence.c.counted.desc(),
                  evidence.c.stance == "neutral", evidence.c.stance_confidence.desc(), evidence.c.source_type,
                  evidence.c.url, evidence.c.snippet, evidence.c.title, evidence.c.stance)
# core.records.weighed_stance in SQL: the charts count a stance that did not count apart ("leans supports").
WEIGHED_STANCE = case((or_(evidence.c.counted, evidence.c.stance == "neutral"), evidence.c.stance),
                      else_=literal("leans ") + evidence.c.stance)


@dataclass(frozen=True)
class AnalysisSummary:
    """One row of the library: enough to list, filter and pick analyses."""

    id: str
    article_key: str
    created_at: str
    engine: str
    partial: bool
    title: str
    outlet: str
    url: str
    published: str
    verdicts: dict[str, int]
    top_technique: str
    techniques_found: int
    claims: int
    history: int  # analyses of the same article, this one included
    persuasion_percentile: float | None = None  # against ordinary news; None without a reference (or technique figures)


@dataclass(frozen=True)
class LibraryQuery:
    """What the Library page asks for: a search over title, outlet and URL, filters, one page of rows."""

    search: str = ""
    outlets: tuple[str, ...] = ()
    engines: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()  # has at least one claim with one of these verdicts
    limit: int = 50
    offset: int = 0


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
class Page:
    rows: list[Any]
    total: int  # rows matching the query, over all pages


@dataclass(frozen=True)
class EvidenceCounts:
    """Counts for the Evidence page's charts, over every row matching the filters (not only one page)."""

    # Stances by their weight (records.weighed_stance): "supports" counted toward the verdict, "leans supports" did not.
    by_source_type: dict[str, dict[str, int]] = field(default_factory=dict)  # source type -> weighed stance -> n
    by_outlet: dict[str, dict[str, int]] = field(default_factory=dict)  # article outlet -> claim verdict -> n
    by_domain: dict[str, dict[str, int]] = field(default_factory=dict)  # web domain -> weighed stance -> n


class PageQueries:
    """The Storage facade's queries for the Library, Compare and Evidence pages."""

    database: Database

    def summaries(self, *, latest_only: bool = True, article_key: str | None = None,
                  ids: Sequence[str] | None = None) -> list[AnalysisSummary]:
        """Stored analyses, newest first; by default only the latest analysis of each article."""
        conditions = []
        if latest_only:
            conditions.append(analyses.c.latest)
        if article_key is not None:
            conditions.append(articles.c.key == article_key)
        if ids is not None:
            conditions.append(analyses.c.id.in_(list(ids)))
        with self.database.read() as db:
            rows = db.execute(self._summary_select().where(*conditions).order_by(analyses.c.created_at.desc())).all()
        return [self._summary_row(row) for row in rows]

    def library_page(self, query: LibraryQuery) -> Page:
        """One page of the latest analysis of each article matching the search and filters, newest first."""
        conditions = [analyses.c.latest]
        if query.search:
            pattern = f"%{_escape_like(query.search.lower())}%"
            conditions.append(or_(*(func.lower(func.coalesce(column, "")).like(pattern, escape="\\")
                                    for column in (articles.c.title, articles.c.outlet, articles.c.url))))
        if query.outlets:
            conditions.append(articles.c.outlet.in_(query.outlets))
        if query.engines:
            conditions.append(analyses.c.engine.in_(query.engines))
        if query.verdicts:
            conditions.append(or_(*(analyses.c[v] > 0 for v in query.verdicts if v in VERDICT_COLUMNS)))
        counted = analyses.join(articles) if query.search or query.outlets else analyses  # the join only when needed
        with self.database.read() as db:
            total = db.execute(select(func.count()).select_from(counted).where(*conditions)).scalar_one()
            rows = [] if query.limit == 0 else db.execute(
                self._summary_select().where(*conditions).order_by(analyses.c.created_at.desc(), analyses.c.id)
                .limit(query.limit).offset(query.offset)).all()
        return Page([self._summary_row(row) for row in rows], int(total))

    def library_facets(self) -> dict[str, list[str]]:
        """The values the Library's filters offer: outlets and engines of the latest analyses (kept counts)."""
        return {"outlets": self._kept_keys(kept.LIBRARY_OUTLET), "engines": self._kept_keys(kept.LIBRARY_ENGINE)}

    def _kept_keys(self, kind: str) -> list[str]:
        with self.database.read() as db:
            return list(db.execute(select(page_counts.c.key).where(page_counts.c.kind == kind, page_counts.c.n > 0)
                                   .distinct().order_by(page_counts.c.key)).scalars().all())

    @staticmethod
    def _summary_select():  # type: ignore[no-untyped-def]
        runs = analyses.alias("runs")
        history = select(func.count()).select_from(runs).where(runs.c.article_id == analyses.c.article_id).scalar_subquery()
        return select(
            analyses.c.id, articles.c.key, analyses.c.created_at, analyses.c.engine, analyses.c.partial,
            func.coalesce(articles.c.title, ""), func.coalesce(articles.c.outlet, ""), func.coalesce(articles.c.url, ""),
            analyses.c.published, analyses.c.top_technique, analyses.c.techniques_found, analyses.c.claims_count,
            analyses.c.persuasion_percentile, *(analyses.c[v] for v in VERDICT_COLUMNS), history,
        ).select_from(analyses.join(articles))

    @staticmethod
    def _summary_row(row: Any) -> AnalysisSummary:
        (analysis_id, key, created_at, engine, partial, title, outlet, url, published, top, found, n_claims,
         persuasion, *rest) = row
        verdict_counts, history = rest[:len(VERDICT_COLUMNS)], rest[len(VERDICT_COLUMNS)]
        return AnalysisSummary(
            id=analysis_id, article_key=key, created_at=created_at, engine=engine, partial=bool(partial), title=title,
            outlet=outlet, url=url, published=published, verdicts=dict(zip(VERDICT_COLUMNS, map(int, verdict_counts))),
            top_technique=top, techniques_found=int(found), claims=int(n_claims), history=int(history),
            persuasion_percentile=None if persuasion is None else float(persuasion),
        )

    # ------------------------------------------------------------------ evidence

    def _evidence_conditions(self, query: EvidenceQuery, *, indexed: bool = True) -> list[Any]:
        """The query's filters on the evidence rows; ``indexed=False`` keeps the database from answering them with
        their columns' indexes (``|| ''``), for a query that reads the few rows of named analyses instead."""
        conditions = [analyses.c.latest]
        for column, chosen in ((evidence.c.source_type, query.source_types), (evidence.c.stance, query.stances),
                               (claims.c.verdict, query.verdicts), (evidence.c.domain, query.domains),
                               (analyses.c.id, query.analysis_ids)):
            if chosen:
                conditions.append((column if indexed else column + "").in_(chosen))
        if query.counted is not None:
            conditions.append(evidence.c.counted.is_(query.counted))
        if query.search:
            pattern = f"%{_escape_like(query.search.lower())}%"
            conditions.append(or_(func.lower(claims.c.text).like(pattern, escape="\\"),
                                  func.lower(func.coalesce(evidence.c.snippet, "")).like(pattern, escape="\\")))
        return conditions

    @staticmethod
    def _evidence_from():  # type: ignore[no-untyped-def]
        return evidence.join(claims, and_(claims.c.analysis_id == evidence.c.analysis_id, claims.c.claim_id == evidence.c.claim_id)) \
            .join(analyses, analyses.c.id == evidence.c.analysis_id).join(articles, articles.c.id == analyses.c.article_id)

    def evidence_page(self, query: EvidenceQuery) -> Page:
        """One page of evidence rows (dicts), newest analyses first, with the total matching the filters."""
        with self.database.read() as db:
            total = self._evidence_total(db, query)
            rows = [] if query.limit == 0 or query.offset >= total else self._evidence_rows(db, query, total)
        return Page([dict(row) for row in rows], total)

    def _evidence_total(self, db: Connection, query: EvidenceQuery) -> int:
        if _tallied(query):
            return int(db.execute(select(func.coalesce(func.sum(evidence_tallies.c.n), 0))
                                  .where(*_tally_conditions(query))).scalar_one())
        return int(db.execute(select(func.count()).select_from(self._evidence_from())
                              .where(*self._evidence_conditions(query))).scalar_one())

    def _evidence_rows(self, db: Connection, query: EvidenceQuery, total: int) -> list[Any]:
        """The page's rows: from the newest analyses that hold them where the filter matches many rows (reading those
        analyses' evidence costs less than sorting every match), else from every matching row, through the indexes."""
        columns = (analyses.c.id.label("analysis_id"), func.coalesce(articles.c.title, "").label("article"),
                   func.coalesce(articles.c.outlet, "").label("article_outlet"), claims.c.claim_id,
                   claims.c.text.label("claim"), claims.c.verdict, evidence.c.source_type, evidence.c.title, evidence.c.url,
                   evidence.c.outlet, evidence.c.snippet, evidence.c.stance, evidence.c.stance_confidence, evidence.c.domain,
                   evidence.c.counted, evidence.c.reason, evidence.c.facts)

        def page(*conditions: Any) -> list[Any]:
            return list(db.execute(select(*columns).select_from(self._evidence_from()).where(*conditions)
                                   .order_by(*EVIDENCE_ORDER).limit(query.limit).offset(query.offset)).mappings().all())

        window = self._newest_window(db, query, total)
        if window:
            rows = page(evidence.c.analysis_id.in_(window), *self._evidence_conditions(query, indexed=False))
            # The window held the page when it filled it, or when the page is the last one.
            if len(rows) == min(query.limit, total - query.offset):
                return rows
        return page(*self._evidence_conditions(query))

    @staticmethod
    def _newest_window(db: Connection, query: EvidenceQuery, total: int) -> list[str]:
        """The newest latest analyses expected to hold the rows up to the page's end (the matches spread evenly), when
        reading their evidence costs less than reading every match; else none."""
        if query.analysis_ids:
            return []
        latest = int(db.execute(select(func.coalesce(func.sum(page_counts.c.n), 0))
                                .where(page_counts.c.kind == kept.LIBRARY_ENGINE)).scalar_one())
        everything = int(db.execute(select(func.coalesce(func.sum(evidence_tallies.c.n), 0))).scalar_one())
        if not latest or not everything:
            return []
        size = math.ceil((query.offset + query.limit) * latest / total * WINDOW_MARGIN) + WINDOW_SLACK
        if size >= latest or size > WINDOW_MAX or size * everything / latest >= total:
            return []
        return list(db.execute(select(analyses.c.id).where(analyses.c.latest)
                               .order_by(analyses.c.created_at.desc(), analyses.c.id).limit(size)).scalars().all())

    def evidence_counts(self, query: EvidenceQuery) -> EvidenceCounts:
        """Evidence items by source type and stance, by web domain and stance; distinct claims by outlet and verdict."""
        out = EvidenceCounts()
        with self.database.read() as db:
            if _tallied(query):
                self._tallied_counts(db, query, out)
            if not _tallied(query):
                self._matching_counts(db, query, out, ("source_type", "outlet", "domain"))
            elif query.domains:  # the claim tallies do not know the domains
                self._matching_counts(db, query, out, ("outlet",))
        return out

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

    def _matching_counts(self, db: Connection, query: EvidenceQuery, out: EvidenceCounts, charts: Sequence[str]) -> None:
        """The ``charts`` counted from the matching rows, read once (a materialised CTE), grouped in one statement."""
        matching = (select(evidence.c.source_type, WEIGHED_STANCE.label("stance"), evidence.c.domain,
                           func.lower(evidence.c.url).like("http%").label("web"),
                           func.coalesce(articles.c.outlet, "").label("outlet"),
                           claims.c.verdict, (claims.c.analysis_id + ":" + claims.c.claim_id).label("claim"))
                    .select_from(self._evidence_from()).where(*self._evidence_conditions(query))
                    .cte("matching").prefix_with("MATERIALIZED"))
        m = matching.c
        grouped = {
            "source_type": select(literal("source_type"), m.source_type, m.stance, func.count()).group_by(m.source_type, m.stance),
            "outlet": select(literal("outlet"), m.outlet, m.verdict, func.count(func.distinct(m.claim))).group_by(m.outlet, m.verdict),
            "domain": select(literal("domain"), m.domain, m.stance, func.count()).where(m.web).group_by(m.domain, m.stance),
        }
        targets = {"source_type": out.by_source_type, "outlet": out.by_outlet, "domain": out.by_domain}
        for chart, key, kind, n in db.execute(union_all(*(grouped[chart] for chart in charts))).all():
            targets[chart].setdefault(key, {})[kind] = int(n)

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


def _tallied(query: EvidenceQuery) -> bool:
    """Whether the tallies answer the query's total (core.storage.evidence_tallies): all its filters but the
    article and the search."""
    return not query.analysis_ids and not query.search


def _tally_conditions(query: EvidenceQuery) -> list[Any]:
    t = evidence_tallies.c
    conditions = [column.in_(chosen) for column, chosen in ((t.source_type, query.source_types), (t.stance, query.stances),
                                                            (t.verdict, query.verdicts), (t.domain, query.domains))
                  if chosen]
    if query.counted is not None:
        conditions.append(t.counted.is_(query.counted))
    return conditions


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
