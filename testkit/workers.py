"""Real ``python -m core worker`` processes for the queue tests and benchmarks: started, awaited, stopped or killed."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
# Importing the CLI and opening the database and queue; slow on a busy machine.
START_TIMEOUT_S = 120.0
# A worker stopped with SIGINT finishes the job in hand first.
STOP_TIMEOUT_S = 60.0


class WorkerProcess:
    """``python -m core worker --workers THREADS`` with the given environment, its output in ``log``."""

    def __init__(self, env: Mapping[str, str], log: Path, *, threads: int = 1) -> None:
        self.log = log
        with open(log, "w", encoding="utf-8") as output:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen([sys.executable, "-m", "core", "worker", "--workers", str(threads)],
                                            cwd=REPOSITORY, env=dict(env), stdout=output, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, deadline: float) -> None:
        """Until the worker printed its start line (it then takes jobs); raises if it exits or the deadline passes."""
        while "worker:" not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {self.pid} did not start:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def runs(self, job_worker: str) -> bool:
        """Whether a job's ``worker`` column (host:pid:thread) names this process."""
        return f":{self.pid}:" in job_worker

    def kill(self) -> None:
        """kill -9: the worker gets no chance to clean up, as in a crash or an out-of-memory kill."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """SIGINT, as Ctrl-C does; a worker already killed or stopped is left alone."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def running_workers(env: Mapping[str, str], folder: Path, *, processes: int = 1, threads: int = 1) -> Iterator[list[WorkerProcess]]:
    """``processes`` workers of ``threads`` threads each, ready to take jobs; all stopped on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    workers: list[WorkerProcess] = []
    try:
        for number in range(processes):
            workers.append(WorkerProcess(env, folder / f"worker-{number}.log", threads=threads))
        deadline = time.monotonic() + START_TIMEOUT_S
        for worker in workers:
            worker.wait_ready(deadline)
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def queue_in(env: Mapping[str, str]):  # -> core.jobs.queue.JobQueue (imported late: env decides the settings)
    """This process switched to ``env`` (the workers' environment), and the job queue on its database."""
    import os

    from core.jobs.queue import JobQueue
    from core.settings import get_settings
    from core.storage import Storage

    os.environ.clear()
    os.environ.update(env)
    get_settings.cache_clear()
    settings = get_settings()
    return JobQueue(settings, Storage(settings.database))
