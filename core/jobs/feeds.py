"""Polling RSS and Atom feeds (feedparser): new items become analysis jobs.

The feed is fetched through the project's HTTP client, so the address policy,
timeouts and size cap apply; its ETag and Last-Modified are sent back on the
next poll, and a 304 answer means nothing new.
"""
from __future__ import annotations

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
    parsed = feedparser.parse(content)
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


def poll_feed(feed_id: int, *, storage: Storage, settings: Settings, submit: SubmitAnalyses) -> list[FeedItem]:
    """Fetch a feed, record it, and queue an analysis for each item never seen before; returns those items."""
    feed = storage.feeds.get(feed_id)
    try:
        title, items = _fetch(feed, storage, settings)
    except CrosscheckError as error:
        storage.feeds.record_poll(feed.id, error=error.user_message())
        raise
    if items is None:
        return []  # 304: nothing new
    fresh = storage.feeds.new_items(feed.id, items)[:MAX_ITEMS_PER_POLL]
    if fresh:
        jobs = submit([UrlInput(item.url) for item in fresh], engine=feed.engine, evidence_sources=feed.sources,
                      batch_id=f"feed{feed.id}")
        for item, job in zip(fresh, jobs):
            storage.feeds.link_job(feed.id, item.key, job.id)
    logger.info("feed %s: %d items, %d new", feed.url, len(items), len(fresh))
    return fresh


def _fetch(feed: Feed, storage: Storage, settings: Settings) -> tuple[str, list[FeedItem] | None]:
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    response = http.get(feed.url, settings=settings, accept=FEED_TYPES, headers=headers, refresh=True)
    if response.status_code == 304:
        storage.feeds.record_poll(feed.id, etag=feed.etag, last_modified=feed.last_modified)
        return feed.title, None
    title, items = parse(response.content, feed.url)
    storage.feeds.record_poll(feed.id, title=title, etag=response.headers.get("ETag"),
                                    last_modified=response.headers.get("Last-Modified"))
    return title, items
