"""Stored analyses: save, read, delete, and the queries the Library, Compare and Evidence pages run in the database.

Each analysis is stored whole, as its JSON document, under the article it
belongs to; re-analysing an article adds a new analysis and keeps the old ones
as history. Claims, evidence and a summary of each analysis are also kept in
flat, indexed columns, so that pages search, filter, count and paginate in the
database instead of loading every document.
"""
from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, and_, case, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..documents import read_document
from ..errors import NotFoundError, StorageError
from ..identity import article_key, evidence_domain
from ..models import Analysis, Article, Verdict
from .crossrefs import CrossrefStore
from .database import Database
from .feeds import FeedStore
from .jobs import JobStore
from .reviews import ReviewStore
from .schema import analyses, articles, claims, evidence, library_sentences, revision

logger = logging.getLogger(__name__)

VERDICT_COLUMNS = tuple(v.value for v in Verdict)
# Words of a claim that the SQLite full-text search looks for: the rarest ones (see _rarest_words).
MAX_QUERY_WORDS = 6


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

    by_source_type: dict[str, dict[str, int]] = field(default_factory=dict)  # source type -> stance -> n
    by_outlet: dict[str, dict[str, int]] = field(default_factory=dict)  # article outlet -> claim verdict -> n
    by_domain: dict[str, dict[str, int]] = field(default_factory=dict)  # web domain -> stance -> n


@dataclass(frozen=True)
class IndexedSentence:
    """A sentence of a stored article, as the library index keeps it."""

    position: int
    text: str
    embedding: bytes  # float16 vector


@dataclass(frozen=True)
class LibraryHit:
    """A sentence the full-text index found, with its article's details."""

    article_key: str
    title: str
    url: str | None
    outlet: str | None
    text: str
    embedding: bytes
    analysis_id: str | None = None  # the article's latest analysis, to open it at the passage
    published: str = ""


