"""What Crosscheck keeps between analyses besides the database, and how to drop it (Settings page).

Three caches: fetched pages and search answers (``core.http``), answers of the
claude engine (``core.engines.claude_store``), and the sentence embeddings of
stored articles that the library source keeps in memory. Clearing them never
touches stored analyses.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import http
from .engines import claude_store
from .settings import Settings
from .sources import ranking


@dataclass(frozen=True)
class CacheStats:
    pages: int  # cached HTTP responses (article pages, Wikipedia, search answers)
    page_bytes: int  # size of the HTTP cache file
    engine_answers: int  # cached answers of the claude engine
    embedded_articles: int  # stored articles whose sentence embeddings are in memory

    @property
    def empty(self) -> bool:
        return not (self.pages or self.engine_answers or self.embedded_articles)


def cache_stats(settings: Settings) -> CacheStats:
    pages = http.cache_stats(settings)
    return CacheStats(pages=pages["responses"], page_bytes=pages["bytes"],
                      engine_answers=claude_store.cached_answers(settings), embedded_articles=ranking.embedded_documents())


def clear_caches(settings: Settings) -> CacheStats:
    """Drop every cache; returns what was dropped (the file size is the size before)."""
    before = cache_stats(settings)
    http.clear_cache(settings)
    claude_store.clear_response_cache(settings)
    ranking.clear_embedding_cache()
    return before
