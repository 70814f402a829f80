"""The queries behind the Library and Compare pages: rows, filters, facets and counts, run in the database.

The pages never load every stored document: they read the flat, indexed summary,
claim and evidence columns that :mod:`core.storage.analyses` writes beside each
document, and ask for one page of rows at a time. The Library's filter options come
from the counts kept at save and delete (:mod:`core.storage.page_counts`). The
Evidence page's queries are in :mod:`core.storage.evidence_queries`.
:class:`PageQueries` is part of the :class:`core.storage.Storage` facade.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from ..records import Verdict
from . import page_counts as kept
from .database import Database
from .tables import analyses, articles, page_counts

VERDICT_COLUMNS = tuple(v.value for v in Verdict)


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
class Page:
    rows: list[Any]
    total: int  # rows matching the query, over all pages
    more: bool = False  # more rows match than total says: a count that stops at a limit


class PageQueries:
    """The Storage facade's queries for the Library and Compare pages."""

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
            pattern = f"%{escape_like(query.search.lower())}%"
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


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
