"""The lost-job sweep, on the SQLite queue and a real Redis: what it sends again, once, and what it says.

Two cases, told apart in the log and the job's message: a running job whose worker stopped
heartbeating ("lost its worker"), and a queued job whose task is not in the queue (it never
reached it, or the queue lost it). A job whose task is in the queue, however long it has waited,
is never sent again.
"""
from __future__ import annotations

import logging
import time

from core.pipeline import TextInput
from core.storage.tables import jobs
from testkit.articles import TEXT


def _batch(queue, size: int):
    return queue.submit_analyses([TextInput(f"{TEXT}\nVersion {n}.") for n in range(size)], engine="local",
                                 evidence_sources=())


def _age(queue, job_ids, seconds: float) -> None:
    """Make the jobs look queued ``seconds`` ago (created then, and untouched since)."""
    then = time.time() - seconds
    created = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(then))
    with queue.storage.database.write() as db:
        db.execute(jobs.update().where(jobs.c.id.in_(list(job_ids))).values(created_at=created, heartbeat_at=None))


def _queued_ids(queue) -> list[str]:
    return sorted(task.args[0] for task in queue.huey.pending() if task.args)


def test_a_long_batch_waiting_its_turn_is_not_sent_again_but_tasks_that_vanished_are(queue_nobody_consumes):
    queue = queue_nobody_consumes
    batch = _batch(queue, 3)
    _age(queue, (job.id for job in batch), 10 * 365 * 86400)  # queued years ago, far beyond any timeout
    assert queue.requeue_lost_jobs() == []
    assert queue.huey.pending_count() == 3

    queue.huey.flush()  # the queue lost its tasks (an emptied or crashed Redis)
    assert sorted(queue.requeue_lost_jobs()) == sorted(job.id for job in batch)
    assert queue.huey.pending_count() == 3


def test_only_the_job_missing_from_the_queue_is_sent_again_promptly_and_once(queue_nobody_consumes, caplog):
    queue = queue_nobody_consumes
    timeout = queue.settings.job_heartbeat_timeout
    batch = _batch(queue, 4)
    missing = batch[1]
    assert queue.huey.dequeue().args == (batch[0].id,)
    queue.huey.flush()  # the queue lost every task; put back all but one
    for job in batch:
        if job is not missing:
            queue.enqueue(job.id)
    # Queued eleven heartbeat timeouts ago: the whole batch has waited long, and one task is missing.
    _age(queue, (job.id for job in batch), 11 * timeout)
    with caplog.at_level(logging.WARNING, logger="core.jobs.queue"):
        assert queue.requeue_lost_jobs() == [missing.id]
        assert _queued_ids(queue) == sorted(job.id for job in batch)  # 4 tasks for 4 jobs, not 3 + 4
        assert queue.requeue_lost_jobs() == []  # once: its task is in the queue now
        _age(queue, (job.id for job in batch), 11 * timeout)
        assert queue.requeue_lost_jobs() == []  # and stays there however long it waits
    assert queue.huey.pending_count() == 4
    (record,) = caplog.records
    assert missing.id in record.getMessage() and "not in the queue" in record.getMessage()
    assert "lost its worker" not in record.getMessage()
    assert "not in the queue" in queue.storage.jobs.get(missing.id).message


def test_a_job_that_never_reached_the_queue_waits_only_a_heartbeat_timeout(queue_nobody_consumes):
    queue = queue_nobody_consumes
    job, _ = queue.storage.jobs.create("analyze", "pasted text", {"input": {"kind": "text", "text": TEXT},
                                                                  "engine": "local", "sources": []})
    assert queue.requeue_lost_jobs() == []  # just made: its submit may be about to send it
    _age(queue, [job.id], queue.settings.job_heartbeat_timeout + 5)
    assert queue.requeue_lost_jobs() == [job.id]
    assert _queued_ids(queue) == [job.id]


def test_a_started_job_whose_worker_went_silent_is_the_one_that_lost_its_worker(queue_nobody_consumes, caplog):
    queue = queue_nobody_consumes
    started, never_sent = _batch(queue, 2)
    assert queue.huey.dequeue().args == (started.id,)  # a worker took its task, claimed the job, then died
    assert queue.storage.jobs.claim(started.id, "a worker that died")
    assert queue.huey.dequeue().args == (never_sent.id,)  # this task vanished before any worker saw it
    with queue.storage.database.write() as db:
        db.execute(jobs.update().where(jobs.c.id == started.id).values(heartbeat_at=time.time() - 3600))
    _age(queue, [never_sent.id], 2 * queue.settings.job_heartbeat_timeout)
    with caplog.at_level(logging.WARNING, logger="core.jobs.queue"):
        assert sorted(queue.requeue_lost_jobs()) == sorted([started.id, never_sent.id])
    said = {record.getMessage() for record in caplog.records}
    assert any(started.id in line and "lost its worker" in line for line in said), said
    assert any(never_sent.id in line and "not in the queue" in line and "lost its worker" not in line for line in said), said
    assert _queued_ids(queue) == sorted([started.id, never_sent.id])
    assert queue.storage.jobs.get(started.id).message.startswith("Queued again: its worker stopped")
