"""The real dashboard (``streamlit run app.py``) and, as ``make run`` starts it, a worker beside it, for browser tests.

Their output goes to log files in the test's home folder, never to a pipe nobody
reads: a pipe fills up after 64 kB of log lines and then blocks the dashboard
mid-request, which a browser test sees as a page that never loads.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60
# Variables of the machine running the tests that would change what the dashboard does.
FOREIGN_PREFIXES = ("CROSSCHECK_", "ANTHROPIC_", "GOOGLE_", "BRAVE_")


def wait_until_healthy(port: int, process: subprocess.Popen, log_tail: Callable[[], str]) -> None:
    """Wait for the dashboard on ``port`` to answer its health check; RuntimeError with the log's tail if
    ``process`` exits first or START_SECONDS pass."""
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"streamlit did not start: {log_tail()}")
        time.sleep(0.3)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, chars: int = 2000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-chars:] if path.exists() else ""


@contextmanager
def running_dashboard(home: Path, settings: Mapping[str, str], *, worker: bool = True) -> Iterator[str]:
    """Start the dashboard (and a two-thread worker) with CROSSCHECK_HOME=``home`` and ``settings``; yields its address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN_PREFIXES)}
    env.update(CROSSCHECK_HOME=str(home), CROSSCHECK_SECRETS_FILE=str(home / "none.toml"), **settings)
    port = free_port()
    dashboard_log, worker_log = home / "dashboard.log", home / "worker.log"
    children: list[subprocess.Popen] = []
    with open(dashboard_log, "wb") as dashboard_out, open(worker_log, "wb") as worker_out:
        children.append(subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=dashboard_out, stderr=subprocess.STDOUT))
        if worker:
            children.append(subprocess.Popen([sys.executable, "-m", "core", "worker", "--workers", "2"], cwd=ROOT,
                                             env=env, stdout=worker_out, stderr=subprocess.STDOUT))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(port, children[0], lambda: _tail(dashboard_log))
        yield base
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
