"""The one HTTP client of Crosscheck: cached, capped, timed, and SSRF-safe.

Every outgoing request of the project (article pages, MediaWiki, web search) goes through
:func:`get_session`, a ``requests_cache.CachedSession`` whose transport adapter

* refuses private, loopback, link-local and other non-public addresses, both before connecting
  (after DNS resolution) and after connecting (the peer the socket actually reached), on every
  redirect hop, unless ``CROSSCHECK_ALLOW_PRIVATE_URLS`` is set (the rules: core/address_policy.py);
* gives every :func:`get`/:func:`post` one wall-clock deadline (DNS, connect, headers and body of
  every redirect hop together) that a server dripping bytes or a slow resolver cannot extend, and
  bounds each host's concurrency;
* stops reading a body past ``max_download_bytes``.

Only fresh responses pass through the adapter; cached ones are served by requests-cache without
touching the network, so the cache is keyed by the address policy too: a page fetched while private
addresses were allowed is never served once they are refused. Messages never repeat credentials
that a URL carries.
"""
from __future__ import annotations

import errno
import http.client
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
import requests_cache
from requests.adapters import HTTPAdapter
from requests_cache.cache_keys import create_key
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

# check_url and is_public_address are looked up on their module when called, so that tests can stand in for DNS.
from . import address_policy
from .address_policy import redact
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
    retry_after_seconds,
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


class _Deadline:
    """A wall-clock limit on one request: DNS, connect, headers and body of every redirect hop together.

    The read timeout of a socket restarts with every byte, so a server that
    drips one byte a second never trips it. When this deadline passes, the
    sockets of the request are shut down, which ends any read at once; a
    name lookup still running is given up (address_policy.resolve).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.ends_at

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            if sock is not None:
                self._sockets.append(sock)
                if self.expired:
                    _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> _Deadline:
        _request_state.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _request_state.deadline = None


def _shut(sock: socket.socket) -> None:
    try:
        # The plain socket's shutdown, also for TLS sockets: it only ends the transport, which wakes the reader.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


# The deadline of the request the current thread is sending (connections are created and reused inside urllib3).
_request_state = threading.local()


def _guarded(connection_class: type[HTTPConnection], *, check_peer: bool) -> type[HTTPConnection]:
    """A connection class whose socket the current request's deadline can shut, and that optionally
    checks the address it actually reached before sending anything.

    The peer check catches DNS answers that change between the check in
    :func:`~core.address_policy.check_url` and the connection (DNS rebinding).
    """

    class GuardedConnection(connection_class):  # type: ignore[valid-type, misc]
        def _new_conn(self) -> socket.socket:  # the plain socket, before any TLS handshake reads from it
            deadline = getattr(_request_state, "deadline", None)
            if deadline is None:
                return super()._new_conn()
            # The name is looked up here, within the deadline (a slow resolver cannot hold the request), and its
            # addresses are tried in turn as urllib3 would.
            name, failure = self._dns_host, None
            try:
                infos = address_policy.resolve(name, self.port, ends_at=deadline.ends_at)
            except socket.gaierror as exc:
                raise NameResolutionError(self.host, self, exc) from exc
            for address in dict.fromkeys(str(info[4][0]) for info in infos):
                self._dns_host = address
                try:
                    sock = super()._new_conn()
                    deadline.watch(sock)
                    return sock
                except (ConnectTimeoutError, NewConnectionError) as exc:
                    failure = exc
                finally:
                    self._dns_host = name
            raise failure or NewConnectionError(self, f"{name} resolves to no address")

        def connect(self) -> None:
            super().connect()
            if check_peer:
                peer = self.sock.getpeername()[0]
                if not address_policy.is_public_address(peer):
                    self.close()
                    raise BlockedURLError(f"Refused to fetch from {self.host}: the connection reached the non-public address {peer}.")

        def request(self, *args, **kwargs):  # a kept-alive connection: its socket serves this request now
            deadline = getattr(_request_state, "deadline", None)
            if deadline is not None:
                deadline.watch(self.sock)
            return super().request(*args, **kwargs)

    return GuardedConnection


def _pool_classes(check_peer: bool) -> dict[str, type]:
    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = _guarded(HTTPConnection, check_peer=check_peer)

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = _guarded(HTTPSConnection, check_peer=check_peer)

    return {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}


_POOLS_CHECKING_PEERS = _pool_classes(check_peer=True)
_POOLS_TRUSTING_PEERS = _pool_classes(check_peer=False)


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
        self.poolmanager.pool_classes_by_scheme = (
            _POOLS_TRUSTING_PEERS if self.settings.allow_private_urls else _POOLS_CHECKING_PEERS
        )

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):  # type: ignore[override]
        host = urlsplit(request.url).hostname or ""
        # Within http.get/post the deadline covers every redirect hop; a caller of the bare session gets one per hop.
        outer = getattr(_request_state, "deadline", None)
        with self.limits.for_host(host), nullcontext(outer) if outer else _Deadline(self.settings.http_timeout) as deadline:
            response = None
            try:
                address_policy.check_url(request.url, self.settings, ends_at=deadline.ends_at)
                left = deadline.ends_at - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                response = super().send(request, stream=True, timeout=left, verify=verify, cert=cert, proxies=proxies)
                self._read_capped(response)
            except Exception:
                if response is not None:
                    response.close()
                if deadline.expired:
                    verb = "did not answer" if response is None else "did not finish answering"
                    raise FetchTimeoutError(f"{host} {verb} within {deadline.seconds:g} seconds.", url=redact(request.url)) from None
                raise
        return response

    def _read_capped(self, response: requests.Response) -> None:
        cap = self.settings.max_download_bytes
        url = redact(response.url)
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise ResponseTooLargeError(f"{url} is {int(declared):,} bytes; the limit is {cap:,} bytes.", url=url)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > cap:
                raise ResponseTooLargeError(f"{url} is larger than the {cap:,}-byte limit.", url=url)
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
        key_fn=_cache_key_for_policy(settings.allow_private_urls),
    )
    adapter = GuardedAdapter(settings)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = settings.user_agent
    session.max_redirects = 5
    return session


def _cache_key_for_policy(allow_private_urls: bool):
    """Cache keys that include the address policy, so that a response fetched while private
    addresses were allowed is never served once they are refused (the adapter never sees cache hits)."""
    policy = "private-allowed" if allow_private_urls else "public-only"

    def key(request, **kwargs) -> str:
        return f"{policy}:{create_key(request, **kwargs)}"

    return key


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
    address_policy.require_web_address(url)
    shown = redact(url)
    if settings.offline:
        raise FetchError(f"Not fetching {shown}: Crosscheck is in offline mode.", url=shown,
                         hint="Unset CROSSCHECK_OFFLINE to fetch pages, or paste the article text instead.")
    session = get_session(settings)
    try:
        with _Deadline(settings.http_timeout):
            response = session.request(method, url, params=params, data=data, headers=headers,
                                       timeout=settings.http_timeout, force_refresh=refresh)
    except FetchError:
        raise
    except requests.exceptions.Timeout:
        raise FetchTimeoutError(f"{_host(url)} did not answer within {settings.http_timeout:g} seconds.", url=shown) from None
    except requests.exceptions.TooManyRedirects:
        raise TransportError(f"{shown} redirects too many times.", url=shown) from None
    except requests.exceptions.SSLError:
        raise TransportError(f"The secure connection to {_host(url)} failed (certificate problem).", url=shown) from None
    except requests.exceptions.ConnectionError as exc:
        if _not_http(exc):
            raise TransportError(f"{_host(url)} did not answer in HTTP (a malformed status line or headers).", url=shown,
                                 hint="Check the address and port.") from None
        if _no_route(exc):
            raise NetworkUnreachableError(f"{_host(url)} cannot be reached (no network, or its name does not resolve).",
                                          url=shown) from None
        raise TransportError(f"Could not connect to {_host(url)}.", url=shown, hint="Check the address and your network connection.") from None
    except requests.exceptions.RequestException as exc:
        raise TransportError(f"Fetching {shown} failed: {exc.__class__.__name__}.", url=shown) from None
    _raise_for_status(response)
    if accept is not None:
        _check_content_type(response, accept)
    return response


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it wraps (args, causes, contexts, urllib3's reason), each once."""
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None),
                  *(a for a in current.args if isinstance(a, BaseException)))
        pending.extend(e for e in linked if isinstance(e, BaseException))


