"""Running one job in a worker: claim it, keep its heartbeat, record its progress, store its result exactly once.

The runner owns the dispatch from a job's kind to its work (the pipeline, the
library re-check in core.crossrefs, the feed poll in core.jobs.feeds) and hands
that work what it needs to put new jobs on the queue; it reaches the queue only
through :class:`Queue`, so no module imports the queue back.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Protocol

from .. import crossrefs
from ..errors import CrosscheckError, HTTPStatusError, TransportError
from ..pipeline import StageEvent, analyze
from ..settings import Settings
from ..storage import Storage
from ..storage.jobs import Job
from . import feeds, inputs

logger = logging.getLogger(__name__)

# A job that failed for a reason that may pass (a timeout, a 5xx, a 429) runs again, this many times in all.
MAX_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 20.0


class Queue(Protocol):
    """What running a job needs of the queue (core.jobs.queue.JobQueue)."""

    settings: Settings
    storage: Storage

    submit_analyses: feeds.SubmitAnalyses

    def enqueue(self, job_id: str, *, delay: float | None = None, priority: int | None = None) -> None: ...


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


def transient(error: CrosscheckError) -> bool:
    """Failures worth another attempt later: the network, a server error, a rate limit."""
    return isinstance(error, TransportError) or (isinstance(error, HTTPStatusError) and error.retryable)


class _Heartbeat(threading.Thread):
    """Tells the database every few seconds that the job's worker is alive."""

    def __init__(self, storage: Storage, job_id: str, worker: str, interval: float) -> None:
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self.storage, self.job_id, self.worker, self.interval = storage, job_id, worker, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.storage.jobs.progress(self.job_id, self.worker)
            except CrosscheckError as exc:  # the database is away for a moment: the next beat may get through
                logger.warning("heartbeat of job %s failed: %s", self.job_id, exc.message)


def run_job(job_id: str, queue: Queue) -> Job | None:
    """Run the job if it is still queued; returns the job as it ended, or None when another worker had it."""
    storage, settings = queue.storage, queue.settings
    worker = worker_name()
    job = storage.jobs.claim(job_id, worker)
    if job is None:
        return None
    heartbeat = _Heartbeat(storage, job_id, worker, interval=max(1.0, settings.job_heartbeat_timeout / 6))
    heartbeat.start()
    try:
        analysis_id = _work(job, queue=queue, worker=worker)
    except CrosscheckError as error:
        if transient(error) and job.attempts < MAX_ATTEMPTS and job.params.get("retry_transient", True):
            logger.info("job %s failed (%s); retrying", job_id, error.message)
            storage.jobs.requeue(job_id, worker, f"Attempt {job.attempts} failed ({error.message}); trying again")
            queue.enqueue(job_id, delay=RETRY_DELAY_SECONDS * job.attempts)
        else:
            storage.jobs.fail(job_id, worker, error.message, error.hint)
    except Exception as exc:  # a bug: the job says so, the worker goes on with the next one
        logger.exception("job %s failed unexpectedly", job_id)
        storage.jobs.fail(job_id, worker, f"Unexpected {exc.__class__.__name__}: {exc}",
                          "This is a bug in Crosscheck; the worker's log has the details.")
    else:
        storage.jobs.finish(job_id, worker, analysis_id)
    finally:
        heartbeat.stopped.set()
    return storage.jobs.get(job_id)


def _work(job: Job, *, queue: Queue, worker: str) -> str | None:
    storage, settings = queue.storage, queue.settings

    def progress(stage: str, message: str, fraction: float | None = None) -> None:
        storage.jobs.progress(job.id, worker, stage=stage, message=message, fraction=fraction)

    if job.kind == "analyze":
        if storage.exists(job.id):
            return job.id  # stored by an earlier attempt whose worker died before it could say so

        def on_stage(event: StageEvent) -> None:
            if event.state in ("running", "progress"):
                progress(event.stage, event.message, event.fraction)

        params = job.params
        analysis = analyze(inputs.resolve(params["input"], storage), engine=params["engine"], sources=params["sources"],
                           on_stage=on_stage, settings=settings, storage=storage, fresh=params.get("fresh", False),
                           job_id=job.id, overrides=params.get("overrides") or {})
        crossrefs.after_store(analysis, storage, queue.enqueue)
        return analysis.id
    if job.kind == crossrefs.KIND:
        if storage.exists(job.id):
            return job.id  # stored by an earlier attempt whose worker died before it could say so
        return crossrefs.recheck(job.params["article_key"], job.id, storage=storage, settings=settings,
                                 on_progress=lambda message, fraction=None: progress("evidence", message, fraction)).id
    if job.kind == feeds.KIND:
        feeds.poll_feed(int(job.params["feed_id"]), storage=storage, settings=settings,
                        submit=queue.submit_analyses)
        return None
    raise ValueError(f"unknown job kind {job.kind!r}")
