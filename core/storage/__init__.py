"""Storage of analyses, jobs and feeds: SQLAlchemy on SQLite (default) or PostgreSQL, migrated with Alembic."""
from .analyses import Storage, article_key, evidence_domain, open_storage, text_hash
from .database import Database, database_url, describe
from .library_index import IndexedSentence, LibraryHit
from .page_queries import AnalysisSummary, EvidenceCounts, EvidenceQuery, LibraryQuery, Page

__all__ = [
    "AnalysisSummary", "Database", "EvidenceCounts", "EvidenceQuery", "IndexedSentence", "LibraryHit", "LibraryQuery",
    "Page", "Storage", "article_key", "database_url", "describe", "evidence_domain", "open_storage",
    "text_hash",
]
