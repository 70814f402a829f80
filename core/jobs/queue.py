"""The task queue: Huey, on a SQLite file by default (no server) or Redis for workers on several machines.

Tasks carry only a job id; what to do, and how far it got, is in the jobs
table (core/storage/jobs.py). ``CROSSCHECK_QUEUE_URL``:

* unset: ``SqliteHuey`` in ``$CROSSCHECK_HOME/queue.db``, for one machine;
* ``redis://host:port/db``: ``PriorityRedisHuey``, for workers on any number of machines;
* ``memory://``: Huey's immediate mode, which runs each job inside the process
  that submits it (tests, and scripts that want no worker).
"""
from __future__ import annotations

import logging
import os
import signal
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from huey import Huey, MemoryHuey, PriorityRedisHuey, SqliteHuey, crontab
from redis.exceptions import RedisError

from ..errors import InputError, QueueUnavailableError
from ..pipeline import SourceInput
from ..retention import Retained, apply_retention
from ..settings import Settings
from ..storage import Storage
from ..storage.jobs import Job, new_id
from . import feeds, inputs
from .memory import give_back_freed
from .runner import MAX_ATTEMPTS, run_job

logger = logging.getLogger(__name__)

QUEUE_NAME = "crosscheck"
# Priorities in the queue, higher first. The periodic tasks must not wait behind a batch of
# analyses (a lost job would be re-queued, and feeds polled, only once the batch is done), and a
# lost job, once re-queued, goes ahead of the batch it was part of.
PERIODIC_PRIORITY = 20
RECOVERED_PRIORITY = 10


def build_huey(settings: Settings) -> Huey:
    url = settings.queue_url
    if not url or url.startswith("sqlite:///"):
        return _sqlite_huey(Path(url.removeprefix("sqlite:///")) if url else settings.queue_path)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return PriorityRedisHuey(QUEUE_NAME, url=url)  # a sorted set instead of a list: honours priorities (Redis >= 5)
    if url == "memory://":
        return MemoryHuey(QUEUE_NAME, immediate=True)
    raise InputError(f"CROSSCHECK_QUEUE_URL {url!r} is not a queue Crosscheck knows.",
                     hint="Use redis://host:6379/0, sqlite:///path/queue.db or memory://, or leave it unset.")


