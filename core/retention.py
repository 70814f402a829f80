"""Retention: what the workers delete every hour so that a set-up's database and cache stay bounded (issue 29).

Expired HTTP cache entries (``CROSSCHECK_HTTP_CACHE_HOURS``), finished jobs after
``CROSSCHECK_JOB_RETENTION_DAYS`` and feed items after ``CROSSCHECK_FEED_ITEM_RETENTION_DAYS``.
Analyses are never deleted by it: they are the newsroom's record.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from . import http
from .settings import Settings
from .storage import Storage
from .storage.retention import delete_old_rows

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retained:
    """How many of each were deleted."""

    http_responses: int
    jobs: int
    feed_items: int


def apply_retention(settings: Settings, storage: Storage, *, now: datetime | None = None) -> Retained:
    deleted = delete_old_rows(storage.database, now=now or datetime.now(timezone.utc), job_days=settings.job_retention_days,
                              feed_item_days=settings.feed_item_retention_days)
    retained = Retained(_delete_expired_responses(settings), deleted.jobs, deleted.feed_items)
    if any((retained.http_responses, retained.jobs, retained.feed_items)):
        logger.info("retention deleted %d expired cached responses, %d old jobs, %d old feed items",
                    retained.http_responses, retained.jobs, retained.feed_items)
    return retained


def _delete_expired_responses(settings: Settings) -> int:
    """Drop the HTTP cache's expired responses (never served again; SQLite's file is vacuumed after); how many went."""
    cache = http.get_session(settings).cache
    before = len(cache.responses)
    cache.delete(expired=True)
    return before - len(cache.responses)
