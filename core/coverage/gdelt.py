"""The GDELT DOC 2.0 API's article list, one request per five seconds across every process and thread.

``GET https://api.gdeltproject.org/api/v2/doc/doc?query=…&mode=artlist&format=json&maxrecords=…&timespan=…``
answers ``{"articles": [{"url", "url_mobile", "title", "seendate", "socialimage", "domain", "language",
"sourcecountry"}]}`` (``{}`` when nothing matches). GDELT is keyless and asks clients for at most one
request every five seconds; it answers faster ones with HTTP 429, and queries it cannot run (words that
are too short or too common) with a plain-text explanation instead of JSON.

The interval holds across the dashboard, the CLI and every worker sharing the cache folder: a request
takes an exclusive lock on ``$CROSSCHECK_CACHE_DIR/gdelt.lock`` and waits until
``CROSSCHECK_GDELT_MIN_INTERVAL`` seconds have passed since the time written in ``gdelt.last`` by the
previous request, whichever process made it. Answers come from core/http.py's cache when they can, and
a cached answer needs no turn.
"""
from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from .. import http
from ..errors import RateLimitedError, SourceError
from ..settings import Settings

logger = logging.getLogger(__name__)

_ANSWER_TYPES = ("application/json", "text/html", "text/plain")  # GDELT explains a refused query in text
_in_process = threading.Lock()


@dataclass(frozen=True)
class GdeltArticle:
    url: str
    title: str
    domain: str
    seen: str | None  # YYYY-MM-DD, when GDELT first saw it
    language: str | None
    country: str | None


@contextmanager
def request_turn(settings: Settings) -> Iterator[None]:
    """Hold GDELT's one-request turn: wait for the interval since the last request, by any process, to pass."""
    folder = settings.cache_path
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "gdelt.last"
    with _in_process, (folder / "gdelt.lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            wait = _last(stamp) + settings.gdelt_min_interval - time.time()
            if wait > 0:
                logger.info("waiting %.1f s for GDELT's request interval", wait)
                time.sleep(wait)
            try:
                yield
            finally:
                stamp.write_text(f"{time.time():.3f}", encoding="ascii")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _last(stamp: Path) -> float:
    try:
        return float(stamp.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return 0.0


def _cached(settings: Settings, url: str, params: dict) -> bool:
    session = http.get_session(settings)
    key = session.cache.create_key(session.prepare_request(requests.Request("GET", url, params=params)))
    response = session.cache.get_response(key)
    return response is not None and not response.is_expired


def search(settings: Settings, query: str, *, fresh: bool = False) -> list[GdeltArticle]:
    """Articles GDELT has seen that match ``query`` (GDELT syntax: words are ANDed, "quoted phrases")."""
    params = {"query": query, "mode": "artlist", "format": "json", "maxrecords": settings.coverage_results,
              "timespan": settings.coverage_timespan, "sort": "hybridrel"}
    url = settings.gdelt_api_url
    if not fresh and _cached(settings, url, params):
        response = http.get(url, settings=settings, accept=_ANSWER_TYPES, params=params)
    else:
        with request_turn(settings):
            try:
                response = http.get(url, settings=settings, accept=_ANSWER_TYPES, params=params, refresh=fresh)
            except RateLimitedError as exc:
                raise RateLimitedError(f"GDELT asks for fewer requests (HTTP 429): {exc.message}",
                                       retry_after=exc.retry_after or settings.gdelt_min_interval, url=url,
                                       hint="Wait a few seconds and search again.") from None
    try:
        data = response.json()
    except ValueError:
        said = " ".join(response.text.split())[:200] or "an empty answer"
        raise SourceError(f"GDELT could not run the search: {said}",
                          hint="Search words must be at least three letters; try the article's title.") from None
    if not isinstance(data, dict) or not isinstance(data.get("articles", []), list):
        raise SourceError("GDELT answered with unexpected JSON.")
    found = []
    for item in data.get("articles", []):
        if not isinstance(item, dict) or not str(item.get("url", "")).startswith(("http://", "https://")):
            continue
        seen = str(item.get("seendate") or "")
        found.append(GdeltArticle(
            url=item["url"], title=str(item.get("title") or "").strip(), domain=str(item.get("domain") or ""),
            seen=f"{seen[:4]}-{seen[4:6]}-{seen[6:8]}" if len(seen) >= 8 and seen[:8].isdigit() else None,
            language=str(item.get("language") or "") or None, country=str(item.get("sourcecountry") or "") or None,
        ))
    return found
