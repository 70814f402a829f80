"""Web search: a search provider finds pages, which are fetched, extracted and searched for passages."""
from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import requests
import trafilatura

from .. import http
from ..errors import CrosscheckError, ExtractionError, HTTPStatusError, SourceError
from ..identity import is_own_page, site
from ..records import SourceType
from ..registry import Needs, Registry, readiness
from ..settings import Settings
from .base import SOURCES, Passage, Source, SourceContext
from .ranking import Document, PassageIndex

logger = logging.getLogger(__name__)

# Passages kept per claim (one per page, so each may be a different outlet).
MAX_PASSAGES = 3
# Longest query sent to a search engine; claims are single sentences, rarely longer.
MAX_QUERY_CHARS = 300
_JSON = ("application/json",)

Fetch = Callable[..., requests.Response]


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    snippet: str


class SearchProvider(ABC):
    """A web-search API. Subclasses register with ``@PROVIDERS.register``."""

    name: ClassVar[str]
    description: ClassVar[str]
    needs: ClassVar[Needs]

    def __init__(self, settings: Settings, fetch: Fetch) -> None:
        self.settings = settings
        self.fetch = fetch

    @abstractmethod
    def search(self, query: str, *, language: str | None, count: int) -> list[SearchResult]:
        """The best ``count`` results for ``query``, best first."""


PROVIDERS: Registry[SearchProvider] = Registry("web-search provider")


def ready_providers(settings: Settings) -> list[type[SearchProvider]]:
    return [PROVIDERS.get(n) for n in PROVIDERS.names() if PROVIDERS.get(n).needs.status(settings)[0]]


@PROVIDERS.register
class SearxngProvider(SearchProvider):
    name = "searxng"
    description = "A SearXNG instance (self-hosted metasearch, no key), through its JSON API."
    needs = Needs(settings=("searxng_url",), network=True)

    def search(self, query: str, *, language: str | None, count: int) -> list[SearchResult]:
        base = (self.settings.searxng_url or "").rstrip("/")
        params = {"q": query, "format": "json"}
        if language:
            params["language"] = language
        try:
            response = self.fetch(f"{base}/search", accept=_JSON, params=params)
        except HTTPStatusError as exc:
            if exc.status == 403:
                raise SourceError("SearXNG refused the JSON API (HTTP 403).",
                                  hint="Enable the json format under search.formats in the instance's settings.yml.") from None
            raise
        results = _json(response, "SearXNG").get("results", [])
        return [SearchResult(r.get("title") or "", r["url"], r.get("content") or "") for r in results if r.get("url")][:count]


@PROVIDERS.register
class BraveProvider(SearchProvider):
    name = "brave"
    description = "Brave Search API (needs BRAVE_API_KEY)."
    needs = Needs(settings=("brave_api_key",), network=True)

    def search(self, query: str, *, language: str | None, count: int) -> list[SearchResult]:
        key = self.settings.brave_api_key.get_secret_value() if self.settings.brave_api_key else ""
        # No search_lang: Brave accepts only its own list of codes (e.g. "jp", not "ja") and
        # answers 422 to others; it detects the query's language itself.
        params: dict[str, str | int] = {"q": query, "count": count}
        # The token travels as a header, which core.http keeps out of the cache and its keys.
        response = self.fetch(self.settings.brave_api_url, accept=_JSON, params=params,
                              headers={"X-Subscription-Token": key, "Accept": "application/json"})
        results = _json(response, "Brave Search").get("web", {}).get("results", [])
        return [SearchResult(r.get("title") or "", r["url"], r.get("description") or "") for r in results if r.get("url")][:count]


def _json(response: requests.Response, service: str) -> dict:
    try:
        data = response.json()
    except ValueError:
        raise SourceError(f"{service} answered with something that is not JSON.") from None
    if not isinstance(data, dict):
        raise SourceError(f"{service} answered with unexpected JSON.")
    return data


_first_extraction = threading.Lock()
_extractor_ready = threading.Event()


def _extract(content: bytes, url: str) -> trafilatura.settings.Document | None:
    def run() -> trafilatura.settings.Document | None:
        return trafilatura.bare_extraction(content, url=url, with_metadata=True, include_comments=False,
                                           include_tables=False, favor_precision=True, fast=True)

    if _extractor_ready.is_set():
        return run()
    # trafilatura's helpers load data lazily without a lock (tld's suffix list): the first
    # extraction runs alone, so that it is loaded once rather than once per thread.
    with _first_extraction:
        try:
            return run()
        finally:
            _extractor_ready.set()


@SOURCES.register
class WebSource(Source):
    name = "web"
    source_type = SourceType.WEB
    description = "Web search (ddgs with no key, SearXNG, Brave Search); the top results are fetched and read."
    needs = Needs(network=True)

    def __init__(self, context: SourceContext) -> None:
        super().__init__(context)
        self.providers = [cls(self.settings, self.fetch) for cls in ready_providers(self.settings)]

    @classmethod
    def status(cls, settings: Settings, engine: str | None = None) -> tuple[bool, str]:
        """Ready when any one provider is; the detail names the ready ones."""
        ready, reason = readiness([PROVIDERS.get(n).needs for n in PROVIDERS.names()], settings)
        if ready:
            return True, f"{reason} ({', '.join(p.name for p in ready_providers(settings))})"
        return False, reason

    def results(self, query: str) -> list[SearchResult]:
        """Results of every configured provider, merged in turn and without duplicates or the article's own outlet."""
        article = self.context.article
        count = self.settings.web_results
        lists: list[list[SearchResult]] = []
        errors: list[CrosscheckError] = []
        for provider in self.providers:
            try:
                lists.append(provider.search(query[:MAX_QUERY_CHARS], language=self.context.article.language, count=count + 1))
            except CrosscheckError as exc:
                errors.append(exc)
        if errors and not lists:
            raise errors[0]
        merged: dict[str, SearchResult] = {}
        for rank in range(max((len(r) for r in lists), default=0)):
            for results in lists:
                if rank < len(results) and results[rank].url not in merged and not is_own_page(results[rank].url, article):
                    merged[results[rank].url] = results[rank]
        return list(merged.values())[:count]

    def page(self, result: SearchResult) -> Document:
        response = self.fetch(result.url, accept=http.HTML_TYPES + http.TEXT_TYPES)
        title, outlet, published = result.title, None, None
        if response.headers.get("Content-Type", "").startswith("text/plain"):
            text = response.text
        else:
            # trafilatura directly, not extract.load_html: a result page needs no language
            # detection, and the fast mode (no fallback extractors) is enough for passages.
            document = _extract(response.content, response.url)
            text = (document.text or "") if document is not None else ""
            if document is not None:
                title, outlet, published = document.title or title, document.sitename, document.date
        if len(text.strip()) < self.settings.min_article_chars:
            raise ExtractionError(f"{result.url} has no article text that could be extracted.")
        return Document(title=title, url=result.url, outlet=outlet or site(result.url), text=text, published=published)

    def find(self, query: str) -> list[Passage]:
        results = self.results(query)
        pages = self.map(self.page, results)
        documents: list[Document] = []
        for result, page in zip(results, pages):
            if isinstance(page, Document):
                documents.append(page)
            else:
                # The search engine's own snippet still says what the page claims.
                logger.info("web page %s not read (%s); using its search snippet", result.url, page.message)
                documents.append(Document(title=result.title, url=result.url, outlet=site(result.url), text=result.snippet))
        index = PassageIndex(documents, language=self.context.article.language)
        return index.search(query, source_type=self.source_type, limit=MAX_PASSAGES, per_document=1)
