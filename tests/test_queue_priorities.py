"""The periodic tasks and re-queued lost jobs go ahead of a queued batch, on the SQLite queue and on Redis."""
from __future__ import annotations

import time
from datetime import datetime

from core.pipeline import TextInput
from core.storage.tables import jobs
from testkit.articles import TEXT


def test_a_lost_job_and_the_periodic_tasks_do_not_wait_behind_a_batch(queue_nobody_consumes):
    queue = queue_nobody_consumes
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
    assert sorted(pending[:3]) == ["compact_word_counts", "poll_feeds", "requeue_lost_jobs"], pending
    assert pending[3:] == [lost.id, *(job.id for job in batch[1:])]

