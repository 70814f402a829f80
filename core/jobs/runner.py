"""Running one job in a worker: claim it, keep its heartbeat, record its progress, store its result exactly once."""
from __future__ import annotations

import logging
import os
import socket
import threading
from typing import TYPE_CHECKING

from ..errors import CrosscheckError, HTTPStatusError, TransportError
from ..pipeline import StageEvent, analyze
from ..storage import Storage
from ..storage.jobs import Job
from . import crossrefs, inputs

if TYPE_CHECKING:
    from .queue import JobQueue

logger = logging.getLogger(__name__)

# A job that failed for a reason that may pass (a timeout, a 5xx, a 429) runs again, this many times in all.
MAX_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 20.0


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


def run_job(job_id: str, queue: JobQueue) -> Job | None:
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


def _work(job: Job, *, queue: JobQueue, worker: str) -> str | None:
    storage, settings = queue.storage, queue.settings
    if job.kind == "analyze":
        if storage.exists(job.id):
            return job.id  # stored by an earlier attempt whose worker died before it could say so

        def on_stage(event: StageEvent) -> None:
            if event.state in ("running", "progress"):
                storage.jobs.progress(job.id, worker, stage=event.stage, message=event.message, fraction=event.fraction)

        params = job.params
        analysis = analyze(inputs.resolve(params["input"], storage), engine=params["engine"], sources=params["sources"],
                           on_stage=on_stage, settings=settings, storage=storage, fresh=params.get("fresh", False),
                           job_id=job.id, overrides=params.get("overrides") or {})
        crossrefs.after_store(analysis, queue)
        return analysis.id
    if job.kind == crossrefs.KIND:
        return crossrefs.recheck(job, queue, worker)
    if job.kind == "poll_feed":
        from .feeds import poll_feed

        poll_feed(int(job.params["feed_id"]), queue)
        return None
    raise ValueError(f"unknown job kind {job.kind!r}")
