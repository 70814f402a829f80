"""Evidence sources, found by name: library, wikipedia and web."""
from __future__ import annotations

# Registration order is the order the pages list them in.
from . import library  # noqa: F401,I001
from . import wikipedia  # noqa: F401
from . import web  # noqa: F401
from .base import SOURCES, Passage, Source, SourceContext, all_source_status, source_status
from .web import PROVIDERS, SearchProvider, SearchResult

__all__ = [
    "PROVIDERS", "SOURCES", "Passage", "SearchProvider", "SearchResult", "Source", "SourceContext",
    "all_source_status", "source_status",
]
