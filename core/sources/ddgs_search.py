"""Keyless web search: the ``ddgs`` metasearch package, its requests sent by the project's own HTTP client.

ddgs (MIT, https://github.com/deedy5/ddgs, pinned in requirements.txt)
knows how to ask several search engines (DuckDuckGo's HTML page, Mojeek,
Brave Search, …) and read their result pages. It is unofficial: it reads pages
made for browsers, and the engines rate-limit automated readers.

Its HTTP boundary is one object: every engine sends every request through
``engine.http_client.request(method, url, params=…, data=…)`` and reads
``status_code`` and ``text`` from the answer (ddgs/base.py,
ddgs/http_client.py, where a primp client impersonates browsers). This
provider hands each engine a stand-in for that object which sends the request
through :mod:`core.http` instead, via the source's ``fetch``: the address
policy, timeouts, size cap, per-host limits, the project's own User-Agent (no
browser impersonation) and the cache, so a re-run asks no engine again.
ddgs's own ``DDGS`` front door is not used: it picks engines in random order
and in parallel, which would defeat the cache and multiply requests.

Rate limits: the back-ends are asked in ``CROSSCHECK_DDGS_BACKENDS`` order
until one has results; one that answers 429 (or 202, DuckDuckGo's sign of
throttling, which ddgs up to version 8 raised as ``RatelimitException``) is
left alone for its Retry-After or an exponential back-off (2 s doubling to
5 min) shared by every analysis of the process, and at most
``CROSSCHECK_DDGS_MAX_QUERIES`` searches are made per analysis.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .. import http
from ..errors import CrosscheckError, RateLimitedError, SourceError, SourceUnavailableError
from ..registry import Needs
from ..settings import Settings
from .web import PROVIDERS, Fetch, SearchProvider, SearchResult

logger = logging.getLogger(__name__)

# Back-off after a back-end rate-limits without saying for how long: 2 s, doubling, at most 5 minutes.
BACKOFF_START = 2.0
BACKOFF_MAX = 300.0
# A search waits this long at most for a rate-limited back-end to be free again, then gives up.
MAX_WAIT = 4.0
# ddgs regions ("country-language") for article languages; others search without a region.
_REGIONS = {"en": "us-en", "de": "de-de", "fr": "fr-fr", "es": "es-es", "it": "it-it", "nl": "nl-nl", "pt": "pt-pt",
            "pl": "pl-pl", "ru": "ru-ru", "sv": "se-sv", "da": "dk-da", "no": "no-no", "fi": "fi-fi", "ja": "jp-jp",
            "ko": "kr-kr", "zh": "cn-zh", "tr": "tr-tr", "uk": "ua-uk", "ar": "xa-ar", "he": "il-he"}
NO_REGION = "wt-wt"


def region(language: str | None) -> str:
    return _REGIONS.get((language or "").lower(), NO_REGION)


@dataclass
class _Strikes:
    count: int = 0
    free_at: float = 0.0
    reason: str = ""


class Backoff:
    """When each ddgs back-end may be asked again, shared by every analysis in the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._backends: dict[str, _Strikes] = {}

    def wait(self, backend: str) -> tuple[float, str]:
        """Seconds until ``backend`` may be asked again (0 when it may now), and why it may not."""
        with self._lock:
            strikes = self._backends.get(backend)
            if strikes is None:
                return 0.0, ""
            return max(0.0, strikes.free_at - time.monotonic()), strikes.reason

    def strike(self, backend: str, retry_after: float | None, reason: str) -> float:
        """Record a rate-limit answer; returns how long the back-end is left alone."""
        with self._lock:
            strikes = self._backends.setdefault(backend, _Strikes())
            strikes.count += 1
            pause = retry_after if retry_after is not None else min(BACKOFF_MAX, BACKOFF_START * 2 ** (strikes.count - 1))
            strikes.free_at = time.monotonic() + pause
            strikes.reason = reason
            return pause

    def clear(self, backend: str) -> None:
        with self._lock:
            self._backends.pop(backend, None)

    def reset(self) -> None:
        """Forget every back-end's strikes (tests; a new process starts with none)."""
        with self._lock:
            self._backends.clear()


BACKOFF = Backoff()


class _Throttled(RateLimitedError):
    """A back-end answered with its throttling page instead of results."""


@dataclass(frozen=True)
class _Answer:
    """What ddgs's engines read from a response (ddgs.http_client.Response)."""

    status_code: int
    content: bytes
    text: str


class _Cookies:
    """The part of primp's client that ddgs's engines touch: default headers and per-site cookies."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.cookies: dict[str, dict[str, str]] = {}

    def headers_update(self, headers: dict[str, str]) -> None:
        self.headers.update(headers)

    def set_cookies(self, url: str, cookies: dict[str, str]) -> None:
        self.cookies[urlsplit(url).hostname or ""] = dict(cookies)


class ProjectHttpClient:
    """Stands in for ``ddgs.http_client.HttpClient``: ddgs builds the request and reads the answer, core.http sends it."""

    def __init__(self, fetch: Fetch, gateway: str | None) -> None:
        self._fetch = fetch
        self._gateway = gateway.rstrip("/") if gateway else None
        self.client = _Cookies()

    def request(self, method: str, url: str, params: dict[str, Any] | None = None,
                data: dict[str, Any] | None = None) -> _Answer:
        host = urlsplit(url).hostname or ""
        headers = {**self.client.headers, "Accept": "text/html,application/xhtml+xml"}
        cookies = self.client.cookies.get(host)
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        target = self._through_gateway(url)
        accept = http.HTML_TYPES + http.TEXT_TYPES + ("application/json",)
        if method.upper() == "POST":
            response = self._fetch(target, accept=accept, headers=headers, data=dict(data or {}))
        elif method.upper() == "GET":
            response = self._fetch(target, accept=accept, params=params, headers=headers)
        else:
            raise SourceError(f"ddgs asked for an HTTP {method} request, which Crosscheck does not send.")
        if response.status_code == 202:
            raise _Throttled(f"{host} answered HTTP 202 (throttled) instead of results.", url=url)
        return _Answer(response.status_code, response.content, response.text)

    def get(self, url: str, params: dict[str, Any] | None = None) -> _Answer:
        return self.request("GET", url, params=params)

    def post(self, url: str, data: dict[str, Any] | None = None) -> _Answer:
        return self.request("POST", url, data=data)

    def _through_gateway(self, url: str) -> str:
        if not self._gateway:
            return url
        parts = urlsplit(url)
        return f"{self._gateway}/{parts.hostname}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


def _unwrap(url: str) -> str:
    """DuckDuckGo's HTML results may link through its redirector (//duckduckgo.com/l/?uddg=TARGET)."""
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith("duckduckgo.com") and parts.path.startswith("/l/"):
        target = parse_qs(parts.query).get("uddg")
        if target:
            return target[0]
    return url


