"""Storage of analyses, jobs and feeds: SQLAlchemy on SQLite (default) or PostgreSQL, migrated with Alembic."""
from .analyses import Storage, open_storage, text_hash
from .database import Database, database_url, describe
from .evidence_queries import EvidenceCounts, EvidenceQuery
from .library_index import IndexedSentence, LibraryHit
from .page_queries import AnalysisSummary, LibraryQuery, Page

__all__ = [
    "AnalysisSummary", "Database", "EvidenceCounts", "EvidenceQuery", "IndexedSentence", "LibraryHit", "LibraryQuery",
    "Page", "Storage", "database_url", "describe", "open_storage",
    "text_hash",
]
