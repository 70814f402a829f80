"""Local stand-ins for the web search services: SearXNG, the Brave Search API, and the engines behind ddgs.

Each matches its results to a query by shared words (``add_result`` adds one) and
answers in the real service's format; see testkit/fake_http.py for what every fake does.
"""
from __future__ import annotations

import html

from testkit.fake_http import FakeService, Request, json_reply, words
from testkit.local_server import Reply


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


class FakeDdgs(FakeService):
    """The search engines behind the ``ddgs`` package, at ``{base}/{host}{path}`` (``CROSSCHECK_DDGS_GATEWAY_URL``).

    Each serves a result page in the markup its ddgs engine reads (ddgs 9.16.1's XPaths): DuckDuckGo's
    HTML endpoint (a POSTed form), Mojeek and Brave Search (GET). ``throttle(backend, status, times)``
    makes one engine answer 202 (DuckDuckGo's throttling page) or 429 for its next requests.
    """

    PATHS = {"duckduckgo": "/html.duckduckgo.com/html/", "mojeek": "/www.mojeek.com/search",
             "brave": "/search.brave.com/search"}

    def __init__(self, host: str = "127.0.0.1", *, latency: float = 0.0) -> None:
        super().__init__(host, latency=latency)
        self.index = _ResultIndex()
        self._throttled: dict[str, tuple[Reply, int | None]] = {}

    def add_result(self, url: str, title: str, snippet: str = "") -> None:
        self.index.add(url, title, snippet)

    def throttle(self, backend: str, status: int = 202, *, times: int | None = None, retry_after: float | None = None) -> None:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        body = "<html><body><div class='anomaly-modal'>Unfortunately, bots use DuckDuckGo too.</div></body></html>"
        with self._lock:
            self._throttled[self.PATHS[backend]] = (Reply(status, body, "text/html; charset=utf-8", headers), times)

    def heal(self) -> None:
        """Answer normally again: no injected failure, no throttled engine."""
        super().heal()
        with self._lock:
            self._throttled.clear()

    def hits_of(self, backend: str) -> int:
        return self.hits[self.PATHS[backend]]

    def handle(self, request: Request) -> Reply:
        with self._lock:
            throttled = self._throttled.get(request.path)
            if throttled is not None:
                reply, times = throttled
                if times is not None:
                    if times <= 1:
                        del self._throttled[request.path]
                    else:
                        self._throttled[request.path] = (reply, times - 1)
                return reply
        hits = self.index.search(request.query.get("q", ""), 10)
        rows = "".join(self._row(request.path, h) for h in hits)
        if request.path == self.PATHS["duckduckgo"] and request.method == "POST":
            page = f"<div id='links' class='results'>{rows}</div>"
        elif request.path == self.PATHS["mojeek"]:
            page = f"<ul class='results-standard'>{rows}</ul>"
        elif request.path == self.PATHS["brave"]:
            page = f"<div id='results'>{rows}</div>"
        else:
            return Reply(404, "not found", "text/plain")
        return Reply(200, f"<!doctype html><html><head><title>results</title></head><body>{page}</body></html>",
                     "text/html; charset=utf-8")

    def _row(self, path: str, hit: dict[str, str]) -> str:
        url, title, snippet = (html.escape(hit[k], quote=True) for k in ("url", "title", "snippet"))
        if path == self.PATHS["duckduckgo"]:
            return (f"<div class='result results_links results_links_deep web-result'><div class='links_main links_deep "
                    f"result__body'><h2 class='result__title'><a class='result__a' href='{url}'>{title}</a></h2>"
                    f"<a class='result__snippet' href='{url}'>{snippet}</a></div></div>")
        if path == self.PATHS["mojeek"]:
            return f"<li><h2><a class='title' href='{url}'>{title}</a></h2><p class='s'>{snippet}</p></li>"
        return (f"<div class='snippet' data-type='web'><a href='{url}'><div class='title search-snippet-title'>{title}</div></a>"
                f"<div class='snippet-content'><div class='snippet-description content'>{snippet}</div></div></div>")
