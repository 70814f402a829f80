"""The job queue with real workers: SqliteHuey and a real Redis, batches, failures, lost jobs, feeds."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from core.cli import main
from core.jobs.queue import get_queue
from core.pipeline import TextInput
from core.settings import get_settings
from core.storage import Storage
from testkit.articles import PARAGRAPHS, TEXT, TITLE
from testkit.local_server import LocalServer, Reply, article_html

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.processes)])
def queue_url(request, tmp_path):
    """The two queue back-ends: SqliteHuey in a file, PriorityRedisHuey on the session's Redis server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.db'}"
    return request.getfixturevalue("redis_url").rsplit("/", 1)[0] + f"/{os.getpid() % 16}"


@pytest.fixture
def worker(monkeypatch, tmp_path, queue_url):
    """A real `python -m core worker` process on the test's database and queue, stopped after the test."""
    monkeypatch.setenv("CROSSCHECK_QUEUE_URL", queue_url)
    get_settings.cache_clear()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    process = subprocess.Popen([sys.executable, "-m", "core", "worker", "--workers", "2"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.processes
def test_a_batch_runs_on_real_workers_and_duplicates_are_analysed_once(worker, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(TEXT, encoding="utf-8")
    with LocalServer() as server:
        server.routes["/one"] = Reply(body=article_html(TITLE, PARAGRAPHS), delay=0.3)
        server.routes["/gone"] = Reply(404, "missing", "text/plain")
        code, out, err = run("submit", str(story), server.url("/one"), str(story), server.url("/gone"),
                             "--sources", "none", "--wait", "--json")
    assert code == 1  # one of them failed
    lines = [json.loads(line) for line in out.splitlines()]
    documents = [line for line in lines if "schema" in line]
    errors = [line for line in lines if "error" in line]
    assert len(documents) == 2 and {d["article"]["title"] for d in documents} == {TITLE}
    assert errors == [{"source": server.url("/gone"), "error": errors[0]["error"]}] and "HTTP 404" in errors[0]["error"]
    storage = Storage(get_settings().database)
    assert storage.count() == 2  # the same file twice is one analysis
    jobs = storage.jobs.list()
    assert sorted(j.status for j in jobs) == ["done", "done", "failed"]
    assert all(j.analysis_id == j.id for j in jobs if j.status == "done")  # idempotent by job id


@pytest.mark.processes
def test_the_jobs_command_lists_and_retries(worker, tmp_path):
    with LocalServer() as server:
        server.routes["/gone"] = Reply(404, "missing", "text/plain")
        code, _, _ = run("submit", server.url("/gone"), "--sources", "none", "--wait")
        assert code == 1
        code, out, _ = run("jobs", "--json")
        (job,) = [json.loads(line) for line in out.splitlines()]
        assert job["status"] == "failed" and "HTTP 404" in job["error"] and job["attempts"] == 1
        server.routes["/gone"] = Reply(body=article_html(TITLE, PARAGRAPHS))
        assert run("jobs", "--retry", job["id"])[0] == 0
        storage = Storage(get_settings().database)
        deadline = time.monotonic() + 90
        while storage.jobs.get(job["id"]).status != "done" and time.monotonic() < deadline:
            time.sleep(0.3)
    done = storage.jobs.get(job["id"])
    assert done.status == "done" and done.attempts == 2 and storage.get(done.analysis_id).article.title == TITLE


def test_a_job_whose_worker_died_runs_again_and_is_stored_once(monkeypatch):
    """A worker claims a job and dies (its heartbeat stops): the periodic check queues it again."""
    monkeypatch.setenv("CROSSCHECK_JOB_HEARTBEAT_TIMEOUT", "0.5")
    get_settings.cache_clear()
    settings = get_settings()
    storage = Storage(settings.database)
    queue = get_queue(settings, storage)
    job, _ = storage.jobs.create("analyze", "pasted text", {"input": {"kind": "text", "text": TEXT}, "engine": "local",
                                                            "sources": [], "fresh": False})
    assert storage.jobs.claim(job.id, "a-worker-that-died") is not None
    time.sleep(0.7)
    assert queue.requeue_lost_jobs() == [job.id]  # immediate mode: it runs right away
    finished = storage.jobs.get(job.id)
    assert finished.status == "done" and finished.attempts == 2 and storage.count() == 1
    assert queue.requeue_lost_jobs() == []
    # A worker that finds its job's analysis already stored (it died after saving) does not store it twice.
    twin, _ = storage.jobs.create("analyze", "pasted text", {"input": {"kind": "text", "text": TEXT}, "engine": "local",
                                                             "sources": [], "fresh": False})
    from core.pipeline import analyze

    analyze(TextInput(TEXT), storage=storage, job_id=twin.id)
    queue.enqueue(twin.id)
    assert storage.jobs.get(twin.id).analysis_id == twin.id and storage.count(latest_only=False) == 2


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Test Gazette</title>
<item><title>One</title><link>{base}/one</link><guid>one</guid></item>
<item><title>Two</title><link>{base}/two</link><guid>two</guid></item>
<item><title>Not a page</title><link>mailto:editor@example.org</link></item>
</channel></rss>"""


def test_feeds_queue_new_items_once_and_honour_etags():
    requests_seen: list[str | None] = []
    with LocalServer() as server:
        feed_body = RSS.format(base=server.base_url)

        def feed(handler):
            requests_seen.append(handler.headers.get("If-None-Match"))
            if handler.headers.get("If-None-Match") == '"v1"':
                return Reply(304, b"", "application/rss+xml")
            return Reply(200, feed_body, "application/rss+xml", headers={"ETag": '"v1"'})

        server.routes["/rss"] = feed
        server.routes["/one"] = Reply(body=article_html("Story one", PARAGRAPHS))
        server.routes["/two"] = Reply(body=article_html("Story two", PARAGRAPHS[1:] + PARAGRAPHS[:1]))
        assert run("feeds", "add", server.url("/rss"), "--sources", "none")[0] == 0
        code, out, _ = run("feeds", "poll", "--json")
        assert code == 0 and [json.loads(line)["url"] for line in out.splitlines()] == [server.url("/one"), server.url("/two")]
        assert run("feeds", "poll", "--json")[1] == ""  # 304: nothing new
        assert requests_seen == [None, '"v1"']
        code, out, _ = run("feeds", "list")
    assert "Test Gazette" in out and "2 items" in out
    storage = Storage(get_settings().database)
    assert sorted(s.title for s in storage.summaries()) == ["Story one", "Story two"]


def test_a_feed_that_is_not_a_feed_says_so():
    with LocalServer() as server:
        server.routes["/page"] = Reply(body="<html><body><p>just a page</p></body></html>")
        run("feeds", "add", server.url("/page"))
        code, _, err = run("feeds", "poll")
    assert code == 1 and "is not an RSS or Atom feed" in err
    feed = Storage(get_settings().database).feeds.list()[0]
    assert "not an RSS or Atom feed" in feed.last_error


def test_unknown_queue_urls_are_refused_clearly(monkeypatch, tmp_path):
    monkeypatch.setenv("CROSSCHECK_QUEUE_URL", "amqp://broker")
    get_settings.cache_clear()
    code, _, err = run("submit", str(tmp_path / "none.txt"))
    assert code == 1 and "CROSSCHECK_QUEUE_URL" in err