def _not_http(error: BaseException) -> bool:
    """Whether a connection failed because the server's answer was not HTTP (rather than no answer at all)."""
    return any(isinstance(c, http.client.HTTPException) and not isinstance(c, http.client.RemoteDisconnected)
               for c in _causes(error))


def _no_route(error: BaseException) -> bool:
    """Whether a connection failure means the host cannot be reached at all: a name that does not resolve, no network."""
    return any(isinstance(c, (socket.gaierror, NameResolutionError)) or (isinstance(c, OSError) and c.errno in _NO_ROUTE)
               for c in _causes(error))


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _raise_for_status(response: requests.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    host, url = _host(response.url), redact(response.url)
    # Parsed once here; the error carries it with its retryable status (core.errors).
    retry_after = retry_after_seconds(response.headers)
    if status == 429:
        wait = f" Retry after {retry_after:g} s." if retry_after is not None else ""
        raise RateLimitedError(f"{host} is rate-limiting requests (HTTP 429).{wait}", retry_after=retry_after, url=url)
    if status == 404:
        raise HTTPStatusError(f"{url} was not found (HTTP 404).", status=status, url=url, hint="Check the address for typos.")
    if status in (401, 403):
        raise HTTPStatusError(f"{host} refused access (HTTP {status}).", status=status, url=url,
                              hint="The page may need a login or block automated readers; paste the text instead.")
    if status >= 500:
        raise HTTPStatusError(f"{host} had a server error (HTTP {status}).", status=status, url=url, hint="Try again later.",
                              retry_after=retry_after)
    raise HTTPStatusError(f"{url} answered HTTP {status}.", status=status, url=url)


def _check_content_type(response: requests.Response, accept: tuple[str, ...]) -> None:
    content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if not content_type or any(content_type.startswith(a) for a in accept):
        return
    kind = next((name for prefix, name in _CONTENT_KIND.items() if content_type.startswith(prefix)), f"'{content_type}' content")
    url = redact(response.url)
    raise UnsupportedContentError(f"{url} is {kind}, not a web page.", url=url)


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
