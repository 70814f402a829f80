"""The one HTTP client of Crosscheck: cached, capped, timed, and SSRF-safe.

Every outgoing request of the project (article pages, MediaWiki, web search)
goes through :func:`get_session`, a ``requests_cache.CachedSession`` whose
transport adapter

* refuses private, loopback, link-local and other non-public addresses, both
  before connecting (after DNS resolution) and after connecting (the peer the
  socket actually reached), on every redirect hop, unless
  ``CROSSCHECK_ALLOW_PRIVATE_URLS`` is set;
* applies a timeout to every request, and bounds each host's concurrency;
* stops reading a body past ``max_download_bytes``.

Only fresh responses pass through the adapter; cached ones are served by
requests-cache without touching the network.
"""
from __future__ import annotations

import errno
import ipaddress
import logging
import socket
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
import requests_cache
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import (
    BlockedURLError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    NetworkUnreachableError,
    RateLimitedError,
    ResponseTooLargeError,
    TransportError,
    UnsupportedContentError,
)
from .settings import Settings, get_settings

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
# Query parameters and headers that carry credentials: never part of a cache key or row.
SECRET_PARAMETERS = ("api_key", "key", "token", "X-Subscription-Token", "Authorization", "x-api-key", "X-Goog-Api-Key")
# Socket errors that mean there is no way to the host at all (as opposed to a refused connection).
_NO_ROUTE = frozenset({errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN})

_CONTENT_KIND = {
    "application/pdf": "a PDF document",
    "image/": "an image",
    "video/": "a video",
    "audio/": "an audio file",
    "application/zip": "a ZIP archive",
    "application/octet-stream": "a binary file",
}


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _require_web_address(url: str):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"Not a web address: {url!r}.", url=url, hint="Give a full http:// or https:// address.")
    return parts


def check_url(url: str, settings: Settings) -> None:
    """Raise unless ``url`` is http(s) and, when private addresses are refused, resolves to public ones only."""
    parts = _require_web_address(url)
    if settings.allow_private_urls:
        return
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise NetworkUnreachableError(f"The host {host!r} could not be found ({exc.strerror}).", url=url) from None
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            raise BlockedURLError(f"Refused to fetch {url}: {host} resolves to the non-public address {address}.", url=url)


def _refuse_non_public_peer(connection_class: type[HTTPConnection]) -> type[HTTPConnection]:
    """A connection class that checks the address it actually reached, before sending anything.

    This catches DNS answers that change between the check in :func:`check_url`
    and the connection (DNS rebinding).
    """

    class PeerCheckedConnection(connection_class):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            peer = self.sock.getpeername()[0]
            if not is_public_address(peer):
                self.close()
                raise BlockedURLError(f"Refused to fetch from {self.host}: the connection reached the non-public address {peer}.")

    return PeerCheckedConnection


class _PeerCheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _refuse_non_public_peer(HTTPConnection)


class _PeerCheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _refuse_non_public_peer(HTTPSConnection)


@dataclass
class _HostLimits:
    per_host: int
    lock: threading.Lock
    semaphores: dict[str, threading.BoundedSemaphore]

    def for_host(self, host: str) -> threading.BoundedSemaphore:
        with self.lock:
            if host not in self.semaphores:
                self.semaphores[host] = threading.BoundedSemaphore(self.per_host)
            return self.semaphores[host]