@PROVIDERS.register
class DdgsProvider(SearchProvider):
    name = "ddgs"
    description = ("ddgs metasearch (no key; unofficial, reads DuckDuckGo, Mojeek and Brave Search result pages; "
                   "rate-limited).")
    needs = Needs(settings=("ddgs_backends",), network=True)

    def __init__(self, settings: Settings, fetch: Fetch) -> None:
        super().__init__(settings, fetch)
        self.backends = [b.strip() for b in settings.ddgs_backends.split(",") if b.strip()]
        self.queries = 0
        self._lock = threading.Lock()
        self._engines: dict[str, Any] = {}

    def engine(self, backend: str) -> Any:
        """ddgs's engine for a back-end, with the project's HTTP client in place of ddgs's own."""
        from ddgs.engines import ENGINES

        with self._lock:
            if backend not in self._engines:
                engines = ENGINES["text"]
                if backend not in engines:
                    raise SourceError(f"ddgs has no web-search back-end {backend!r}.",
                                      hint=f"Set CROSSCHECK_DDGS_BACKENDS to some of: {', '.join(sorted(engines))}.")
                engine = engines[backend](timeout=int(self.settings.http_timeout))
                client = ProjectHttpClient(self.fetch, self.settings.ddgs_gateway_url)
                client.client.headers_update(dict(engine.headers_update))
                engine.http_client = client
                self._engines[backend] = engine
            return self._engines[backend]

    def search(self, query: str, *, language: str | None, count: int) -> list[SearchResult]:
        with self._lock:
            if self.queries >= self.settings.ddgs_max_queries:
                raise SourceError(f"ddgs made its {self.settings.ddgs_max_queries} searches for this analysis "
                                  "(CROSSCHECK_DDGS_MAX_QUERIES); later claims got no ddgs results.",
                                  hint="Raise CROSSCHECK_DDGS_MAX_QUERIES, or add SearXNG or Brave Search.")
            self.queries += 1
        problems: list[str] = []
        unreachable: list[str] = []
        for attempt in range(2):
            problems.clear()
            unreachable.clear()
            waits: list[float] = []
            for backend in self.backends:
                wait, reason = BACKOFF.wait(backend)
                if wait > 0:
                    waits.append(wait)
                    problems.append(f"{backend} is rate-limited for {wait:.0f} s more ({reason})")
                    continue
                engine = self.engine(backend)
                try:
                    found = self._ask(engine, backend, query, language)
                except RateLimitedError as exc:
                    pause = BACKOFF.strike(backend, exc.retry_after, exc.message)
                    logger.info("ddgs back-end %s rate-limited; left alone for %.0f s", backend, pause)
                    waits.append(pause)
                    problems.append(f"{backend} is rate-limiting ({exc.message})")
                    continue
                except CrosscheckError as exc:
                    if isinstance(exc, SourceUnavailableError):
                        unreachable.append(backend)
                    problems.append(f"{backend}: {exc.message.rstrip('.')}")
                    continue
                BACKOFF.clear(backend)
                if found:
                    return found[:count]
                problems.append(f"{backend}: no results")
            if attempt == 0 and waits and len(waits) == len(self.backends) and min(waits) <= MAX_WAIT:
                time.sleep(min(waits))
                continue
            break
        if all(p.endswith(": no results") for p in problems):
            return []
        if len(unreachable) == len(self.backends):
            # No network: the web source is then unavailable here (skipped), not failed.
            raise SourceUnavailableError(f"no network: none of its search engines ({', '.join(unreachable)}) could be reached",
                                         hint="Without a network, set CROSSCHECK_OFFLINE=1: sources that need it are then not tried.")
        raise SourceError("ddgs found nothing: " + "; ".join(problems) + ".",
                          hint="The search engines behind ddgs limit automated searches; try again later, "
                               "or add SearXNG or Brave Search.")

    def _ask(self, engine: Any, backend: str, query: str, language: str | None) -> list[SearchResult]:
        try:
            results = engine.search(query, region=region(language), safesearch="moderate") or []
        except CrosscheckError:
            raise
        except Exception as exc:  # ddgs's page parsing meeting a page it does not expect
            logger.warning("ddgs back-end %s answered something it could not read", backend, exc_info=True)
            raise SourceError(f"its answer could not be read ({exc.__class__.__name__})") from exc
        found = []
        for result in results:
            url = _unwrap(result.href or "")
            if url.startswith(("http://", "https://")):
                found.append(SearchResult(result.title or "", url, result.body or ""))
        return found