def text_hash(text: str) -> str:
    """The article text's identity: the same story stored under two addresses has one."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def _summary_columns(analysis: Analysis) -> dict[str, Any]:
    top = analysis.top_technique()
    counts = analysis.verdict_counts()
    return {
        "published": analysis.article.published or "",
        "claims_count": len(analysis.claims),
        "techniques_found": len(analysis.found_techniques()),
        "top_technique": top.label if top is not None else "",
        "persuasion_percentile": analysis.persuasion.percentile if analysis.persuasion is not None else None,
        **{verdict.value: counts[verdict] for verdict in Verdict},
        # Kept for readers of the JSON summary written before the columns existed.
        "summary": json.dumps({"verdicts": {v.value: counts[v] for v in Verdict}, "claims": len(analysis.claims)}),
    }


class Storage:
    """The analysis database (SQLite file or PostgreSQL). Safe to share between threads."""

    def __init__(self, path_or_url: str | Path | Database, *, read_only: bool = False) -> None:
        self.database = path_or_url if isinstance(path_or_url, Database) else Database(path_or_url, read_only=read_only)
        self.jobs = JobStore(self.database)
        self.feeds = FeedStore(self.database)
        self.crossrefs = CrossrefStore(self.database)
        self.reviews = ReviewStore(self.database)

    # ------------------------------------------------------------------ writing

    def save(self, analysis: Analysis, *, job_id: str | None = None, index: Sequence[IndexedSentence] = ()) -> None:
        """Store an analysis in one transaction (all or nothing), with its article's sentences for the library index.

        Saving again from the same job (a worker that died after saving) is a no-op.
        """
        try:
            with self.database.write() as db:
                if job_id is not None and db.execute(select(analyses.c.id).where(analyses.c.job_id == job_id)).first():
                    return
                self._insert(db, analysis, job_id=job_id, index=index)
                db.execute(update(revision).values(value=revision.c.value + 1))
        except IntegrityError:
            if job_id is not None and self.exists(analysis.id):
                return  # the same job's analysis, saved by a twin run in the meantime
            raise StorageError(f"An analysis with id {analysis.id} is already stored.", hint="Import it under a new id.") from None

    def save_all(self, stored: Sequence[Analysis]) -> None:
        """Store analyses in one transaction: all of them, or none when any fails (an imported file)."""
        try:
            with self.database.write() as db:
                for analysis in stored:
                    self._insert(db, analysis)
                db.execute(update(revision).values(value=revision.c.value + 1))
        except IntegrityError:
            which = f"An analysis with id {stored[0].id} is" if len(stored) == 1 else "One of these analyses is"
            raise StorageError(f"{which} already stored.", hint="Import it under a new id.") from None

    def _insert(self, db: Connection, analysis: Analysis, *, job_id: str | None = None,
                index: Sequence[IndexedSentence] = ()) -> None:
        article_id = self._upsert_article(db, article_key(analysis.article), analysis.article, analysis.created_at)
        db.execute(insert(analyses).values(
            id=analysis.id, article_id=article_id, created_at=analysis.created_at, engine=analysis.engine.name,
            partial=int(analysis.partial), document=json.dumps(analysis.to_dict(), allow_nan=False), job_id=job_id,
            **_summary_columns(analysis),
        ))
        self._write_derived(db, analysis)
        self._mark_latest(db, article_id)
        if index:
            db.execute(delete(library_sentences).where(library_sentences.c.article_id == article_id))
            db.execute(insert(library_sentences), [
                {"article_id": article_id, "analysis_id": analysis.id, "position": s.position, "text": s.text,
                 "embedding": s.embedding} for s in index
            ])

    def _upsert_article(self, db: Connection, key: str, article: Article, first_seen: str) -> int:
        dialect_insert = postgresql.insert if self.database.dialect == "postgresql" else sqlite.insert
        statement = dialect_insert(articles).values(key=key, url=article.url, title=article.title, outlet=article.outlet,
                                                    first_seen=first_seen, text_hash=text_hash(article.text))
        db.execute(statement.on_conflict_do_update(index_elements=["key"], set_={
            "title": statement.excluded.title, "outlet": statement.excluded.outlet, "text_hash": statement.excluded.text_hash}))
        return db.execute(select(articles.c.id).where(articles.c.key == key)).scalar_one()

    @staticmethod
    def _write_derived(db: Connection, analysis: Analysis) -> None:
        if analysis.claims:
            db.execute(insert(claims), [
                {"analysis_id": analysis.id, "claim_id": c.id, "text": c.text, "verdict": c.verdict.value,
                 "verdict_confidence": c.assessment.confidence} for c in analysis.claims
            ])
        rows = [
            {"analysis_id": analysis.id, "claim_id": c.id, "source_type": e.source_type.value, "title": e.title,
             "url": e.url, "outlet": e.outlet, "snippet": e.snippet, "stance": e.stance.value,
             "stance_confidence": e.stance_confidence, "domain": evidence_domain(e.url, e.outlet)}
            for c in analysis.claims for e in c.evidence
        ]
        if rows:
            db.execute(insert(evidence), rows)

    @staticmethod
    def _mark_latest(db: Connection, article_id: int) -> None:
        """Flag the newest analysis of the article as its latest (ties broken by id), and no other."""
        newest = (select(analyses.c.id).where(analyses.c.article_id == article_id)
                  .order_by(analyses.c.created_at.desc(), analyses.c.id.desc()).limit(1).scalar_subquery())
        db.execute(update(analyses).where(analyses.c.article_id == article_id)
                   .values(latest=case((analyses.c.id == newest, True), else_=False)))

    def delete(self, analysis_id: str) -> None:
        """Delete one analysis; the article goes too when it was its last analysis."""
        with self.database.write() as db:
            article_id = db.execute(select(analyses.c.article_id).where(analyses.c.id == analysis_id)).scalar()
            if article_id is None:
                raise NotFoundError(f"No stored analysis has the id {analysis_id!r}.")
            db.execute(delete(analyses).where(analyses.c.id == analysis_id))
            db.execute(update(revision).values(value=revision.c.value + 1))
            if db.execute(select(analyses.c.id).where(analyses.c.article_id == article_id).limit(1)).first() is None:
                db.execute(delete(articles).where(articles.c.id == article_id))
            else:
                self._mark_latest(db, article_id)

    def delete_article(self, key: str) -> int:
        """Delete an article with all its analyses; returns how many analyses went."""
        with self.database.write() as db:
            article_id = db.execute(select(articles.c.id).where(articles.c.key == key)).scalar()
            if article_id is None:
                raise NotFoundError(f"No stored article has the key {key!r}.")
            removed = db.execute(delete(analyses).where(analyses.c.article_id == article_id)).rowcount
            db.execute(delete(articles).where(articles.c.id == article_id))
            db.execute(update(revision).values(value=revision.c.value + 1))
        return removed

    # ------------------------------------------------------------------ reading

    def revision(self) -> int:
        """A number that changes whenever an analysis is saved or deleted, by any process."""
        with self.database.read() as db:
            return int(db.execute(select(revision.c.value)).scalar_one())

    @property
    def schema_version(self) -> str | None:
        return self.database.revision()

    def get(self, analysis_id: str) -> Analysis:
        with self.database.read() as db:
            document = db.execute(select(analyses.c.document).where(analyses.c.id == analysis_id)).scalar()
        if document is None:
            raise NotFoundError(f"No stored analysis has the id {analysis_id!r}.")
        try:
            return read_document(json.loads(document))
        except (ValueError, KeyError, TypeError) as exc:  # written by hand or by a broken tool
            raise StorageError(f"The stored analysis {analysis_id!r} is damaged ({exc.__class__.__name__}).",
                               hint="Delete it and analyse the article again.") from None

    def exists(self, analysis_id: str) -> bool:
        with self.database.read() as db:
            return db.execute(select(analyses.c.id).where(analyses.c.id == analysis_id)).first() is not None

    def get_many(self, analysis_ids: list[str]) -> list[Analysis]:
        return [self.get(i) for i in analysis_ids]

    def count(self, *, latest_only: bool = True) -> int:
        with self.database.read() as db:
            query = select(func.count()).select_from(analyses)
            return int(db.execute(query.where(analyses.c.latest) if latest_only else query).scalar_one())

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
        with self.database.read() as db:
            total = db.execute(select(func.count()).select_from(analyses.join(articles)).where(*conditions)).scalar_one()
            rows = db.execute(self._summary_select().where(*conditions).order_by(analyses.c.created_at.desc(), analyses.c.id)
                              .limit(query.limit).offset(query.offset)).all()
        return Page([self._summary_row(row) for row in rows], int(total))

    def library_facets(self) -> dict[str, list[str]]:
        """The values the Library's filters offer: outlets and engines of the latest analyses."""
        with self.database.read() as db:
            outlets = db.execute(select(articles.c.outlet).join(analyses).where(analyses.c.latest, articles.c.outlet != "")
                                 .distinct().order_by(articles.c.outlet)).scalars().all()
            engines = db.execute(select(analyses.c.engine).where(analyses.c.latest).distinct()
                                 .order_by(analyses.c.engine)).scalars().all()
        return {"outlets": [o for o in outlets if o], "engines": list(engines)}

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
                   evidence.c.outlet, evidence.c.snippet, evidence.c.stance, evidence.c.stance_confidence, evidence.c.domain)
        with self.database.read() as db:
            total = db.execute(select(func.count()).select_from(self._evidence_from()).where(*conditions)).scalar_one()
            rows = db.execute(select(*columns).select_from(self._evidence_from()).where(*conditions)
                              .order_by(analyses.c.created_at.desc(), analyses.c.id, claims.c.claim_id)
                              .limit(query.limit).offset(query.offset)).mappings().all()
        return Page([dict(row) for row in rows], int(total))

    def evidence_counts(self, query: EvidenceQuery) -> EvidenceCounts:
        """Evidence items by source type and stance, by web domain and stance; distinct claims by outlet and verdict."""
        conditions = self._evidence_conditions(query)
        items = func.count()
        distinct_claims = func.count(func.distinct(claims.c.analysis_id + ":" + claims.c.claim_id))
        out = EvidenceCounts()
        with self.database.read() as db:
            for target, group, value, counted, extra in (
                (out.by_source_type, evidence.c.source_type, evidence.c.stance, items, []),
                (out.by_outlet, func.coalesce(articles.c.outlet, ""), claims.c.verdict, distinct_claims, []),
                (out.by_domain, evidence.c.domain, evidence.c.stance, items, [evidence.c.url.like("http%")]),
            ):
                statement = select(group, value, counted).select_from(self._evidence_from()).where(*conditions, *extra)
                for key, kind, n in db.execute(statement.group_by(group, value)).all():
                    target.setdefault(key, {})[kind] = int(n)
        return out

    def evidence_facets(self) -> tuple[list[str], list[tuple[str, str]]]:
        """What the Evidence page's filters offer: domains, and (analysis id, title) of articles with evidence."""
        with self.database.read() as db:
            domains = db.execute(select(evidence.c.domain).join(analyses, analyses.c.id == evidence.c.analysis_id)
                                 .where(analyses.c.latest, evidence.c.domain != "").distinct()
                                 .order_by(evidence.c.domain)).scalars().all()
            article_rows = db.execute(select(analyses.c.id, func.coalesce(articles.c.title, "")).join(articles)
                                      .where(analyses.c.latest, exists().where(evidence.c.analysis_id == analyses.c.id))
                                      .order_by(articles.c.title)).all()
        return list(domains), [(analysis_id, title) for analysis_id, title in article_rows]

    # ------------------------------------------------------------------ library index

    def unindexed_articles(self, *, limit: int) -> list[tuple[str, Analysis]]:
        """Latest analyses of articles that have no sentences in the library index yet (stored before it existed)."""
        with self.database.read() as db:
            rows = db.execute(
                select(analyses.c.id, analyses.c.document).where(
                    analyses.c.latest, ~exists().where(library_sentences.c.article_id == analyses.c.article_id)
                ).order_by(analyses.c.created_at.desc()).limit(limit)
            ).all()
        return [(analysis_id, read_document(json.loads(document))) for analysis_id, document in rows]

    def add_to_index(self, analysis_id: str, sentences: Sequence[IndexedSentence]) -> None:
        """Index an already stored analysis's article (its sentences replace any earlier ones)."""
        with self.database.write() as db:
            article_id = db.execute(select(analyses.c.article_id).where(analyses.c.id == analysis_id)).scalar()
            if article_id is None:
                return
            db.execute(delete(library_sentences).where(library_sentences.c.article_id == article_id))
            # An article with no usable sentence still gets a row, so it is not offered again.
            rows = sentences or [IndexedSentence(-1, "", b"")]
            db.execute(insert(library_sentences), [
                {"article_id": article_id, "analysis_id": analysis_id, "position": s.position, "text": s.text,
                 "embedding": s.embedding} for s in rows
            ])

    def search_library(self, words: Sequence[str], *, exclude_key: str, exclude_text_hash: str, limit: int) -> list[LibraryHit]:
        """Sentences of stored articles matching any of ``words``, best full-text rank first.

        The article being checked is left out, by its key and by its text. On SQLite only the
        :data:`MAX_QUERY_WORDS` words found in the fewest stored sentences are searched for (see there).
        """
        words = list(dict.fromkeys(w for w in words if w))
        if not words:
            return []
        latest = analyses.alias("latest")
        columns = (articles.c.key, func.coalesce(articles.c.title, ""), articles.c.url, articles.c.outlet,
                   library_sentences.c.text, library_sentences.c.embedding, latest.c.id,
                   func.coalesce(latest.c.published, ""))
        with self.database.read() as db:
            if self.database.dialect == "sqlite":
                words = _rarest_words(db, words)
                if not words:
                    return []
                expression = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
                statement = (
                    "SELECT a.key, COALESCE(a.title, ''), a.url, a.outlet, s.text, s.embedding, l.id, COALESCE(l.published, '') "
                    "FROM library_fts f JOIN library_sentences s ON s.id = f.rowid JOIN articles a ON a.id = s.article_id "
                    "LEFT JOIN analyses l ON l.article_id = a.id AND l.latest "
                    "WHERE library_fts MATCH :expression AND a.key != :key AND COALESCE(a.text_hash, '') != :hash "
                    "ORDER BY bm25(library_fts) LIMIT :limit"
                )
                rows = db.execute(text(statement), {"expression": expression, "key": exclude_key, "hash": exclude_text_hash,
                                                    "limit": limit}).all()
            else:
                query = func.to_tsquery("simple", " | ".join(_ts_word(w) for w in words))
                vector = func.to_tsvector("simple", library_sentences.c.text)
                statement = (select(*columns).select_from(library_sentences.join(articles).outerjoin(
                                 latest, and_(latest.c.article_id == articles.c.id, latest.c.latest)))
                             .where(vector.op("@@")(query), articles.c.key != exclude_key,
                                    func.coalesce(articles.c.text_hash, "") != exclude_text_hash)
                             .order_by(func.ts_rank(vector, query).desc()).limit(limit))
                rows = db.execute(statement).all()
        return [LibraryHit(*row) for row in rows]

    def indexed_sentences(self, key: str) -> list[IndexedSentence]:
        """The library index's sentences of one stored article, in order."""
        with self.database.read() as db:
            rows = db.execute(select(library_sentences.c.position, library_sentences.c.text, library_sentences.c.embedding)
                              .join(articles, articles.c.id == library_sentences.c.article_id)
                              .where(articles.c.key == key, library_sentences.c.position >= 0)
                              .order_by(library_sentences.c.position)).all()
        return [IndexedSentence(*row) for row in rows]

    def size_bytes(self) -> int:
        return self.database.size_bytes() or 0