class GuardedAdapter(HTTPAdapter):
    """Transport that enforces the address policy, timeouts, size cap and per-host concurrency."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limits = _HostLimits(settings.per_host_connections, threading.Lock(), {})
        super().__init__(pool_maxsize=max(10, settings.source_workers))

    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[override]
        super().init_poolmanager(*args, **kwargs)
        if not self.settings.allow_private_urls:
            self.poolmanager.pool_classes_by_scheme = {"http": _PeerCheckedHTTPPool, "https": _PeerCheckedHTTPSPool}

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):  # type: ignore[override]
        check_url(request.url, self.settings)
        host = urlsplit(request.url).hostname or ""
        with self.limits.for_host(host):
            response = super().send(
                request, stream=True, timeout=timeout or self.settings.http_timeout, verify=verify, cert=cert, proxies=proxies
            )
            try:
                self._read_capped(response)
            except Exception:
                response.close()
                raise
        return response

    def _read_capped(self, response: requests.Response) -> None:
        cap = self.settings.max_download_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise ResponseTooLargeError(f"{response.url} is {int(declared):,} bytes; the limit is {cap:,} bytes.", url=response.url)
        deadline = time.monotonic() + self.settings.http_timeout * 4
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > cap:
                raise ResponseTooLargeError(f"{response.url} is larger than the {cap:,}-byte limit.", url=response.url)
            if time.monotonic() > deadline:
                raise FetchTimeoutError(f"{response.url} took too long to download.", url=response.url)
            chunks.append(chunk)
        response._content = b"".join(chunks)
        response._content_consumed = True


_sessions: dict[Settings, requests_cache.CachedSession] = {}
_sessions_lock = threading.Lock()


def get_session(settings: Settings | None = None) -> requests_cache.CachedSession:
    """The process-wide cached session for these settings."""
    settings = settings or get_settings()
    with _sessions_lock:
        session = _sessions.get(settings)
        if session is None:
            session = _build_session(settings)
            _sessions[settings] = session
        return session


def _build_session(settings: Settings) -> requests_cache.CachedSession:
    settings.cache_path.mkdir(parents=True, exist_ok=True)
    session = requests_cache.CachedSession(
        cache_name=str(settings.cache_path / "http_cache.sqlite"),
        backend="sqlite",
        expire_after=timedelta(hours=settings.http_cache_hours),
        allowable_codes=(200,),
        # POST for search forms (ddgs's DuckDuckGo back-end): the form is part of the cache key.
        allowable_methods=("GET", "HEAD", "POST"),
        ignored_parameters=SECRET_PARAMETERS,
        stale_if_error=False,
    )
    adapter = GuardedAdapter(settings)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = settings.user_agent
    session.max_redirects = 5
    return session


def get(
    url: str,
    *,
    settings: Settings | None = None,
    accept: tuple[str, ...] | None = None,
    params: dict | None = None,
    headers: dict | None = None,
    refresh: bool = False,
) -> requests.Response:
    """GET ``url`` through the cached session and turn failures into :class:`FetchError`.

    ``accept`` lists acceptable content types (prefixes); anything else raises
    :class:`UnsupportedContentError`. ``refresh`` skips the cached copy and stores the new answer.
    """
    return _send("GET", url, settings=settings, accept=accept, params=params, headers=headers, refresh=refresh)


def post(
    url: str,
    *,
    data: dict,
    settings: Settings | None = None,
    accept: tuple[str, ...] | None = None,
    headers: dict | None = None,
    refresh: bool = False,
) -> requests.Response:
    """POST a form through the same session and policy as :func:`get`; answers are cached, keyed by the form."""
    return _send("POST", url, settings=settings, accept=accept, data=data, headers=headers, refresh=refresh)


def _send(method: str, url: str, *, settings: Settings | None, accept: tuple[str, ...] | None, params: dict | None = None,
          data: dict | None = None, headers: dict | None, refresh: bool) -> requests.Response:
    settings = settings or get_settings()
    _require_web_address(url)
    if settings.offline:
        raise FetchError(f"Not fetching {url}: Crosscheck is in offline mode.", url=url,
                         hint="Unset CROSSCHECK_OFFLINE to fetch pages, or paste the article text instead.")
    session = get_session(settings)
    try:
        response = session.request(method, url, params=params, data=data, headers=headers, timeout=settings.http_timeout,
                                   force_refresh=refresh)
    except FetchError:
        raise
    except requests.exceptions.Timeout:
        raise FetchTimeoutError(f"{_host(url)} did not answer within {settings.http_timeout:g} seconds.", url=url) from None
    except requests.exceptions.TooManyRedirects:
        raise TransportError(f"{url} redirects too many times.", url=url) from None
    except requests.exceptions.SSLError:
        raise TransportError(f"The secure connection to {_host(url)} failed (certificate problem).", url=url) from None
    except requests.exceptions.ConnectionError as exc:
        if _no_route(exc):
            raise NetworkUnreachableError(f"{_host(url)} cannot be reached (no network, or its name does not resolve).",
                                          url=url) from None
        raise TransportError(f"Could not connect to {_host(url)}.", url=url, hint="Check the address and your network connection.") from None
    except requests.exceptions.RequestException as exc:
        raise TransportError(f"Fetching {url} failed: {exc.__class__.__name__}.", url=url) from None
    _raise_for_status(response)
    if accept is not None:
        _check_content_type(response, accept)
    return response


def _no_route(error: BaseException) -> bool:
    """Whether a connection failure means the host cannot be reached at all: a name that does not resolve, no network."""
    pending, seen = [error], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (socket.gaierror, NameResolutionError)):
            return True
        if isinstance(current, OSError) and current.errno in _NO_ROUTE:
            return True
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None),
                  *(a for a in current.args if isinstance(a, BaseException)))
        pending.extend(e for e in linked if isinstance(e, BaseException))
    return False


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _raise_for_status(response: requests.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    host, url = _host(response.url), response.url
    if status == 429:
        retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
        wait = f" Retry after {retry_after:g} s." if retry_after is not None else ""
        raise RateLimitedError(f"{host} is rate-limiting requests (HTTP 429).{wait}", retry_after=retry_after, url=url)
    if status == 404:
        raise HTTPStatusError(f"{url} was not found (HTTP 404).", status=status, url=url, hint="Check the address for typos.")
    if status in (401, 403):
        raise HTTPStatusError(f"{host} refused access (HTTP {status}).", status=status, url=url,
                              hint="The page may need a login or block automated readers; paste the text instead.")
    if status >= 500:
        raise HTTPStatusError(f"{host} had a server error (HTTP {status}).", status=status, url=url, hint="Try again later.")
    raise HTTPStatusError(f"{url} answered HTTP {status}.", status=status, url=url)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _check_content_type(response: requests.Response, accept: tuple[str, ...]) -> None:
    content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if not content_type or any(content_type.startswith(a) for a in accept):
        return
    kind = next((name for prefix, name in _CONTENT_KIND.items() if content_type.startswith(prefix)), f"'{content_type}' content")
    raise UnsupportedContentError(f"{response.url} is {kind}, not a web page.", url=response.url)


def cache_stats(settings: Settings | None = None) -> dict[str, int]:
    """Number of cached responses and the cache file's size in bytes."""
    settings = settings or get_settings()
    session = get_session(settings)
    path = settings.cache_path / "http_cache.sqlite"
    return {"responses": len(session.cache.responses), "bytes": path.stat().st_size if path.exists() else 0}


def clear_cache(settings: Settings | None = None) -> int:
    """Drop every cached response; returns how many there were."""
    settings = settings or get_settings()
    session = get_session(settings)
    count = len(session.cache.responses)
    session.cache.clear()
    return count
