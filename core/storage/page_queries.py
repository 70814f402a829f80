"""The queries behind the Library, Compare and Evidence pages: rows, filters, facets and counts, run in the database.

The pages never load every stored document: they read the flat, indexed summary,
claim and evidence columns that :mod:`core.storage.analyses` writes beside each
document, and ask for one page of rows at a time. Unfiltered totals, chart counts
and filter options come from the counts kept at save and delete
(:mod:`core.storage.page_counts`), so that an unfiltered page reads only the rows it
shows. :class:`PageQueries` is part of the :class:`core.storage.Storage` facade.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, select, union_all

from ..records import Verdict
from . import page_counts as kept
from .database import Database
from .tables import analyses, articles, claims, evidence, page_counts

VERDICT_COLUMNS = tuple(v.value for v in Verdict)
# Articles the Evidence page's article filter offers when none is named: the newest ones with evidence.
ARTICLE_OPTIONS = 200


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

    def _evidence_conditions(self, query: EvidenceQuery) -> list[Any]:
        conditions = [analyses.c.latest]
        for column, chosen in ((evidence.c.source_type, query.source_types), (evidence.c.stance, query.stances),
                               (claims.c.verdict, query.verdicts), (evidence.c.domain, query.domains),
                               (analyses.c.id, query.analysis_ids)):
            if chosen:
                conditions.append(column.in_(chosen))
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
        conditions = self._evidence_conditions(query)
        columns = (analyses.c.id.label("analysis_id"), func.coalesce(articles.c.title, "").label("article"),
                   func.coalesce(articles.c.outlet, "").label("article_outlet"), claims.c.claim_id,
                   claims.c.text.label("claim"), claims.c.verdict, evidence.c.source_type, evidence.c.title, evidence.c.url,
                   evidence.c.outlet, evidence.c.snippet, evidence.c.stance, evidence.c.stance_confidence, evidence.c.domain,
                   evidence.c.counted, evidence.c.reason, evidence.c.facts)
        with self.database.read() as db:
            if _unfiltered(query):
                total = db.execute(select(func.coalesce(func.sum(page_counts.c.n), 0))
                                   .where(page_counts.c.kind == kept.SOURCE_TYPE)).scalar_one()
            else:
                total = db.execute(select(func.count()).select_from(self._evidence_from()).where(*conditions)).scalar_one()
            rows = [] if query.limit == 0 else db.execute(
                select(*columns).select_from(self._evidence_from()).where(*conditions)
                .order_by(analyses.c.created_at.desc(), analyses.c.id, claims.c.claim_id)
                .limit(query.limit).offset(query.offset)).mappings().all()
        return Page([dict(row) for row in rows], int(total))

    def evidence_counts(self, query: EvidenceQuery) -> EvidenceCounts:
        """Evidence items by source type and stance, by web domain and stance; distinct claims by outlet and verdict."""
        if _unfiltered(query):
            return self._kept_evidence_counts()
        # The matching rows are read once (a materialised CTE), then grouped three ways in one statement.
        matching = (select(evidence.c.source_type, kept.WEIGHED_STANCE.label("stance"), evidence.c.domain,
                           evidence.c.url.like("http%").label("web"), func.coalesce(articles.c.outlet, "").label("outlet"),
                           claims.c.verdict, (claims.c.analysis_id + ":" + claims.c.claim_id).label("claim"))
                    .select_from(self._evidence_from()).where(*self._evidence_conditions(query))
                    .cte("matching").prefix_with("MATERIALIZED"))
        m = matching.c
        grouped = union_all(
            select(literal("source_type"), m.source_type, m.stance, func.count()).group_by(m.source_type, m.stance),
            select(literal("outlet"), m.outlet, m.verdict, func.count(func.distinct(m.claim))).group_by(m.outlet, m.verdict),
            select(literal("domain"), m.domain, m.stance, func.count()).where(m.web).group_by(m.domain, m.stance),
        )
        out = EvidenceCounts()
        targets = {"source_type": out.by_source_type, "outlet": out.by_outlet, "domain": out.by_domain}
        with self.database.read() as db:
            for chart, key, kind, n in db.execute(grouped).all():
                targets[chart].setdefault(key, {})[kind] = int(n)
        return out

    def _kept_evidence_counts(self) -> EvidenceCounts:
        out = EvidenceCounts()
        targets = {kept.SOURCE_TYPE: out.by_source_type, kept.OUTLET: out.by_outlet, kept.DOMAIN: out.by_domain}
        with self.database.read() as db:
            rows = db.execute(select(page_counts.c.kind, page_counts.c.key, page_counts.c.value, page_counts.c.n)
                              .where(page_counts.c.kind.in_(list(targets)), page_counts.c.n > 0)
                              .order_by(page_counts.c.kind, page_counts.c.key, page_counts.c.value)).all()
        for kind, key, value, n in rows:
            targets[kind].setdefault(key, {})[value] = int(n)
        return out

    def evidence_facets(self, *, named: Sequence[str] = ()) -> tuple[list[str], list[tuple[str, str]]]:
        """What the Evidence page's filters offer: domains (kept counts), and (analysis id, title) of the newest
        :data:`ARTICLE_OPTIONS` articles with evidence, by title, with the ``named`` ones (an address's) among them."""
        with_evidence = and_(analyses.c.latest, exists().where(evidence.c.analysis_id == analyses.c.id))
        titled = select(analyses.c.id, func.coalesce(articles.c.title, "")).join(articles)
        with self.database.read() as db:
            # Two queries, not one with OR: the newest walk the index on (latest, created_at) and stop at the limit.
            newest = db.execute(titled.where(with_evidence).order_by(analyses.c.created_at.desc())
                                .limit(ARTICLE_OPTIONS)).all()
            chosen = db.execute(titled.where(with_evidence, analyses.c.id.in_(list(named)))).all() if named else []
        article_rows = sorted({tuple(row) for row in (*newest, *chosen)}, key=lambda row: (row[1], row[0]))
        return self._kept_keys(kept.EVIDENCE_DOMAIN), [(analysis_id, title) for analysis_id, title in article_rows]


def _unfiltered(query: EvidenceQuery) -> bool:
    """Whether a query asks for all evidence (whatever the page): its total and counts are the kept ones."""
    return replace(query, limit=0, offset=0) == EvidenceQuery(limit=0)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
