"""A worker restarts itself after CROSSCHECK_WORKER_MAX_JOBS jobs (Huey's graceful restart): the jobs all run, and the
process starts afresh (its start-up line twice) as the same command, so its memory goes back to a new process's."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.jobs.queue import JobQueue
from core.settings import get_settings
from core.storage import Storage
from testkit.local_server import LocalServer, Reply

ROOT = Path(__file__).resolve().parent.parent
EMPTY_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title>
<link>https://gazette.example/</link><description>news</description></channel></rss>"""


@pytest.mark.processes
def test_a_worker_restarts_after_its_max_jobs_and_runs_the_rest(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSCHECK_QUEUE_URL", f"sqlite:///{tmp_path / 'queue.db'}")
    monkeypatch.setenv("CROSSCHECK_WORKER_MAX_JOBS", "2")
    get_settings.cache_clear()
    settings = get_settings()
    storage = Storage(settings.database)
    queue = JobQueue(settings, storage)
    with LocalServer() as site:
        feeds = []
        for n in range(5):
            site.routes[f"/feed{n}.xml"] = Reply(body=EMPTY_FEED, content_type="application/rss+xml")
            feeds.append(storage.feeds.add(site.url(f"/feed{n}.xml")))
        jobs = [queue.submit_feed_poll(feed.id) for feed in feeds]
        worker = subprocess.Popen([sys.executable, "-m", "core", "worker", "--workers", "1"], cwd=ROOT, env=dict(os.environ),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not all(storage.jobs.get(j.id).status == "done" for j in jobs):
                time.sleep(0.5)
            time.sleep(3)  # a restart asked for by the last jobs completes
        finally:
            worker.terminate()
            _, stderr = worker.communicate(timeout=30)
    assert [storage.jobs.get(j.id).status for j in jobs] == ["done"] * 5, stderr
    # Started, restarted after job 2, and after job 4 (unless the one thread took job 5 before the restart began).
    assert stderr.count("worker: 1 threads") in (2, 3), stderr