def _rarest_words(db: Connection, words: list[str]) -> list[str]:
    """The words of a query that occur in the fewest stored sentences (at most MAX_QUERY_WORDS); words in none are dropped.

    FTS5 computes the rank of every sentence that matches any word of the query before it can
    keep the best ones, and a claim's common words ("said", "government") match a large share of
    a big library: at 10,000 articles (400,000 sentences) a claim matched about 30,000 of them.
    Rare words carry most of the rank's weight anyway, and the embeddings re-rank what is found.
    The counts come from an fts5vocab table over the index, created per connection in ``temp``.
    """
    db.exec_driver_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.library_vocab USING fts5vocab(main, library_fts, row)")
    terms = list(dict.fromkeys(_fts_term(w) for w in words))
    marks = ", ".join("?" * len(terms))
    found = dict(db.exec_driver_sql(f"SELECT term, doc FROM temp.library_vocab WHERE term IN ({marks})", tuple(terms)).all())
    return sorted((t for t in terms if t in found), key=lambda t: (found[t], t))[:MAX_QUERY_WORDS]


def _fts_term(word: str) -> str:
    """A word as FTS5's default tokenizer (unicode61) indexes it: lower case, without diacritics ("Genève" → "geneve")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ts_word(word: str) -> str:
    """A word as a PostgreSQL tsquery lexeme (quoted, so punctuation in it cannot change the query)."""
    return "'" + word.replace("\\", "").replace("'", "") + "'"


def open_storage(path: Path | str | None = None, *, read_only: bool = False) -> Storage:
    """The database at ``path`` (a file or a URL), or the configured one (CROSSCHECK_DATABASE_URL, CROSSCHECK_DB)."""
    from ..settings import get_settings

    return Storage(path or get_settings().database, read_only=read_only)


__all__ = [
    "AnalysisSummary", "EvidenceCounts", "EvidenceQuery", "IndexedSentence", "LibraryHit", "LibraryQuery", "Page",
    "Storage", "open_storage", "text_hash",
]