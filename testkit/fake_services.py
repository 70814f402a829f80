"""Local stand-ins for the services the evidence sources call, for tests and benchmarks.

Each fake is a loopback HTTP server that speaks the real service's format, counts hits
per path, can add latency, sends ETags and can be told to fail (testkit/fake_http.py).
The web search fakes live in testkit/fake_search.py.

* :class:`FakeWikipedia`: the MediaWiki Action API (``list=search`` and
  ``prop=extracts|info``, ``formatversion=2``), per language, at
  ``{base}/{lang}/w/api.php`` (point ``CROSSCHECK_WIKIPEDIA_API_URL`` at
  :attr:`FakeWikipedia.api_url`).
* :class:`~testkit.fake_search.FakeSearxng`: SearXNG's ``/search?format=json``.
* :class:`~testkit.fake_search.FakeBrave`: the Brave Search web API, checking the subscription token.
* :class:`~testkit.fake_search.FakeDdgs`: the search engines behind ``ddgs`` (DuckDuckGo HTML, Mojeek, Brave Search pages).
* :class:`FakeFactCheck`: Google Fact Check Tools ``claims:search``.
* :class:`FakeGdelt`: the GDELT DOC 2.0 API's article list, with its one-request-per-interval rule.
* :class:`FakeSite`: article pages (HTML with og:site_name), one outlet per site.

Use them as context managers (several at once: :func:`running`), or through the pytest fixtures at the end
(import them into a test module: ``from testkit.fake_services import fake_wikipedia``).
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import quote

import pytest

from core.settings import get_settings
from testkit.fake_http import FakeService, Request, json_reply, words
from testkit.fake_search import FakeBrave, FakeDdgs, FakeSearxng
from testkit.local_server import Reply, article_html


class FakeWikipedia(FakeService):
    """MediaWiki Action API: search requires every query word, like CirrusSearch does."""

    def __init__(self, host: str = "127.0.0.1", *, latency: float = 0.0) -> None:
        super().__init__(host, latency=latency)
        self.pages: dict[str, dict[str, str]] = {}

    @property
    def api_url(self) -> str:
        return self.base_url + "/{lang}/w/api.php"

    def add_page(self, title: str, text: str, *, lang: str = "en") -> None:
        self.pages.setdefault(lang, {})[title] = text

    def searches(self, lang: str | None = None) -> list[str]:
        """The ``srsearch`` queries received (for one language edition, or all)."""
        return [r.query["srsearch"] for r in self.log if "srsearch" in r.query and (lang is None or r.path == f"/{lang}/w/api.php")]

    def handle(self, request: Request) -> Reply:
        match = re.fullmatch(r"/([a-z-]+)/w/api\.php", request.path)
        if not match or request.query.get("format") != "json":
            return Reply(404, "not found", "text/plain")
        lang, q = match.group(1), request.query
        pages = self.pages.get(lang, {})
        if q.get("action") != "query":
            return json_reply({"error": {"code": "badvalue", "info": "Unrecognized value for parameter \"action\"."}})
        if q.get("list") == "search":
            wanted = words(q.get("srsearch", ""))
            scored = []
            for title, text in pages.items():
                have = words(title + " " + text)
                if wanted and wanted <= have:
                    scored.append((-sum(text.lower().count(w) for w in wanted), title))
            hits = [{"ns": 0, "title": t, "pageid": 1000 + i} for i, (_s, t) in enumerate(sorted(scored))]
            return json_reply({"batchcomplete": True, "query": {"searchinfo": {"totalhits": len(hits)},
                                                                "search": hits[: int(q.get("srlimit", 10))]}})
        if "extracts" in q.get("prop", ""):
            result = []
            for title in q.get("titles", "").split("|"):
                if title in pages:
                    result.append({"pageid": 1000, "ns": 0, "title": title, "extract": pages[title],
                                   "fullurl": f"{self.base_url}/{lang}/wiki/{quote(title.replace(' ', '_'))}"})
                else:
                    result.append({"ns": 0, "title": title, "missing": True})
            return json_reply({"batchcomplete": True, "query": {"pages": result}})
        return json_reply({"batchcomplete": True, "query": {}})


class FakeFactCheck(FakeService):
    """Google Fact Check Tools ``GET /v1alpha1/claims:search``, which wants the key (header X-Goog-Api-Key or ?key=).

    The answer is shaped as documented: ``{"claims": [{"text", "claimant", "claimDate", "claimReview":
    [{"publisher": {"name", "site"}, "url", "title", "reviewDate", "textualRating", "languageCode"}]}],
    "nextPageToken"}``, and ``{}`` when nothing matches. A claim matches a query sharing a word of four letters or more.
    """

    def __init__(self, api_key: str = "factcheck-test-key", host: str = "127.0.0.1", *, latency: float = 0.0) -> None:
        super().__init__(host, latency=latency)
        self.api_key = api_key
        self.claims: list[dict] = []

    @property
    def api_url(self) -> str:
        return self.base_url + "/v1alpha1/claims:search"

    def add_review(self, claim: str, *, publisher: str, site: str, url: str, rating: str, title: str = "",
                   claimant: str = "", claim_date: str = "2024-03-01T00:00:00Z", review_date: str = "2024-03-04T00:00:00Z",
                   language: str = "en") -> None:
        review = {"publisher": {"name": publisher, "site": site}, "url": url, "title": title or f"Fact check: {claim}",
                  "reviewDate": review_date, "textualRating": rating, "languageCode": language}
        existing = next((c for c in self.claims if c["text"] == claim), None)
        if existing is not None:
            existing["claimReview"].append(review)
        else:
            self.claims.append({"text": claim, "claimant": claimant, "claimDate": claim_date, "claimReview": [review]})

    def handle(self, request: Request) -> Reply:
        if request.path != "/v1alpha1/claims:search":
            return Reply(404, "not found", "text/plain")
        if request.headers.get("x-goog-api-key", request.query.get("key")) != self.api_key:
            return json_reply({"error": {"code": 403, "message": "The request is missing a valid API key.",
                                         "status": "PERMISSION_DENIED"}}, 403)
        wanted = {w for w in words(request.query.get("query", "")) if len(w) > 3}
        language = request.query.get("languageCode")
        found = [c for c in self.claims if wanted & words(c["text"])
                 and (not language or any(r["languageCode"] == language for r in c["claimReview"]))]
        size = int(request.query.get("pageSize", 10))
        start = int(request.query.get("pageToken") or 0)
        page = found[start:start + size]
        if not page:
            return json_reply({})
        answer: dict = {"claims": page}
        if start + size < len(found):
            answer["nextPageToken"] = str(start + size)
        return json_reply(answer)


class FakeGdelt(FakeService):
    """GDELT DOC 2.0 ``/api/v2/doc/doc?query=…&mode=artlist&format=json``: ``{"articles": [{"url", "url_mobile",
    "title", "seendate", "socialimage", "domain", "language", "sourcecountry"}]}``.

    Like GDELT it wants at most one request per ``min_interval`` seconds and answers a plain-text
    429 to a faster client (``too_fast`` counts them); a query of only short words gets GDELT's
    plain-text complaint with status 200.
    """

    def __init__(self, host: str = "127.0.0.1", *, latency: float = 0.0, min_interval: float = 0.2) -> None:
        super().__init__(host, latency=latency, etags=False)
        self.min_interval = min_interval
        self.articles: list[dict[str, str]] = []
        self.too_fast = 0
        self._last: float | None = None

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/v2/doc/doc"

    def add_article(self, url: str, title: str, *, domain: str, language: str = "English", country: str = "United States",
                    seendate: str = "20240305T101500Z") -> None:
        self.articles.append({"url": url, "url_mobile": "", "title": title, "seendate": seendate, "socialimage": "",
                              "domain": domain, "language": language, "sourcecountry": country})

    def queries(self) -> list[str]:
        return [r.query.get("query", "") for r in self.log if r.path == "/api/v2/doc/doc"]

    def handle(self, request: Request) -> Reply:
        if request.path != "/api/v2/doc/doc":
            return Reply(404, "not found", "text/plain")
        now = time.monotonic()
        with self._lock:
            early = self._last is not None and now - self._last < self.min_interval
            self._last = now
            if early:
                self.too_fast += 1
        if early:
            return Reply(429, "Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com for larger queries.",
                         "text/plain")
        query = request.query.get("query", "")
        wanted = {w for w in words(query.replace('"', " ")) if len(w) > 3}
        if not wanted:
            return Reply(200, "The specified phrase is too short.", "text/html; charset=utf-8")
        if request.query.get("mode", "").lower() != "artlist" or request.query.get("format", "").lower() != "json":
            return Reply(200, "<html>unsupported mode for this fake</html>", "text/html")
        scored = sorted(((-len(wanted & words(a["title"])), i, a) for i, a in enumerate(self.articles)), key=lambda t: t[:2])
        found = [a for score, _i, a in scored if score <= -min(2, len(wanted))]
        found = found[: int(request.query.get("maxrecords", 75))]
        return json_reply({"articles": found} if found else {})


class FakeSite(FakeService):
    """An outlet's web site serving article pages."""

    def __init__(self, outlet: str = "Test Gazette", host: str = "127.0.0.1", *, latency: float = 0.0) -> None:
        super().__init__(host, latency=latency)
        self.outlet = outlet
        self.pages: dict[str, Reply] = {}

    def add_article(self, path: str, title: str, paragraphs: list[str], *, lang: str = "en") -> str:
        """Serve an article page at ``path``; returns its URL."""
        self.pages[path] = Reply(200, article_html(title, paragraphs, outlet=self.outlet, lang=lang), "text/html; charset=utf-8")
        return self.url(path)

    def handle(self, request: Request) -> Reply:
        return self.pages.get(request.path, Reply(404, "not found", "text/plain"))


