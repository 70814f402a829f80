"""SQLite storage of analyses, with ordered migrations.

Each analysis is stored whole, as its ``crosscheck.analysis/2`` JSON document,
under the article it belongs to; re-analysing an article adds a new analysis
and keeps the old ones as history. Claims and evidence are also kept in flat
tables so that the library-wide views can query them without parsing every
document.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .documents import read_document
from .errors import NotFoundError, StorageError
from .models import SCHEMA_V1, Analysis, Article, Verdict
from .settings import get_settings

logger = logging.getLogger(__name__)


def _create_articles_and_analyses(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            url TEXT,
            title TEXT,
            outlet TEXT,
            first_seen TEXT NOT NULL
        );
        CREATE TABLE analyses (
            id TEXT PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            engine TEXT NOT NULL,
            partial INTEGER NOT NULL,
            document TEXT NOT NULL
        );
        CREATE INDEX analyses_by_article ON analyses(article_id, created_at);
        """
    )


def _add_claims_and_evidence(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE claims (
            analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
            claim_id TEXT NOT NULL,
            text TEXT NOT NULL,
            verdict TEXT NOT NULL,
            verdict_confidence REAL NOT NULL,
            PRIMARY KEY (analysis_id, claim_id)
        );
        CREATE TABLE evidence (
            analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
            claim_id TEXT NOT NULL,
            source_type TEXT NOT NULL,
            title TEXT,
            url TEXT,
            outlet TEXT,
            snippet TEXT,
            stance TEXT NOT NULL,
            stance_confidence REAL NOT NULL
        );
        CREATE INDEX evidence_by_analysis ON evidence(analysis_id);
        ALTER TABLE analyses ADD COLUMN summary TEXT NOT NULL DEFAULT '{}';
        """
    )
    rows = db.execute("SELECT id, document FROM analyses").fetchall()
    for row in rows:
        analysis = read_document(json.loads(row[1]))
        _write_derived(db, analysis)


def _add_revision_counter(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
        INSERT INTO revision VALUES (1, (SELECT COUNT(*) FROM analyses));
        """
    )


def _upgrade_documents_to_analysis_v2(db: sqlite3.Connection) -> None:
    """crosscheck.analysis/1 documents become /2: techniques gain strength and found, recomputed from
    their stored passages and the article text (core.documents); the library summaries follow."""
    rows = db.execute("SELECT id, document FROM analyses").fetchall()
    for analysis_id, document in rows:
        data = json.loads(document)
        if data.get("schema") != SCHEMA_V1:
            continue
        analysis = read_document(data)
        db.execute("UPDATE analyses SET document = ?, summary = ? WHERE id = ?",
                   (json.dumps(analysis.to_dict()), json.dumps(_summary(analysis)), analysis_id))


# Ordered: migration N brings the schema from version N-1 to N. Append only.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _create_articles_and_analyses,
    _add_claims_and_evidence,
    _add_revision_counter,
    _upgrade_documents_to_analysis_v2,
)


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
    persuasion_percentile: float | None  # against ordinary news; None without a reference (or technique figures)
    claims: int
    history: int  # analyses of the same article, this one included


def article_key(article: Article) -> str:
    """Identity of an article across re-analyses: its normalised URL, else a hash of its text."""
    if article.url:
        parts = urlsplit(article.url.strip())
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/") or "/", parts.query, ""))
    return "sha256:" + hashlib.sha256(article.text.encode("utf-8")).hexdigest()


def _summary(analysis: Analysis) -> dict:
    top = analysis.top_technique()
    return {
        "verdicts": {str(k): v for k, v in analysis.verdict_counts().items()},
        "top_technique": top.label if top is not None else "",
        "techniques_found": len(analysis.found_techniques()),
        "persuasion_percentile": analysis.persuasion.percentile if analysis.persuasion is not None else None,
        "claims": len(analysis.claims),
        "published": analysis.article.published or "",
    }


def _write_derived(db: sqlite3.Connection, analysis: Analysis) -> None:
    db.execute("UPDATE analyses SET summary = ? WHERE id = ?", (json.dumps(_summary(analysis)), analysis.id))
    db.executemany(
        "INSERT INTO claims VALUES (?, ?, ?, ?, ?)",
        [(analysis.id, c.id, c.text, str(c.verdict), c.assessment.confidence) for c in analysis.claims],
    )
    db.executemany(
        "INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (analysis.id, c.id, str(e.source_type), e.title, e.url, e.outlet, e.snippet, str(e.stance), e.stance_confidence)
            for c in analysis.claims
            for e in c.evidence
        ],
    )


def _bump_revision(db: sqlite3.Connection) -> None:
    db.execute("UPDATE revision SET value = value + 1")


