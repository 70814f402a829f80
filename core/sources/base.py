"""The evidence-source interface: what a source needs, what it finds, and its name registry."""
from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar, TypeVar

import requests

from .. import http
from ..errors import CrosscheckError, RateLimitedError, SourceError
from ..models import Article, SourceType
from ..registry import Needs, Registry
from ..settings import Settings
from ..storage import Storage

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


@dataclass(frozen=True)
class SourceContext:
    """What every source of one analysis shares: the article being checked and how to fetch."""

    settings: Settings
    article: Article
    storage: Storage | None = None
    fresh: bool = False


class Source(ABC):
    """An evidence source. Subclasses register with ``@SOURCES.register``.

    One instance serves one analysis; ``find`` is called from several threads
    at once (one call per claim), so instance state must be thread-safe.
    """

    name: ClassVar[str]
    source_type: ClassVar[SourceType]
    description: ClassVar[str]
    needs: ClassVar[Needs] = Needs()

    def __init__(self, context: SourceContext) -> None:
        self.context = context
        self.settings = context.settings
        self._lock = threading.Lock()
        self.requests = 0  # responses that came from the network, not the cache
        self._rate_limited: RateLimitedError | None = None
        self._blocked_until = 0.0
        self._pool: ThreadPoolExecutor | None = None
        self._stop = threading.Event()  # set by close(): work past the time budget ends at its next step

    @classmethod
    def status(cls, settings: Settings) -> tuple[bool, str]:
        """Whether this source can run with these settings, and if not, what to set."""
        return cls.needs.status(settings)

    @abstractmethod
    def find(self, query: str) -> list[Passage]:
        """Passages that address the claim ``query``, best first; raises :class:`~core.errors.CrosscheckError`."""

    def fetch(self, url: str, *, accept: tuple[str, ...], params: dict | None = None,
              headers: dict | None = None) -> requests.Response:
        """GET through the project's cached session, counting network requests.

        After a 429 the source stops asking that service for the rest of the
        analysis (or until Retry-After has passed), so one rate-limited service
        is not hammered once per claim.
        """
        if self.stopped():
            raise SourceError(f"{self.name} stopped: the time budget ran out")
        with self._lock:
            if self._rate_limited is not None and time.monotonic() < self._blocked_until:
                raise SourceError(f"{self.name} is rate-limited: {self._rate_limited.message}", hint=self._rate_limited.hint)
        try:
            response = http.get(url, settings=self.settings, accept=accept, params=params, headers=headers,
                                refresh=self.context.fresh)
        except RateLimitedError as exc:
            with self._lock:
                self.requests += 1
                self._rate_limited = exc
                wait = exc.retry_after if exc.retry_after is not None else float("inf")
                self._blocked_until = time.monotonic() + wait
            raise
        except CrosscheckError:
            # Only 200 answers are cached, so a failure always went to the network.
            with self._lock:
                self.requests += 1
            raise
        if not getattr(response, "from_cache", False):
            with self._lock:
                self.requests += 1
        return response


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


def source_status(name: str, settings: Settings) -> tuple[bool, str]:
    """Whether the source called ``name`` can run here, and if not, why; KeyError if unknown."""
    return SOURCES.get(name).status(settings)


def all_source_status(settings: Settings) -> dict[str, tuple[bool, str]]:
    """Readiness of every registered source, for the Settings and Analyze pages."""
    return {name: source_status(name, settings) for name in SOURCES.names()}
