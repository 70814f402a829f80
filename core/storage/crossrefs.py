"""Cross-references in the database: which earlier articles a newly stored one bears on, and their re-check jobs.

An article has *new evidence available* while the re-check job of a
cross-reference to it has not finished: when it has, the re-checked analysis
is the article's latest and says what was new.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..job_status import DONE
from .database import Database
from .tables import analyses, articles, crossrefs, jobs


@dataclass(frozen=True)
class NewEvidence:
    """Articles stored after an analysis that bear on its claims."""

    analysis_id: str  # the analysis they are new to (its article's latest)
    cited: tuple[tuple[str, str], ...]  # (title, outlet) of each newer article


class CrossrefStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def add(self, article_key: str, cited_key: str, job_id: str | None) -> None:
        """Record that the article ``cited_key`` bears on the claims of ``article_key`` (once per pair)."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        dialect_insert = postgresql.insert if self.database.dialect == "postgresql" else sqlite.insert
        with self.database.write() as db:
            ids = dict(db.execute(select(articles.c.key, articles.c.id).where(articles.c.key.in_([article_key, cited_key]))).all())
            if article_key not in ids or cited_key not in ids:
                return
            statement = dialect_insert(crossrefs).values(article_id=ids[article_key], cited_article_id=ids[cited_key],
                                                         found_at=now, job_id=job_id)
            db.execute(statement.on_conflict_do_update(index_elements=["article_id", "cited_article_id"],
                                                       set_={"found_at": now, "job_id": job_id}))

    def new_evidence(self, analysis_ids: Sequence[str]) -> dict[str, NewEvidence]:
        """For each of these analyses that is its article's latest: the newer articles whose re-check has not finished."""
        if not analysis_ids:
            return {}
        cited = articles.alias("cited")
        statement = (
            select(analyses.c.id, analyses.c.latest, func.coalesce(cited.c.title, ""), func.coalesce(cited.c.outlet, ""))
            .select_from(analyses.join(crossrefs, crossrefs.c.article_id == analyses.c.article_id)
                         .join(cited, cited.c.id == crossrefs.c.cited_article_id)
                         .outerjoin(jobs, jobs.c.id == crossrefs.c.job_id))
            .where(analyses.c.id.in_(list(analysis_ids)), func.coalesce(jobs.c.status, "") != DONE)
            .order_by(analyses.c.id, crossrefs.c.found_at)
        )
        found: dict[str, list[tuple[str, str]]] = {}
        with self.database.read() as db:
            # "Latest" is checked here, not in SQL: SQLite would walk its index over every latest analysis
            # (1.3 s at 100,000) instead of looking up the few ids asked for.
            for analysis_id, latest, title, outlet in db.execute(statement).all():
                if latest:
                    found.setdefault(analysis_id, []).append((title, outlet))
        return {analysis_id: NewEvidence(analysis_id, tuple(items)) for analysis_id, items in found.items()}

    def cited_for(self, job_id: str) -> list[tuple[str, str]]:
        """(title, outlet) of the newer articles a re-check job was queued for."""
        cited = articles.alias("cited")
        with self.database.read() as db:
            rows = db.execute(
                select(func.coalesce(cited.c.title, ""), func.coalesce(cited.c.outlet, ""))
                .select_from(crossrefs.join(cited, cited.c.id == crossrefs.c.cited_article_id))
                .where(crossrefs.c.job_id == job_id).order_by(crossrefs.c.found_at)
            ).all()
        return [(title, outlet) for title, outlet in rows]