def use_services(monkeypatch: pytest.MonkeyPatch, *, wikipedia: FakeWikipedia | None = None,
                 searxng: FakeSearxng | None = None, brave: FakeBrave | None = None, ddgs: FakeDdgs | None = None,
                 factcheck: FakeFactCheck | None = None, gdelt: FakeGdelt | None = None) -> None:
    """Point the settings at the given fakes (and only them) and forget cached settings."""
    monkeypatch.setenv("CROSSCHECK_ALLOW_PRIVATE_URLS", "true")
    if ddgs is not None:
        monkeypatch.setenv("CROSSCHECK_DDGS_GATEWAY_URL", ddgs.base_url)
        monkeypatch.setenv("CROSSCHECK_DDGS_BACKENDS", "duckduckgo,mojeek,brave")
    if factcheck is not None:
        monkeypatch.setenv("CROSSCHECK_FACTCHECK_API_URL", factcheck.api_url)
        monkeypatch.setenv("GOOGLE_FACTCHECK_API_KEY", factcheck.api_key)
    if gdelt is not None:
        monkeypatch.setenv("CROSSCHECK_GDELT_API_URL", gdelt.api_url)
        monkeypatch.setenv("CROSSCHECK_GDELT_MIN_INTERVAL", "0.2")
    if wikipedia is not None:
        monkeypatch.setenv("CROSSCHECK_WIKIPEDIA_API_URL", wikipedia.api_url)
    if searxng is not None:
        monkeypatch.setenv("CROSSCHECK_SEARXNG_URL", searxng.base_url)
    if brave is not None:
        monkeypatch.setenv("CROSSCHECK_BRAVE_API_URL", brave.api_url)
        monkeypatch.setenv("BRAVE_API_KEY", brave.api_key)
    get_settings.cache_clear()


@contextmanager
def running(*services: FakeService) -> Iterator[tuple[FakeService, ...]]:
    """Start several fakes for the duration of a ``with`` block."""
    with ExitStack() as stack:
        yield tuple(stack.enter_context(s) for s in services)


@pytest.fixture
def fake_wikipedia() -> Iterator[FakeWikipedia]:
    with FakeWikipedia() as service:
        yield service
