"""Throughput of a batch of articles fetched from a slow local site, with 1, 2 and 4 workers, on each queue back-end.

    .venv/bin/python -m bench.bench_batch [--articles 200] [--latency 0.3] [--workers 1,2,4]
        [--backends sqlite,team] [--mode threads|processes] [--sources none] [--inference-threads N]

A loopback HTTP server (testkit/local_server.py) serves ``--articles`` PTC
articles as HTML pages, each answer delayed by ``--latency`` seconds. For every
back-end and worker count the script starts real workers (``python -m core worker``:
one process with N threads, ``--mode threads``, which is what ``make run`` and
CROSSCHECK_WORKERS give; or N processes with one thread each, ``--mode processes``),
submits the batch as ``python -m core submit`` does (JobQueue.submit_analyses),
and times it from submission until every job is done or failed. Each run
starts from an empty database, queue and HTTP cache.

Back-ends: ``sqlite`` is a SQLite database and the SqliteHuey queue (the
default); ``team`` is PostgreSQL and Redis, started on loopback from Debian's
packages (testkit/servers.py). Articles are analysed with the local engine and
``--sources`` (default ``none``: no evidence look-ups, so the CPU cost per article
is the engine's reading and the save, whose library index sentences reuse the
reading's embeddings; bench/bench_analysis.py measures that cost in one process).
"""
from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.scratch import scratch_folder
from testkit.local_server import LocalServer, Reply, article_html
from testkit.workers import queue_in, running_workers

REPOSITORY = Path(__file__).resolve().parent.parent
# A run that has not finished by then is reported as such (bounded load).
RUN_TIMEOUT_S = 1800.0


