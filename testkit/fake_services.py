"""Local stand-ins for the services the evidence sources call, for tests and benchmarks.

Each fake is a ``ThreadingHTTPServer`` on a loopback address (port 0) that
speaks the real service's JSON format, counts hits per path, can add latency
to every request, sends ETags (and answers 304 to If-None-Match), and can be told to fail (any status, e.g. 429 with
Retry-After) for the next N requests or until healed.

* :class:`FakeWikipedia`: the MediaWiki Action API (``list=search`` and
  ``prop=extracts|info``, ``formatversion=2``), per language, at
  ``{base}/{lang}/w/api.php`` (point ``CROSSCHECK_WIKIPEDIA_API_URL`` at
  :attr:`FakeWikipedia.api_url`).
* :class:`FakeSearxng`: SearXNG's ``/search?format=json``.
* :class:`FakeBrave`: the Brave Search web API, checking the subscription token.
* :class:`FakeSite`: article pages (HTML with og:site_name), one outlet per site.

Use them as context managers, or through the pytest fixtures at the end
(import them into a test module: ``from testkit.fake_services import fake_wikipedia``).
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest

from core.settings import get_settings
from testkit.local_server import LoopbackServer, Reply, article_html, send_reply

_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


def json_reply(data: object, status: int = 200) -> Reply:
    return Reply(status, json.dumps(data), "application/json")


class FakeService(LoopbackServer):
    """A scripted loopback HTTP service. Subclasses implement :meth:`handle`."""

    def __init__(self, host: str = "127.0.0.1", *, latency: float = 0.0, etags: bool = True) -> None:
        self.latency = latency
        self.etags = etags
        self.hits: Counter[str] = Counter()
        self.log: list[Request] = []
        self._lock = threading.Lock()
        self._failure: Reply | None = None
        self._failures_left: int | None = None
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                parts = urlsplit(self.path)
                request = Request(unquote(parts.path), {k: v[-1] for k, v in parse_qs(parts.query).items()},
                                  {k.lower(): v for k, v in self.headers.items()})
                reply = service._serve(request)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                send_reply(self, reply.status, body, reply.content_type, reply.headers)

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(Handler, host)

    # -- control -------------------------------------------------------------
    def fail(self, status: int = 500, *, times: int | None = None, retry_after: float | None = None,
             body: str = "failure injected by the test") -> None:
        """Answer ``status`` to the next ``times`` requests (all of them while ``times`` is None)."""
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        with self._lock:
            self._failure = Reply(status, body, "text/plain", headers)
            self._failures_left = times

    def heal(self) -> None:
        with self._lock:
            self._failure = None
            self._failures_left = None

    @property
    def requests(self) -> int:
        """Requests received so far, on every path."""
        return sum(self.hits.values())

    def reset_counts(self) -> None:
        with self._lock:
            self.hits.clear()
            self.log.clear()

    # -- serving ---------------------------------------------------------------
    def _serve(self, request: Request) -> Reply:
        with self._lock:
            self.hits[request.path] += 1
            self.log.append(request)
            failure = self._failure
            if failure is not None and self._failures_left is not None:
                self._failures_left -= 1
                if self._failures_left <= 0:
                    self._failure, self._failures_left = None, None
        if self.latency:
            time.sleep(self.latency)
        if failure is not None:
            return failure
        reply = self.handle(request)
        if reply.status == 200 and self.etags:
            # Validators let a client revalidate (``refresh``) instead of downloading again.
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if request.headers.get("if-none-match") == etag:
                return Reply(304, b"", reply.content_type, {"ETag": etag})
            reply = Reply(reply.status, reply.body, reply.content_type, {**reply.headers, "ETag": etag})
        return reply

    def handle(self, request: Request) -> Reply:
        return Reply(404, "not found", "text/plain")


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


class _ResultIndex:
    """Search results matched to queries by shared words, most shared first."""

    def __init__(self) -> None:
        self.results: list[dict[str, str]] = []

    def add(self, url: str, title: str, snippet: str) -> None:
        self.results.append({"url": url, "title": title, "snippet": snippet})

    def search(self, query: str, count: int) -> list[dict[str, str]]:
        wanted = {w for w in words(query) if len(w) > 3}
        scored = [(-len(wanted & words(r["title"] + " " + r["snippet"])), i, r) for i, r in enumerate(self.results)]
        return [r for score, _i, r in sorted(scored) if score < 0][:count]


class FakeSearxng(FakeService):
    """SearXNG's JSON API (``/search?q=...&format=json``); other formats get 403 as on a default instance."""

    def __init__(self, host: str = "127.0.0.1", *, latency: float = 0.0) -> None:
        super().__init__(host, latency=latency)
        self.index = _ResultIndex()

    def add_result(self, url: str, title: str, snippet: str = "") -> None:
        self.index.add(url, title, snippet)

    def queries(self) -> list[str]:
        return [r.query["q"] for r in self.log if r.path == "/search" and "q" in r.query]

    def handle(self, request: Request) -> Reply:
        if request.path != "/search":
            return Reply(404, "not found", "text/plain")
        if request.query.get("format") != "json":
            return Reply(403, "Forbidden", "text/html")
        hits = self.index.search(request.query.get("q", ""), 10)
        results = [{"url": h["url"], "title": h["title"], "content": h["snippet"], "engine": "fake", "score": 1.0}
                   for h in hits]
        return json_reply({"query": request.query.get("q", ""), "number_of_results": len(results), "results": results})


class FakeBrave(FakeService):
    """Brave Search's web API (``/res/v1/web/search``), which needs ``X-Subscription-Token``."""

    def __init__(self, api_key: str = "brave-test-key", host: str = "127.0.0.1", *, latency: float = 0.0) -> None:
        super().__init__(host, latency=latency)
        self.api_key = api_key
        self.index = _ResultIndex()

    @property
    def api_url(self) -> str:
        return self.base_url + "/res/v1/web/search"

    def add_result(self, url: str, title: str, snippet: str = "") -> None:
        self.index.add(url, title, snippet)

    def handle(self, request: Request) -> Reply:
        if request.path != "/res/v1/web/search":
            return Reply(404, "not found", "text/plain")
        if request.headers.get("x-subscription-token") != self.api_key:
            return json_reply({"type": "ErrorResponse", "error": {"code": "SUBSCRIPTION_TOKEN_INVALID", "status": 401}}, 401)
        hits = self.index.search(request.query.get("q", ""), int(request.query.get("count", 20)))
        results = [{"title": h["title"], "url": h["url"], "description": h["snippet"]} for h in hits]
        return json_reply({"type": "search", "query": {"original": request.query.get("q", "")}, "web": {"type": "search", "results": results}})


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
                 searxng: FakeSearxng | None = None, brave: FakeBrave | None = None) -> None:
    """Point the settings at the given fakes (and only them) and forget cached settings."""
    monkeypatch.setenv("CROSSCHECK_ALLOW_PRIVATE_URLS", "true")
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


@pytest.fixture
def fake_searxng() -> Iterator[FakeSearxng]:
    with FakeSearxng() as service:
        yield service


@pytest.fixture
def fake_brave() -> Iterator[FakeBrave]:
    with FakeBrave() as service:
        yield service


@pytest.fixture
def fake_site() -> Iterator[FakeSite]:
    with FakeSite() as service:
        yield service
