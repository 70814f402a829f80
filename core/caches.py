"""What Crosscheck keeps between analyses besides the database, and how to drop it (Settings page).

Two caches: fetched pages and search answers (``core.http``) and answers of
the claude engine (``core.engines.claude_store``), plus the claims' embeddings
kept in memory by the evidence sources. Clearing them never touches stored
analyses or the library's index, which are data, not caches.
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
    claim_embeddings: int  # claims whose embeddings the evidence sources keep in memory

    @property
    def empty(self) -> bool:
        return not (self.pages or self.engine_answers or self.claim_embeddings)


def cache_stats(settings: Settings) -> CacheStats:
    pages = http.cache_stats(settings)
    return CacheStats(pages=pages["responses"], page_bytes=pages["bytes"],
                      engine_answers=claude_store.cached_answers(settings),
                      claim_embeddings=ranking.claim_embedding.cache_info().currsize)


def clear_caches(settings: Settings) -> CacheStats:
    """Drop every cache; returns what was dropped (the file size is the size before)."""
    before = cache_stats(settings)
    http.clear_cache(settings)
    claude_store.clear_response_cache(settings)
    ranking.claim_embedding.cache_clear()
    return before