def serve_articles(server: LocalServer, count: int, latency: float, data_dir: Path) -> list[str]:
    """Routes /story/N for ``count`` PTC articles (cycled when there are fewer); returns their URLs."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((data_dir / "ptc" / "articles").glob("*.txt"))]
    texts = [t for t in texts if len(t) >= 1500]
    if not texts:
        raise SystemExit(f"no PTC articles under {data_dir}; set CROSSCHECK_DATA_DIR")
    urls = []
    for number in range(count):
        lines = [line.strip() for line in texts[number % len(texts)].splitlines() if line.strip()]
        title, paragraphs = lines[0], lines[1:] + [f"Story {number} of the batch."]
        html = article_html(title, paragraphs, outlet=f"Outlet {number % 7}")
        server.routes[f"/story/{number}"] = Reply(body=html, delay=latency)
        urls.append(server.url(f"/story/{number}"))
    return urls


@dataclass(frozen=True)
class Run:
    backend: str
    workers: int
    wall_s: float
    done: int
    failed: int
    worker_cpu_s: float
    finished: bool


def one_run(backend: str, workers: int, mode: str, urls: list[str], env: dict[str, str], sources: tuple[str, ...],
            log: Path) -> Run:
    from core.pipeline import UrlInput

    queue = queue_in(env)
    storage = queue.storage
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    processes, threads = (1, workers) if mode == "threads" else (workers, 1)
    with running_workers(env, log, processes=processes, threads=threads):
        started = time.perf_counter()
        jobs = queue.submit_analyses([UrlInput(u) for u in urls], engine="local", evidence_sources=sources)
        ids = {job.id for job in jobs}
        batch = jobs[0].batch_id
        finished = False
        while time.perf_counter() - started < RUN_TIMEOUT_S:
            counts = storage.jobs.counts(batch_id=batch)
            if counts["done"] + counts["failed"] >= len(ids):
                finished = True
                break
            time.sleep(0.25)
        wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    counts = storage.jobs.counts(batch_id=batch)
    storage.database.dispose()
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return Run(backend, workers, wall, counts["done"], counts["failed"], cpu, finished)


@contextmanager
def team_servers() -> Iterator[tuple[str, str]]:
    from testkit.servers import postgres_server, redis_server

    with postgres_server() as database, redis_server() as queue:
        yield database, queue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20, help="articles in the batch (full run: 200)")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds before the site answers each page")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to compare, comma-separated")
    parser.add_argument("--backends", default="sqlite",
                        help="sqlite (SQLite + SqliteHuey), team (PostgreSQL + Redis), comma-separated")
    parser.add_argument("--mode", choices=("threads", "processes"), default="threads",
                        help="N threads in one worker process, or N worker processes (default: threads)")
    parser.add_argument("--sources", default="none", help="evidence sources of each analysis (default: none)")
    parser.add_argument("--inference-threads", type=int, default=None,
                        help="CROSSCHECK_INFERENCE_THREADS of the workers (default: theirs, the cores shared among a "
                             "worker's threads)")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    sources = tuple(s for s in args.sources.split(",") if s and s != "none")

    root = scratch_folder("batch")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSCHECK_")}
    base_env.update(CROSSCHECK_ALLOW_PRIVATE_URLS="true", CROSSCHECK_SECRETS_FILE=str(root / "none.toml"),
                    CROSSCHECK_DATA_DIR=os.environ.get("CROSSCHECK_DATA_DIR", str(REPOSITORY.parent / "shared" / "data")))
    if args.inference_threads is not None:
        base_env["CROSSCHECK_INFERENCE_THREADS"] = str(args.inference_threads)
    runs: list[Run] = []
    with ExitStack() as stack:
        server = stack.enter_context(LocalServer())
        urls = serve_articles(server, args.articles, args.latency, Path(base_env["CROSSCHECK_DATA_DIR"]))
        for backend in args.backends.split(","):
            if backend == "team":
                database_server, redis_url = stack.enter_context(team_servers())
            elif backend != "sqlite":
                raise SystemExit(f"unknown back-end {backend!r}")
            for number, workers in enumerate(counts):
                home = root / f"{backend}-{workers}"
                env = dict(base_env, CROSSCHECK_HOME=str(home))
                if backend == "team":
                    from testkit.servers import fresh_postgres_database

                    env["CROSSCHECK_DATABASE_URL"] = fresh_postgres_database(database_server, f"batch_{workers}_{number}")
                    env["CROSSCHECK_QUEUE_URL"] = redis_url.rsplit("/", 1)[0] + f"/{number + 1}"  # an empty Redis database per run
                print(f"{backend}: {workers} {'threads' if args.mode == 'threads' else 'processes'} …", flush=True)
                runs.append(one_run(backend, workers, args.mode, urls, env, sources, home / "workers"))
                print(f"  {runs[-1].wall_s:.1f} s, {runs[-1].done} done, {runs[-1].failed} failed", flush=True)

    unit = "threads in one worker process" if args.mode == "threads" else "worker processes of one thread"
    inference = "the cores shared among a worker's threads" if args.inference_threads is None else args.inference_threads
    print()
    print(f"Batch of {args.articles} articles from a local site answering each page after {args.latency * 1000:.0f} ms; "
          f"local engine, sources: {', '.join(sources) or 'none'}; workers = {unit}; inference threads each: {inference}")
    print()
    print("| back-end | workers | wall time s | articles/min | speed-up | done | failed | worker CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    names = {"sqlite": "SQLite + SqliteHuey", "team": "PostgreSQL + Redis"}
    for run in runs:
        first = next(r for r in runs if r.backend == run.backend)
        rate = run.done / run.wall_s * 60
        note = "" if run.finished else " (stopped: time limit)"
        print(f"| {names[run.backend]} | {run.workers} | {run.wall_s:.1f}{note} | {rate:.1f} | "
              f"{first.wall_s / run.wall_s:.2f}× | {run.done} | {run.failed} | {run.worker_cpu_s:.0f} |")
    print()
    print(f"Wall time runs from submission to the last job finished, worker start-up excluded (the engine's models load "
          f"in the first job); worker CPU includes the workers' start-up. Machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end "
          "(shared machine: absolute times are noisy).")


if __name__ == "__main__":
    main()
