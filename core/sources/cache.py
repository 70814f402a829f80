"""What the evidence sources keep between analyses, and how to drop it (Settings page)."""
from __future__ import annotations

from .. import http
from ..settings import Settings
from . import ranking


def cache_stats(settings: Settings) -> dict[str, int]:
    """Cached HTTP responses and their file size, and stored articles whose sentence embeddings are in memory."""
    return {**http.cache_stats(settings), "embedded_articles": ranking.embedded_documents()}


def clear_cache(settings: Settings) -> int:
    """Drop cached responses and embeddings; returns how many responses were dropped.

    The next analysis of any article asks every source again.
    """
    ranking.clear_embedding_cache()
    return http.clear_cache(settings)
