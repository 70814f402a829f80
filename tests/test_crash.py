"""A worker killed with kill -9 in the middle of a batch loses nothing: every analysis is stored, each exactly once.

Two real ``python -m core worker`` processes share the SQLite database and the
SqliteHuey queue; one is killed while it runs a job. Huey never hands that task
out again, so the job stays "running" until its heartbeat is older than
CROSSCHECK_JOB_HEARTBEAT_TIMEOUT and ``requeue_lost_jobs`` puts it back in the
queue. In a worker that task runs every minute (bench/bench_crash.py measures
that); here the test calls it once the heartbeat has expired, to stay well
under a minute.
"""
from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import func, select

from core.jobs.queue import JobQueue
from core.pipeline import UrlInput
from core.settings import get_settings
from core.storage import Storage
from core.storage.tables import analyses, articles
from testkit.articles import PARAGRAPHS, TITLE
from testkit.local_server import LocalServer, Reply, article_html
from testkit.workers import running_workers

pytestmark = pytest.mark.processes

ARTICLES = 3
# Each page answers this late, so that the killed worker is surely in the middle of a job.
PAGE_DELAY_S = 0.5
HEARTBEAT_TIMEOUT_S = 2
# The test takes 15-25 s on 2 idle cores (two worker start-ups, the local engine loaded in each, three short
# articles); the bound is generous because a busy machine slows both processes several times over.
DEADLINE_S = 180.0


def test_a_worker_killed_mid_batch_loses_nothing_and_stores_nothing_twice(tmp_path, monkeypatch):
    monkeypatch.delenv("CROSSCHECK_QUEUE_URL")  # the default: the SqliteHuey file in CROSSCHECK_HOME
    monkeypatch.setenv("CROSSCHECK_JOB_HEARTBEAT_TIMEOUT", str(HEARTBEAT_TIMEOUT_S))
    get_settings.cache_clear()
    settings = get_settings()
    storage = Storage(settings.database)
    queue = JobQueue(settings, storage)
    deadline = time.monotonic() + DEADLINE_S

    with LocalServer() as site, running_workers(dict(os.environ), tmp_path / "workers", processes=2) as (victim, survivor):
        for number in range(ARTICLES):
            site.routes[f"/story/{number}"] = Reply(body=article_html(f"{TITLE} ({number})", [*PARAGRAPHS, f"Story {number}."]),
                                                    delay=PAGE_DELAY_S)
        jobs = queue.submit_analyses([UrlInput(site.url(f"/story/{n}")) for n in range(ARTICLES)], engine="local",
                                     evidence_sources=())
        batch = jobs[0].batch_id

        lost = None
        while lost is None:
            assert time.monotonic() < deadline, f"no job ran on worker {victim.pid}:\n{victim.output()}"
            lost = next((j for j in storage.jobs.list(statuses=("running",), batch_id=batch) if victim.runs(j.worker)), None)
            time.sleep(0.05)
        victim.kill()

        time.sleep(HEARTBEAT_TIMEOUT_S + 0.5)
        assert storage.jobs.get(lost.id).status == "running"  # nobody else will take it: Huey does not redeliver
        assert queue.requeue_lost_jobs() == [lost.id]

        while storage.jobs.counts(batch_id=batch)["done"] < ARTICLES:
            assert time.monotonic() < deadline, f"batch not done: {storage.jobs.counts(batch_id=batch)}\n{survivor.output()}"
            assert storage.jobs.counts(batch_id=batch)["failed"] == 0, storage.jobs.list(statuses=("failed",))
            time.sleep(0.2)

    assert storage.jobs.get(lost.id).attempts == 2
    with storage.database.read() as db:
        assert db.execute(select(func.count()).select_from(analyses)).scalar_one() == ARTICLES
        assert db.execute(select(func.count(func.distinct(analyses.c.job_id)))).scalar_one() == ARTICLES
        assert db.execute(select(func.count()).select_from(articles)).scalar_one() == ARTICLES
    assert {job.analysis_id for job in storage.jobs.list(batch_id=batch)} == {job.id for job in jobs}