def _sqlite_huey(path: Path) -> SqliteHuey:
    """The queue in a SQLite file, made if need be (Huey creates its tables on opening)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path))
    except (sqlite3.Error, OSError) as exc:  # a read-only home, a folder that cannot be made
        raise QueueUnavailableError(f"The queue's file {path} cannot be opened: {exc}.",
                                    hint="Make its folder writable, or set CROSSCHECK_QUEUE_URL (or CROSSCHECK_HOME).") from None


class JobQueue:
    """Submits jobs and runs them: the same object in the dashboard, the CLI and the worker."""

    def __init__(self, settings: Settings, storage: Storage) -> None:
        self.settings = settings
        self.storage = storage
        self.huey = build_huey(settings)
        self._restart_after, self._jobs_run, self._jobs_lock = 0, 0, threading.Lock()
        self._run = self.huey.task(name="run_job")(self._run_job)
        self.huey.periodic_task(crontab(minute="*"), name="requeue_lost_jobs", priority=PERIODIC_PRIORITY)(self.requeue_lost_jobs)
        self.huey.periodic_task(crontab(minute=f"*/{settings.feed_poll_minutes}"), name="poll_feeds",
                                priority=PERIODIC_PRIORITY)(self.poll_feeds)
        self.huey.periodic_task(crontab(minute="17"), name="apply_retention",
                                priority=PERIODIC_PRIORITY)(self.apply_retention)
        self.huey.periodic_task(crontab(minute="*"), name="compact_word_counts",
                                priority=PERIODIC_PRIORITY)(self.compact_word_counts)

    # ------------------------------------------------------------------ submitting

    def submit_analyses(self, sources: Sequence[SourceInput], *, engine: str, evidence_sources: Sequence[str],
                        fresh: bool = False, batch_id: str | None = None,
                        overrides: Sequence[dict[str, str]] | None = None, retry_transient: bool = True) -> list[Job]:
        """One analyze job per source, in order; the same URL or text twice in a batch is one job (listed twice).

        ``overrides`` gives, per source, an outlet or title that replaces the extracted one (a batch CSV's columns).
        With ``retry_transient``, a job that fails for a reason that may pass (a timeout, a 5xx) is tried again
        later; the Analyze page turns it off, since the analyst is waiting and has a "Try again" button.
        """
        from ..engines import ENGINES
        from ..evidence import require_known_sources

        if engine not in ENGINES.names():
            raise InputError(f"Unknown engine {engine!r}.", hint=f"Choose from: {', '.join(ENGINES.names())}.")
        require_known_sources(evidence_sources)
        batch_id = batch_id or new_id()
        submitted: list[Job] = []
        for number, source in enumerate(sources):
            params = inputs.to_params(source, self.settings)
            extra = dict(overrides[number]) if overrides else {}
            job, created = self.storage.jobs.create(
                "analyze", extra.get("title") or inputs.label(params),
                {"input": params, "engine": engine, "sources": list(evidence_sources), "fresh": fresh, "overrides": extra,
                 "retry_transient": retry_transient},
                batch_id=batch_id, dedupe_key=_submission_key(params, engine, evidence_sources, fresh),
            )
            if created:
                self._send_new(job.id)
            submitted.append(job)
        return submitted

    def submit_rerun(self, analysis_id: str, *, engine: str, evidence_sources: Sequence[str]) -> Job:
        """Analyse a stored article again (the earlier analysis stays as history)."""
        self.storage.get(analysis_id)  # a clear error now rather than a failed job later
        params = inputs.stored(analysis_id)
        job, created = self.storage.jobs.create("analyze", inputs.label(params),
                                                {"input": params, "engine": engine, "sources": list(evidence_sources)},
                                                dedupe_key=_submission_key(params, engine, evidence_sources, False))
        if created:
            self._send_new(job.id)
        return job

    def submit_feed_poll(self, feed_id: int) -> Job:
        feed = self.storage.feeds.get(feed_id)
        job, created = self.storage.jobs.create(feeds.KIND, f"feed {feed.url}", {"feed_id": feed_id},
                                                dedupe_key=f"{feeds.KIND}:{feed_id}")
        if created:
            self._send_new(job.id)
        return job

    def retry(self, job_id: str) -> Job:
        job = self.storage.jobs.retry(job_id)
        try:
            self.enqueue(job_id)
        except QueueUnavailableError as error:  # failed it was, failed it stays, saying why it was not tried again
            self.storage.jobs.fail(job_id, "", error.message, error.hint)
            raise
        return self.storage.jobs.get(job.id)

    def enqueue(self, job_id: str, *, delay: float | None = None, priority: int | None = None) -> None:
        """Put the job's task on the queue; QueueUnavailableError when the queue cannot be reached or written."""
        try:
            if delay:
                self._run.schedule(args=(job_id,), delay=delay, priority=priority)
            else:
                self._run(job_id, priority=priority)
        except (RedisError, sqlite3.Error, OSError) as exc:
            where = "Redis" if isinstance(exc, RedisError) else "its SQLite file"
            raise QueueUnavailableError(f"Nothing was queued: the queue ({where}) is unreachable: {exc}") from exc

    def _send_new(self, job_id: str) -> None:
        """Queue a job just created; one the queue would not take is deleted, so no job waits for a task that never comes."""
        try:
            self.enqueue(job_id)
        except QueueUnavailableError:
            self.storage.jobs.discard(job_id)
            raise

    # ------------------------------------------------------------------ running (in the worker)

    def _run_job(self, job_id: str) -> None:
        try:
            run_job(job_id, self)
        finally:
            give_back_freed()  # what the job's analysis freed goes back to the system, so the worker's memory stays flat
            self._count_job()

    def restart_after(self, jobs: int) -> None:
        """In a worker process: once ``jobs`` jobs have run, restart it (0: never).

        A worker's native memory (the ONNX runtime's arenas among it) grows with every analysis
        and does not come back; a fresh process does. Huey's consumer restarts on SIGHUP: it lets
        the running jobs finish, then runs its command line again in this process.
        """
        self._restart_after = jobs

    def _count_job(self) -> None:
        with self._jobs_lock:
            self._jobs_run += 1
            due = self._restart_after and self._jobs_run == self._restart_after
        if due:
            logger.info("this worker ran %d jobs: restarting it to give its memory back", self._jobs_run)
            os.kill(os.getpid(), signal.SIGHUP)

    def requeue_lost_jobs(self) -> list[str]:
        """Send again the jobs whose task is gone: those whose worker died, and queued ones missing from the queue.

        A running job whose worker stopped heartbeating "lost its worker". A queued job, idle for a
        heartbeat timeout, whose task is neither pending nor scheduled never reached the queue (the
        queue failed as a worker re-queued it) or was lost with it (an emptied or crashed Redis). A
        job whose task is in the queue is never sent again, however long a batch makes it wait.
        Their analyses are stored once all the same (a job is claimed atomically).
        """
        timeout = self.settings.job_heartbeat_timeout
        lost = self.storage.jobs.requeue_silent(heartbeat_timeout=timeout, max_attempts=MAX_ATTEMPTS)
        for job_id in lost:
            logger.warning("job %s lost its worker (no heartbeat for %.0f s); queued again", job_id, timeout)
            self.enqueue(job_id, priority=RECOVERED_PRIORITY)
        waiting = self.storage.jobs.waiting(idle_for=timeout)
        if not waiting:
            return lost
        in_queue = self._jobs_with_a_task()
        missing = self.storage.jobs.mark_resent([job_id for job_id in waiting if job_id not in in_queue],
                                                "Sent to the queue again: its task was not in the queue")
        for job_id in missing:
            logger.warning("job %s was queued but its task is not in the queue (never sent, or lost with the queue); "
                           "sent again", job_id)
            self.enqueue(job_id, priority=RECOVERED_PRIORITY)
        return lost + missing

    def _jobs_with_a_task(self) -> set[str]:
        """The job ids of the run_job tasks waiting in the queue or scheduled for later (a retry's delay)."""
        tasks = [*self.huey.pending(), *self.huey.scheduled()]
        return {task.args[0] for task in tasks if isinstance(task, self._run.task_class) and task.args}

    def poll_feeds(self) -> list[Job]:
        """Queue a poll of each feed that no other worker's scheduler has just queued (every worker runs this task)."""
        every = self.settings.feed_poll_minutes * 60
        return [self.submit_feed_poll(feed.id) for feed in self.storage.feeds.list()
                if self.storage.feeds.claim_poll(feed.id, every_seconds=every)]

    def apply_retention(self) -> Retained:
        """Delete expired cache entries, old finished jobs and old feed items (core.retention)."""
        return apply_retention(self.settings, self.storage)

    def compact_word_counts(self) -> int:
        """Fold the library search's per-word count changes into its counts (PostgreSQL; see core.storage.library_index)."""
        return self.storage.compact_word_counts()

    def consumer(self, workers: int) -> Any:
        """A Huey consumer running ``workers`` threads (analyses wait on the network and release the GIL in numpy)."""
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True, check_worker_health=True)


def _submission_key(params: dict[str, Any], engine: str, evidence_sources: Sequence[str], fresh: bool) -> str:
    """Same input analysed the same way: one job while it waits or runs, and once per batch."""
    return "|".join((inputs.dedupe_key(params), engine, ",".join(sorted(evidence_sources)), "fresh" if fresh else ""))


_QUEUES: dict[tuple[str, str], JobQueue] = {}


def get_queue(settings: Settings, storage: Storage) -> JobQueue:
    """One queue per (queue URL, database) in a process."""
    key = (settings.queue_url or str(settings.queue_path), storage.database.url)
    if key not in _QUEUES:
        _QUEUES[key] = JobQueue(settings, storage)
    return _QUEUES[key]