class Storage:
    """The analysis database. Safe to share between threads: each call opens its own connection."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                self._migrate(db)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"The database {self.path} cannot be opened: {exc}.") from None
        except OSError as exc:
            raise StorageError(f"The database folder {self.path.parent} cannot be created: {exc.strerror}.") from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA foreign_keys=ON")
            with db:  # one transaction: committed whole or rolled back
                yield db
        finally:
            db.close()

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StorageError(f"The database {self.path} was written by a newer Crosscheck (schema {version}).", hint="Upgrade Crosscheck.")
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            logger.info("migrating %s to schema version %d", self.path, number)
            migration(db)
            db.execute(f"PRAGMA user_version = {number}")

    def revision(self) -> int:
        """A number that changes whenever an analysis is saved or deleted, by any process."""
        with self._connect() as db:
            return db.execute("SELECT value FROM revision").fetchone()[0]

    @property
    def schema_version(self) -> int:
        with self._connect() as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    def save(self, analysis: Analysis) -> None:
        article = analysis.article
        key = article_key(article)
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO articles (key, url, title, outlet, first_seen) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET title = excluded.title, outlet = excluded.outlet",
                    (key, article.url, article.title, article.outlet, analysis.created_at),
                )
                article_id = db.execute("SELECT id FROM articles WHERE key = ?", (key,)).fetchone()[0]
                db.execute(
                    "INSERT INTO analyses (id, article_id, created_at, engine, partial, document) VALUES (?, ?, ?, ?, ?, ?)",
                    (analysis.id, article_id, analysis.created_at, analysis.engine.name, int(analysis.partial), json.dumps(analysis.to_dict())),
                )
                _write_derived(db, analysis)
                _bump_revision(db)
        except sqlite3.IntegrityError:
            raise StorageError(f"An analysis with id {analysis.id} is already stored.", hint="Import it under a new id.") from None
        except sqlite3.Error as exc:
            raise StorageError(f"Saving the analysis failed: {exc}.") from None

    def get(self, analysis_id: str) -> Analysis:
        with self._connect() as db:
            row = db.execute("SELECT document FROM analyses WHERE id = ?", (analysis_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No stored analysis has the id {analysis_id!r}.")
        return Analysis.from_dict(json.loads(row[0]))

    def get_many(self, analysis_ids: list[str]) -> list[Analysis]:
        return [self.get(i) for i in analysis_ids]

    def delete(self, analysis_id: str) -> None:
        with self._connect() as db:
            row = db.execute("SELECT article_id FROM analyses WHERE id = ?", (analysis_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"No stored analysis has the id {analysis_id!r}.")
            db.execute("DELETE FROM analyses WHERE id = ?", (analysis_id,))
            _bump_revision(db)
            db.execute("DELETE FROM articles WHERE id = ? AND NOT EXISTS (SELECT 1 FROM analyses WHERE article_id = ?)", (row[0], row[0]))

    def summaries(self, *, latest_only: bool = True, article_key: str | None = None) -> list[AnalysisSummary]:
        """Stored analyses, newest first; by default only the latest analysis of each article."""
        query = """
            SELECT a.id, ar.key, a.created_at, a.engine, a.partial, COALESCE(ar.title, ''), COALESCE(ar.outlet, ''),
                   COALESCE(ar.url, ''), a.summary,
                   (SELECT COUNT(*) FROM analyses h WHERE h.article_id = a.article_id) AS history
            FROM analyses a JOIN articles ar ON ar.id = a.article_id
        """
        conditions, params = [], []
        if latest_only:
            conditions.append("a.created_at = (SELECT MAX(created_at) FROM analyses l WHERE l.article_id = a.article_id)")
        if article_key is not None:
            conditions.append("ar.key = ?")
            params.append(article_key)
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY a.created_at DESC"
        with self._connect() as db:
            rows = db.execute(query, params).fetchall()
        result = []
        for row in rows:
            summary = json.loads(row[8])
            result.append(
                AnalysisSummary(
                    id=row[0], article_key=row[1], created_at=row[2], engine=row[3], partial=bool(row[4]),
                    title=row[5], outlet=row[6], url=row[7], published=summary.get("published", ""),
                    verdicts={v.value: summary.get("verdicts", {}).get(v.value, 0) for v in Verdict},
                    top_technique=summary.get("top_technique", ""), techniques_found=summary.get("techniques_found", 0),
                    persuasion_percentile=summary.get("persuasion_percentile"),
                    claims=summary.get("claims", 0), history=row[9],
                )
            )
        return result

    def latest_articles(self, *, exclude_key: str | None = None) -> list[tuple[str, Article]]:
        """(analysis id, article) of the latest analysis of every stored article, for cross-referencing."""
        with self._connect() as db:
            rows = db.execute(
                """
                SELECT a.id, a.document, ar.key FROM analyses a JOIN articles ar ON ar.id = a.article_id
                WHERE a.created_at = (SELECT MAX(created_at) FROM analyses l WHERE l.article_id = a.article_id)
                """
            ).fetchall()
        return [
            (row[0], Article.from_dict(json.loads(row[1])["article"]))
            for row in rows
            if row[2] != exclude_key
        ]

    def evidence_table(self) -> list[dict]:
        """Every piece of evidence of the latest analyses, joined with its claim and article."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                """
                SELECT a.id AS analysis_id, COALESCE(ar.title, '') AS article, COALESCE(ar.outlet, '') AS article_outlet,
                       c.claim_id, c.text AS claim, c.verdict, e.source_type, e.title, e.url, e.outlet, e.snippet,
                       e.stance, e.stance_confidence
                FROM evidence e
                JOIN claims c ON c.analysis_id = e.analysis_id AND c.claim_id = e.claim_id
                JOIN analyses a ON a.id = e.analysis_id
                JOIN articles ar ON ar.id = a.article_id
                WHERE a.created_at = (SELECT MAX(created_at) FROM analyses l WHERE l.article_id = a.article_id)
                ORDER BY a.created_at DESC
                """
            ).fetchall()
        return [dict(row) for row in rows]

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())


def open_storage(path: Path | None = None) -> Storage:
    """The database at ``path``, or the configured one (``CROSSCHECK_DB``)."""
    return Storage(path or get_settings().db_path)
