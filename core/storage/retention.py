"""Deleting what a long-running set-up no longer needs: old finished jobs and old feed items (issue 29).

Without it the jobs and feed_items tables grow by a row per analysed article for ever.
A finished job that a cross-reference names stays: the Library reads its status to know
whether the re-check it queued has finished (core.storage.crossrefs.new_evidence).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists

from ..job_status import DONE, FAILED
from .database import Database
from .tables import crossrefs, feed_items, jobs


@dataclass(frozen=True)
class Deleted:
    jobs: int
    feed_items: int


def delete_old_rows(database: Database, *, now: datetime, job_days: int, feed_item_days: int) -> Deleted:
    """Delete finished and failed jobs that finished more than ``job_days`` before ``now``, and feed items seen more
    than ``feed_item_days`` before it; 0 days keeps that kind for ever."""
    removed_jobs = removed_items = 0
    with database.write() as db:
        if job_days:
            cutoff = (now - timedelta(days=job_days)).isoformat(timespec="seconds")
            removed_jobs = db.execute(delete(jobs).where(
                jobs.c.status.in_((DONE, FAILED)), jobs.c.finished_at < cutoff,
                ~exists().where(crossrefs.c.job_id == jobs.c.id))).rowcount
        if feed_item_days:
            cutoff = (now - timedelta(days=feed_item_days)).isoformat(timespec="seconds")
            removed_items = db.execute(delete(feed_items).where(feed_items.c.seen_at < cutoff)).rowcount
    return Deleted(removed_jobs, removed_items)
