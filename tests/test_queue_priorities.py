"""The periodic tasks and re-queued lost jobs go ahead of a queued batch, on the SQLite queue and on Redis."""
from __future__ import annotations

import time
from datetime import datetime

import pytest

from core.jobs.queue import JobQueue
from core.pipeline import TextInput
from core.settings import get_settings
from core.storage import Storage
from core.storage.tables import jobs
from testkit.articles import TEXT


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.processes)])
def queue(request, monkeypatch, tmp_path):
    """A queue that nobody consumes: the default SQLite file, or a real Redis server."""
    if request.param == "sqlite":
        monkeypatch.delenv("CROSSCHECK_QUEUE_URL")
    else:
        monkeypatch.setenv("CROSSCHECK_QUEUE_URL", request.getfixturevalue("redis_url"))
    get_settings.cache_clear()
    job_queue = JobQueue(get_settings(), Storage(tmp_path / "library.db"))
    job_queue.huey.flush()
    yield job_queue
    job_queue.huey.flush()


def test_a_lost_job_and_the_periodic_tasks_do_not_wait_behind_a_batch(queue):
    batch = queue.submit_analyses([TextInput(f"{TEXT}\nVersion {n}.") for n in range(3)], engine="local",
                                  evidence_sources=())
    lost = batch[0]
    assert queue.huey.dequeue().args == (lost.id,)  # a worker took its task, claimed the job, then died
    assert queue.storage.jobs.claim(lost.id, "a worker that died")
    with queue.storage.database.write() as db:  # its heartbeat stopped an hour ago
        db.execute(jobs.update().where(jobs.c.id == lost.id).values(heartbeat_at=time.time() - 3600))
    assert queue.requeue_lost_jobs() == [lost.id]
    # What a worker's scheduler does at the top of the hour: queue every periodic task that is due.
    for periodic in queue.huey.read_periodic(datetime(2026, 1, 1, 12, 0)):
        queue.huey.enqueue(periodic)

    pending = [task.args[0] if task.args else task.name for task in queue.huey.pending()]
    assert sorted(pending[:2]) == ["poll_feeds", "requeue_lost_jobs"], pending
    assert pending[2:] == [lost.id, *(job.id for job in batch[1:])]


def test_a_long_batch_waiting_its_turn_is_not_sent_again_but_tasks_that_vanished_are(queue):
    batch = queue.submit_analyses([TextInput(f"{TEXT}\nVersion {n}.") for n in range(3)], engine="local",
                                  evidence_sources=())
    with queue.storage.database.write() as db:  # queued long ago, far beyond ten heartbeat timeouts
        db.execute(jobs.update().values(created_at="2020-01-01T00:00:00+00:00"))
    assert queue.requeue_lost_jobs() == []
    assert queue.huey.pending_count() == 3

    queue.huey.flush()  # the queue lost its tasks (an emptied or crashed Redis)
    assert sorted(queue.requeue_lost_jobs()) == sorted(job.id for job in batch)
    assert queue.huey.pending_count() == 3
