"""Evidence sources, found by name: library, wikipedia, web, factcheck and claude_web."""
from __future__ import annotations

# Registration order is the order the pages list them in.
from . import library  # noqa: F401,I001
from . import wikipedia  # noqa: F401
from . import web  # noqa: F401
from . import ddgs_search  # noqa: F401  (registers the ddgs web-search provider)
from . import factcheck  # noqa: F401
from . import claude_web  # noqa: F401
from .base import (
    AUTO, SOURCES, Passage, Source, SourceContext, all_source_status, default_sources, source_status,
)
from .web import PROVIDERS, SearchProvider, SearchResult

__all__ = [
    "AUTO", "PROVIDERS", "SOURCES", "Passage", "SearchProvider", "SearchResult", "Source", "SourceContext",
    "all_source_status", "default_sources", "source_status",
]
