"""What goes wrong around the queue: Redis away at submit, double submits, a job that kills its worker, big files."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from core.cli import main
from core.errors import QueueUnavailableError
from core.jobs.queue import JobQueue
from core.jobs.runner import MAX_ATTEMPTS
from core.pipeline import TextInput, UrlInput
from core.settings import get_settings
from core.storage import Storage
from testkit.articles import TEXT
from testkit.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def idle_queue(monkeypatch, tmp_path):
    """A SQLite queue that no worker consumes: submitted jobs stay queued."""
    monkeypatch.setenv("CROSSCHECK_QUEUE_URL", f"sqlite:///{tmp_path / 'queue.db'}")
    get_settings.cache_clear()
    return JobQueue(get_settings(), Storage(get_settings().database))


def test_redis_down_at_submit_leaves_no_job_and_says_what_to_do(monkeypatch):
    monkeypatch.setenv("CROSSCHECK_QUEUE_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    get_settings.cache_clear()
    for _ in range(2):  # the analyst tries again: still no orphan job
        code, _, err = run("submit", "https://news.example/story", "--sources", "none")
        assert code == 1 and "the queue (Redis) is unreachable" in err and "Unexpected" not in err
    assert Storage(get_settings().database).jobs.list() == []


def test_a_failed_enqueue_of_a_retry_leaves_the_job_failed(idle_queue, monkeypatch):
    (job,) = idle_queue.submit_analyses([UrlInput("https://news.example/story")], engine="local", evidence_sources=())
    claimed = idle_queue.storage.jobs.claim(job.id, "w")
    idle_queue.storage.jobs.fail(job.id, "w", "HTTP 503")
    assert claimed is not None

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(idle_queue, "_run", refuse)
    with pytest.raises(QueueUnavailableError, match="unreachable"):
        idle_queue.retry(job.id)
    assert idle_queue.storage.jobs.get(job.id).status == "failed"


def test_the_same_url_submitted_twice_is_one_job_while_it_waits(idle_queue):
    first = idle_queue.submit_analyses([UrlInput("https://news.example/story")], engine="local", evidence_sources=())
    again = idle_queue.submit_analyses([UrlInput("https://news.example/story")], engine="local", evidence_sources=())
    assert [job.id for job in again] == [job.id for job in first]
    other_engine = idle_queue.submit_analyses([UrlInput("https://news.example/story")], engine="local",
                                              evidence_sources=("library",))
    assert other_engine[0].id != first[0].id  # other evidence sources: another analysis
    code, out, _ = run("submit", "https://news.example/story", "--sources", "none")
    assert code == 0 and out.split()[0] == first[0].id
    assert len(idle_queue.storage.jobs.list()) == 2


def test_a_job_that_keeps_killing_its_worker_fails_after_the_attempt_limit(monkeypatch, tmp_path):
    monkeypatch.setenv("CROSSCHECK_JOB_HEARTBEAT_TIMEOUT", "0.2")
    get_settings.cache_clear()
    storage = Storage(get_settings().database)
    job, _ = storage.jobs.create("analyze", "pasted text", {"input": {"kind": "text", "text": TEXT}, "engine": "local",
                                                            "sources": [], "fresh": False})
    for attempt in range(1, MAX_ATTEMPTS + 1):  # each attempt, the job's worker dies (out of memory, a crash)
        assert storage.jobs.claim(job.id, f"worker-{attempt}") is not None
        time.sleep(0.3)
        lost = storage.jobs.requeue_silent(heartbeat_timeout=0.2, max_attempts=MAX_ATTEMPTS)
        assert lost == ([job.id] if attempt < MAX_ATTEMPTS else [])
    failed = storage.jobs.get(job.id)
    assert failed.status == "failed" and failed.attempts == MAX_ATTEMPTS
    assert f"stopped {MAX_ATTEMPTS} times" in failed.error


def test_submit_refuses_a_file_over_the_limit_before_reading_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CROSSCHECK_MAX_DOWNLOAD_BYTES", "1000")
    get_settings.cache_clear()
    big = tmp_path / "big.txt"
    big.write_text(TEXT * 10, encoding="utf-8")
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read whole"))
    code, _, err = run("submit", str(big), "--sources", "none")
    assert code == 1 and "the limit is 1,000" in err
    assert Storage(get_settings().database).jobs.list() == []  # no job keeps its bytes


def test_a_small_file_still_travels_with_its_job(idle_queue, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(TEXT, encoding="utf-8")
    code, out, _ = run("submit", str(story), "--sources", "none")
    assert code == 0
    job = idle_queue.storage.jobs.get(out.split()[0])
    assert job.params["input"]["kind"] == "file" and job.params["input"]["name"] == "story.txt"


@pytest.mark.processes
def test_the_worker_of_make_run_is_started_again_when_it_dies(tmp_path):
    starts = tmp_path / "starts"
    env = {**os.environ, "CROSSCHECK_RESTART_DELAY": "0.2"}
    supervisor = subprocess.Popen(["bash", str(ROOT / "scripts" / "supervise.sh"), "sh", "-c", f"echo started >> {starts}; exit 3"],
                                  env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while (not starts.exists() or len(starts.read_text().splitlines()) < 3) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(starts.read_text().splitlines()) >= 3
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=10)
    assert "exited with status 3" in supervisor.stderr.read()
    assert supervisor.returncode == 0


@pytest.mark.processes
def test_stopping_the_supervisor_stops_its_worker(tmp_path):
    pid_file = tmp_path / "pid"
    supervisor = subprocess.Popen(["bash", str(ROOT / "scripts" / "supervise.sh"), "sh", "-c", f"echo $$ > {pid_file}; exec sleep 60"])
    deadline = time.monotonic() + 10
    while not (pid_file.exists() and pid_file.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(pid_file.read_text())
    supervisor.send_signal(signal.SIGTERM)
    supervisor.wait(timeout=10)
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_text_submitted_twice_in_one_batch_is_still_one_job(idle_queue):
    jobs = idle_queue.submit_analyses([TextInput(TEXT), TextInput(TEXT)], engine="local", evidence_sources=())
    assert jobs[0].id == jobs[1].id


def test_two_submits_at_the_same_moment_make_one_job(database_url):
    """Two clicks 300 ms apart, or two workers' polls: the check for a waiting job and the insert are one step."""
    import threading

    storage = Storage(database_url)
    made: list[str] = []

    def create(key: str, barrier: threading.Barrier) -> None:
        barrier.wait()
        made.append(storage.jobs.create("analyze", key, {}, dedupe_key=key)[0].id)

    for n in range(15):
        barrier = threading.Barrier(3)
        threads = [threading.Thread(target=create, args=(f"url:{n}", barrier)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(set(made)) == 15 and len(storage.jobs.list(limit=100)) == 15


def test_an_upload_or_standard_input_over_the_limit_makes_no_job(monkeypatch, idle_queue):
    from core.errors import InputError
    from core.pipeline import FileInput, StdinInput

    monkeypatch.setenv("CROSSCHECK_MAX_DOWNLOAD_BYTES", "1000")
    get_settings.cache_clear()
    idle_queue.settings = get_settings()
    for source in (FileInput("big.html", b"x" * 1001), StdinInput(b"x" * 1001)):
        with pytest.raises(InputError, match="the limit is 1,000"):
            idle_queue.submit_analyses([source], engine="local", evidence_sources=())
    assert idle_queue.storage.jobs.list() == []
