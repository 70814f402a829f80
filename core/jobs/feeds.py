"""Polling RSS and Atom feeds (feedparser): new items become analysis jobs.

The feed is fetched through the project's HTTP client, so the address policy,
timeouts and size cap apply; its ETag and Last-Modified are sent back on the
next poll, and a 304 answer means nothing new. An item counts as seen only once
its job is queued: a poll that fails half-way loses nothing, and the next one
queues what it could not (the feed's batch returns a job already queued for an
item instead of making another).
"""
from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Protocol

import feedparser

from .. import http
from ..errors import CrosscheckError, InputError
from ..pipeline import SourceInput, UrlInput
from ..settings import Settings
from ..storage import Storage
from ..storage.feeds import Feed, FeedItem
from ..storage.jobs import Job

logger = logging.getLogger(__name__)

KIND = "poll_feed"


class SubmitAnalyses(Protocol):
    """Queues one analysis job per source (core.jobs.queue.JobQueue.submit_analyses)."""

    def __call__(self, sources: Sequence[SourceInput], *, engine: str, evidence_sources: Sequence[str],
                 batch_id: str | None = None) -> list[Job]: ...

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml",
              "text/html", "text/plain")
# Items of one poll that are queued; a feed that suddenly lists hundreds of old items does not flood the queue.
MAX_ITEMS_PER_POLL = 50


def parse(content: bytes, url: str) -> tuple[str, list[FeedItem]]:
    """The feed's title and its items with links; raises InputError when the body is not a feed."""
    # A file-like object: given bytes or a str, feedparser opens them as a local path or fetches them as a URL.
    parsed = feedparser.parse(io.BytesIO(content))
    if not parsed.version and not parsed.entries:  # feedparser names the format of anything it recognises as a feed
        raise InputError(f"{url} is not an RSS or Atom feed.",
                         hint="Give the feed's own address (it usually ends in /rss, /feed or .xml).")
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link.startswith(("http://", "https://")):
            continue
        items.append(FeedItem(key=str(entry.get("id") or link), url=link, title=str(entry.get("title") or ""),
                              published=str(entry.get("published") or entry.get("updated") or "")))
    return str(parsed.feed.get("title") or ""), items


def add_feed(storage: Storage, settings: Settings, url: str, *, engine: str, sources: Sequence[str]) -> Feed:
    """Follow a feed; its address, engine and evidence sources are checked now, not at the first poll."""
    from .. import address_policy
    from ..engines import ENGINES
    from ..evidence import require_known_sources

    address_policy.check_url(url, settings)
    if engine not in ENGINES.names():
        raise InputError(f"Unknown engine {engine!r}.", hint=f"Choose from: {', '.join(ENGINES.names())}.")
    require_known_sources(sources)
    return storage.feeds.add(url, engine=engine, sources=tuple(sources))


def poll_feed(feed_id: int, *, storage: Storage, settings: Settings, submit: SubmitAnalyses) -> list[FeedItem]:
    """Fetch a feed, queue an analysis for each item never seen before, and mark those seen; returns them.

    Whatever fails (the fetch, the queue, the database) is recorded as the feed's last error.
    """
    feed = storage.feeds.get(feed_id)
    try:
        title, items, etag, last_modified = _fetch(feed, settings)
        if items is None:  # 304: nothing new
            storage.feeds.record_poll(feed.id, etag=feed.etag, last_modified=feed.last_modified)
            return []
        unseen = storage.feeds.unseen(feed.id, items)
        fresh = unseen[:MAX_ITEMS_PER_POLL]
        if fresh:
            jobs = submit([UrlInput(item.url) for item in fresh], engine=feed.engine, evidence_sources=feed.sources,
                          batch_id=f"feed{feed.id}")
            storage.feeds.mark_seen(feed.id, [(item, job.id) for item, job in zip(fresh, jobs)])
    except CrosscheckError as error:
        storage.feeds.record_poll(feed.id, error=error.user_message())
        raise
    except Exception as error:  # a bug, or a database error the storage layer does not name: still on `feeds list`
        storage.feeds.record_poll(feed.id, error=f"Unexpected {error.__class__.__name__}: {error}")
        raise
    if len(unseen) > len(fresh):
        # The validators stay the old ones, so that the next poll reads the whole feed again rather than a 304.
        logger.info("feed %s: %d new items wait for the next polls", feed.url, len(unseen) - len(fresh))
        etag, last_modified = feed.etag, feed.last_modified
    storage.feeds.record_poll(feed.id, title=title, etag=etag, last_modified=last_modified)
    logger.info("feed %s: %d items, %d queued", feed.url, len(items), len(fresh))
    return fresh


def _fetch(feed: Feed, settings: Settings) -> tuple[str, list[FeedItem] | None, str | None, str | None]:
    """The feed's title, its items (None for a 304) and the validators to send next time."""
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    response = http.get(feed.url, settings=settings, accept=FEED_TYPES, headers=headers, refresh=True)
    if response.status_code == 304:
        return feed.title, None, feed.etag, feed.last_modified
    title, items = parse(response.content, feed.url)
    return title, items, response.headers.get("ETag"), response.headers.get("Last-Modified")
