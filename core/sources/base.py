"""The evidence-source interface: what a source needs, what it finds, and its name registry."""
from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar
from urllib.parse import urlsplit

import requests

from .. import http
from ..errors import CrosscheckError, NetworkUnreachableError, RateLimitedError, SourceError, SourceUnavailableError
from ..records import Article, SourceType
from ..registry import Needs, Registry
from ..settings import Settings
from ..storage import Storage

if TYPE_CHECKING:
    from ..engines.base import Engine

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Passage:
    """A passage a source found for a claim, before its stance is judged.

    ``outlet`` is the independence key of the verdict rules: the outlet's name
    or, when the page does not name it, its domain.
    """

    source_type: SourceType
    title: str
    url: str | None
    outlet: str | None
    snippet: str
    relevance: float  # cosine similarity of claim and snippet (MiniLM), in [0, 1]
    published: str | None = None
    rating: str | None = None  # a fact-check's rating: the stance is then that of the reviewed claim
    analysis_id: str | None = None  # a library passage's stored analysis
    origin: str | None = None  # its article's independent origin where copies are known (Evidence.origin)
    origin_note: str | None = None  # on a copy: why it is one (Evidence.origin_note)


@dataclass(frozen=True)
class SourceContext:
    """What every source of one analysis shares: the article being checked, the engine, and how to fetch."""

    settings: Settings
    article: Article
    storage: Storage | None = None
    fresh: bool = False
    engine: Engine | None = None


class Source(ABC):
    """An evidence source. Subclasses register with ``@SOURCES.register``.

    One instance serves one analysis; ``find`` is called from several threads
    at once (one call per claim), so instance state must be thread-safe.
    """

    name: ClassVar[str]
    source_type: ClassVar[SourceType]
    description: ClassVar[str]
    needs: ClassVar[Needs] = Needs()
    # The engines it runs with (empty: any); e.g. Claude's own web search needs the claude engine.
    engines: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context: SourceContext) -> None:
        self.context = context
        self.settings = context.settings
        self._lock = threading.Lock()
        self.requests = 0  # responses that came from the network, not the cache
        # Hosts not to ask again in this analysis: rate-limited (until a time) or out of reach.
        self._blocked: dict[str, tuple[float, CrosscheckError]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._stop = threading.Event()  # set by close(): work past the time budget ends at its next step

    @classmethod
    def status(cls, settings: Settings, engine: str | None = None) -> tuple[bool, str]:
        """Whether this source can run with these settings (and engine, when given), and if not, what to set."""
        if engine is not None and cls.engines and engine not in cls.engines:
            return False, f"it runs only with the {' or '.join(cls.engines)} engine"
        return cls.needs.status(settings)

    @abstractmethod
    def find(self, query: str) -> list[Passage]:
        """Passages that address the claim ``query``, best first; raises :class:`~core.errors.CrosscheckError`."""

    def fetch(self, url: str, *, accept: tuple[str, ...], params: dict | None = None,
              headers: dict | None = None, data: dict | None = None) -> requests.Response:
        """GET (or, with ``data``, POST a form) through the project's cached session, counting network requests.

        After a 429 the source stops asking that host for the rest of the
        analysis (or until Retry-After has passed), so one rate-limited service
        is not hammered once per claim; a host out of reach (no network) is not
        asked again either, and makes the source unavailable rather than failed.
        """
        if self.stopped():
            raise SourceError(f"{self.name} stopped: the time budget ran out")
        host = urlsplit(url).hostname or url
        with self._lock:
            until, reason = self._blocked.get(host, (0.0, None))
            left = until - time.monotonic()
            if reason is not None and left > 0:
                if isinstance(reason, SourceUnavailableError):
                    raise reason
                raise RateLimitedError(f"{self.name} is rate-limited: {reason.message}", hint=reason.hint, url=url,
                                       retry_after=left if left != float("inf") else None)
        try:
            if data is not None:
                response = http.post(url, data=data, settings=self.settings, accept=accept, headers=headers,
                                     refresh=self.context.fresh)
            else:
                response = http.get(url, settings=self.settings, accept=accept, params=params, headers=headers,
                                    refresh=self.context.fresh)
        except RateLimitedError as exc:
            wait = exc.retry_after if exc.retry_after is not None else float("inf")
            self._block(host, wait, exc)
            raise
        except NetworkUnreachableError as exc:
            unavailable = SourceUnavailableError(f"no network: {exc.message}", hint=exc.hint)
            self._block(host, float("inf"), unavailable)
            raise unavailable from None
        except CrosscheckError:
            # Only 200 answers are cached, so a failure always went to the network.
            with self._lock:
                self.requests += 1
            raise
        if not getattr(response, "from_cache", False):
            with self._lock:
                self.requests += 1
        return response

    def _block(self, host: str, seconds: float, reason: CrosscheckError) -> None:
        with self._lock:
            self.requests += 1
            self._blocked[host] = (time.monotonic() + seconds, reason)

    def map(self, work: Callable[[T], R], items: Sequence[T]) -> list[R | CrosscheckError]:
        """Run ``work`` on each item concurrently (e.g. the pages of one search), in order.

        Failures come back as the error in the item's place, so one bad page
        does not lose the others. The pool is the source's own, apart from the
        pool that calls :meth:`find`, so waiting on it cannot deadlock.
        """
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.settings.source_workers, thread_name_prefix=f"{self.name}-fetch")
            pool = self._pool

        def attempt(item: T) -> R | CrosscheckError:
            try:
                return work(item)
            except CrosscheckError as exc:
                return exc

        return list(pool.map(attempt, items))

    def stopped(self) -> bool:
        """Whether the analysis stopped waiting for this source; long work checks it between steps."""
        return self._stop.is_set()

    def close(self) -> None:
        """Stop the source: no new request or step starts, pending fetches are dropped, the fetch pool is released."""
        self._stop.set()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


SOURCES: Registry[Source] = Registry("evidence source")


AUTO = "auto"


def source_status(name: str, settings: Settings, engine: str | None = None) -> tuple[bool, str]:
    """Whether the source called ``name`` can run here (with ``engine``, when given), and if not, why; KeyError if unknown."""
    return SOURCES.get(name).status(settings, engine)


def all_source_status(settings: Settings, engine: str | None = None) -> dict[str, tuple[bool, str]]:
    """Readiness of every registered source, for the Settings and Analyze pages."""
    return {name: source_status(name, settings, engine) for name in SOURCES.names()}


def default_sources(settings: Settings, engine: str | None = None) -> tuple[str, ...]:
    """The sources an analysis uses unless told otherwise: CROSSCHECK_SOURCES, where ``auto`` means every ready one."""
    names = settings.source_names()
    if names == (AUTO,):
        return tuple(name for name, (ready, _) in all_source_status(settings, engine).items() if ready)
    return names
