"""Stored analyses: the Storage facade, and saving, reading and deleting analyses.

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..documents import read_document
from ..errors import NotFoundError, StorageError
from ..identity import article_key, evidence_domain
from ..records import Analysis, Article, Verdict
from ..review import require_reviewer
from ..verdict import counts, not_counted_reason
from .crossrefs import CrossrefStore
from .database import Database
from .evidence_queries import EvidenceQueries
from .feeds import FeedStore
from .outlets import FollowedOutletStore
from .jobs import JobStore
from .library_index import IndexedSentence, LibraryIndex
from .page_counts import count_in, count_out
from .page_queries import PageQueries
from .reviews import ReviewStore, record_deletions
from .stories import StoryStore, join_story, leave_story
from .tables import analyses, articles, claims, evidence, library_sentences, revision

logger = logging.getLogger(__name__)


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
        "found_techniques": json.dumps([t.name for t in analysis.found_techniques()]),  # the Outlet page counts them
        "top_technique": top.label if top is not None else "",
        "persuasion_percentile": analysis.persuasion.percentile if analysis.persuasion is not None else None,
        **{verdict.value: counts[verdict] for verdict in Verdict},
        # Kept for readers of the JSON summary written before the columns existed.
        "summary": json.dumps({"verdicts": {v.value: counts[v] for v in Verdict}, "claims": len(analysis.claims)}),
    }


class Storage(PageQueries, EvidenceQueries, LibraryIndex):
    """The analysis database (SQLite file or PostgreSQL). Safe to share between threads.

    Saving, reading and deleting analyses live here; the pages' queries in
    :class:`~core.storage.page_queries.PageQueries` and :class:`~core.storage.evidence_queries.EvidenceQueries`,
    the library index in :class:`~core.storage.library_index.LibraryIndex`.
    """

    def __init__(self, path_or_url: str | Path | Database, *, read_only: bool = False) -> None:
        self.database = path_or_url if isinstance(path_or_url, Database) else Database(path_or_url, read_only=read_only)
        self.jobs = JobStore(self.database)
        self.feeds = FeedStore(self.database)
        self.followed = FollowedOutletStore(self.database)
        self.crossrefs = CrossrefStore(self.database)
        self.reviews = ReviewStore(self.database)
        self.stories = StoryStore(self.database)

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
        key = article_key(analysis.article)
        count_out(db, db.execute(select(articles.c.id).where(articles.c.key == key)).scalar())
        article_id = self._upsert_article(db, key, analysis.article, analysis.created_at)
        db.execute(insert(analyses).values(
            id=analysis.id, article_id=article_id, created_at=analysis.created_at, engine=analysis.engine.name,
            partial=int(analysis.partial), document=json.dumps(analysis.to_dict(), allow_nan=False), job_id=job_id,
            **_summary_columns(analysis),
        ))
        self._write_derived(db, analysis)
        self._mark_latest(db, article_id)
        count_in(db, article_id)
        if index:
            db.execute(delete(library_sentences).where(library_sentences.c.article_id == article_id))
            db.execute(insert(library_sentences), [
                {"article_id": article_id, "analysis_id": analysis.id, "position": s.position, "text": s.text,
                 "embedding": s.embedding} for s in index
            ])
            # The article joins its story here, from the vectors just indexed (core.storage.stories).
            join_story(db, article_id, title=analysis.article.title or "", text=analysis.article.text,
                       published=analysis.article.published, embeddings=[s.embedding for s in index if s.position >= 0])

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
             "stance_confidence": e.stance_confidence, "domain": evidence_domain(e.url, e.outlet),
             "counted": counts(e, analysis.article), "reason": not_counted_reason(e, analysis.article), "facts": e.facts}
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

    def delete(self, analysis_id: str, *, deleted_by: str) -> None:
        """Delete one analysis; the article goes too when it was its last analysis. A record of the deletion keeps
        who deleted it, when, and its review (core.storage.reviews.record_deletions)."""
        who = require_reviewer(deleted_by, needing_it="Deleting an analysis needs")
        with self.database.write() as db:
            article_id = db.execute(select(analyses.c.article_id).where(analyses.c.id == analysis_id)).scalar()
            if article_id is None:
                raise NotFoundError(f"No stored analysis has the id {analysis_id!r}.")
            record_deletions(db, [analysis_id], who)
            count_out(db, article_id)
            db.execute(delete(analyses).where(analyses.c.id == analysis_id))
            db.execute(update(revision).values(value=revision.c.value + 1))
            if db.execute(select(analyses.c.id).where(analyses.c.article_id == article_id).limit(1)).first() is None:
                leave_story(db, article_id)
                db.execute(delete(articles).where(articles.c.id == article_id))
            else:
                self._mark_latest(db, article_id)
                count_in(db, article_id)

    def delete_article(self, key: str, *, deleted_by: str) -> int:
        """Delete an article with all its analyses, each leaving a record as :meth:`delete` does; returns how many went."""
        who = require_reviewer(deleted_by, needing_it="Deleting an analysis needs")
        with self.database.write() as db:
            article_id = db.execute(select(articles.c.id).where(articles.c.key == key)).scalar()
            if article_id is None:
                raise NotFoundError(f"No stored article has the key {key!r}.")
            record_deletions(db, db.execute(select(analyses.c.id).where(analyses.c.article_id == article_id)).scalars().all(),
                             who)
            count_out(db, article_id)
            removed = db.execute(delete(analyses).where(analyses.c.article_id == article_id)).rowcount
            leave_story(db, article_id)
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

    def size_bytes(self) -> int:
        return self.database.size_bytes() or 0


def open_storage(path: Path | str | None = None, *, read_only: bool = False) -> Storage:
    """The database at ``path`` (a file or a URL), or the configured one (CROSSCHECK_DATABASE_URL, CROSSCHECK_DB)."""
    from ..settings import get_settings

    return Storage(path or get_settings().database, read_only=read_only)
