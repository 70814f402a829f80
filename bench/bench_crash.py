"""Crash test: two workers, one killed with kill -9 in the middle of a batch; every analysis stored, each exactly once.

    .venv/bin/python -m bench.bench_crash [--articles 50] [--heartbeat-timeout 10] [--backends sqlite,team]

A loopback site serves ``--articles`` PTC articles (``--latency`` per page). Two
``python -m core worker --workers 1`` processes share the database and queue.
When half the batch is done, the first worker is killed (SIGKILL) while it runs
a job. Huey does not hand that task out again; the job stays "running" until its
heartbeat is older than CROSSCHECK_JOB_HEARTBEAT_TIMEOUT (lowered here) and the
periodic ``requeue_lost_jobs`` task of the surviving worker, run every minute,
queues it again. Nothing here calls it: recovery is the workers' own.

Checked in the database at the end: as many analyses as articles, as many
distinct jobs done, one analysis per job, no article stored twice. Times: from
the kill until the lost job was queued again, and until it was done.
"""
from __future__ import annotations

import argparse
import os
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.bench_batch import REPOSITORY, serve_articles, team_servers
from bench.scratch import scratch_folder
from testkit.local_server import LocalServer
from testkit.workers import queue_in, running_workers

RUN_TIMEOUT_S = 900.0


@dataclass(frozen=True)
class Outcome:
    backend: str
    analyses: int
    jobs_done: int
    distinct_jobs_in_analyses: int
    articles: int
    failed: int
    lost_attempts: int
    requeued_after_s: float | None
    recovered_after_s: float | None
    wall_s: float


def one_run(backend: str, urls: list[str], env: dict[str, str], folder: Path) -> Outcome:
    from sqlalchemy import func, select

    from core.pipeline import UrlInput
    from core.storage.tables import analyses, articles

    queue = queue_in(env)
    storage = queue.storage
    with running_workers(env, folder, processes=2) as (victim, _survivor):
        started = time.monotonic()
        jobs = queue.submit_analyses([UrlInput(u) for u in urls], engine="local", evidence_sources=())
        batch = jobs[0].batch_id

        def counts() -> dict[str, int]:
            return storage.jobs.counts(batch_id=batch)

        lost = None
        while lost is None and time.monotonic() - started < RUN_TIMEOUT_S:
            if counts()["done"] >= len(urls) // 2:
                lost = next((j for j in storage.jobs.list(statuses=("running",), batch_id=batch) if victim.runs(j.worker)), None)
            time.sleep(0.05)
        if lost is None:
            raise SystemExit(f"{backend}: the first worker never ran a job past the middle of the batch")
        victim.kill()
        killed = time.monotonic()
        print(f"  killed worker {victim.pid} during job {lost.id} ({counts()['done']} done)", flush=True)

        requeued = recovered = None
        while time.monotonic() - started < RUN_TIMEOUT_S:
            job = storage.jobs.get(lost.id)
            status = job.status
            # Queued again, or already taken by the other worker (a second attempt) between two looks.
            if requeued is None and (status != "running" or job.attempts > 1):
                requeued = time.monotonic() - killed
            if recovered is None and status == "done":
                recovered = time.monotonic() - killed
            finished = counts()
            if finished["done"] + finished["failed"] >= len(urls) and recovered is not None:
                break
            time.sleep(0.2)
        wall = time.monotonic() - started

    with storage.database.read() as db:
        stored = db.execute(select(func.count()).select_from(analyses)).scalar_one()
        distinct_jobs = db.execute(select(func.count(func.distinct(analyses.c.job_id)))).scalar_one()
        article_rows = db.execute(select(func.count()).select_from(articles)).scalar_one()
    final = counts()
    outcome = Outcome(backend, stored, final["done"], distinct_jobs, article_rows, final["failed"],
                      storage.jobs.get(lost.id).attempts, requeued, recovered, wall)
    storage.database.dispose()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20, help="articles in the batch (full run: 50)")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds before the site answers each page")
    parser.add_argument("--heartbeat-timeout", type=int, default=10,
                        help="CROSSCHECK_JOB_HEARTBEAT_TIMEOUT of the workers (default: 10; the product's default is 90)")
    parser.add_argument("--backends", default="sqlite", help="sqlite (SQLite + SqliteHuey), team (PostgreSQL + Redis), or both")
    args = parser.parse_args()

    root = scratch_folder("crash")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSCHECK_")}
    base_env.update(CROSSCHECK_ALLOW_PRIVATE_URLS="true", CROSSCHECK_SECRETS_FILE=str(root / "none.toml"),
                    CROSSCHECK_JOB_HEARTBEAT_TIMEOUT=str(args.heartbeat_timeout),
                    CROSSCHECK_DATA_DIR=os.environ.get("CROSSCHECK_DATA_DIR", str(REPOSITORY.parent / "shared" / "data")))
    outcomes = []
    with ExitStack() as stack:
        server = stack.enter_context(LocalServer())
        urls = serve_articles(server, args.articles, args.latency, Path(base_env["CROSSCHECK_DATA_DIR"]))
        for backend in args.backends.split(","):
            env = dict(base_env, CROSSCHECK_HOME=str(root / backend))
            if backend == "team":
                database, redis_url = stack.enter_context(team_servers())
                env.update(CROSSCHECK_DATABASE_URL=database, CROSSCHECK_QUEUE_URL=redis_url)
            elif backend != "sqlite":
                raise SystemExit(f"unknown back-end {backend!r}")
            print(f"{backend}: {args.articles} articles, 2 workers …", flush=True)
            outcomes.append(one_run(backend, urls, env, root / backend / "workers"))

    names = {"sqlite": "SQLite + SqliteHuey", "team": "PostgreSQL + Redis"}
    print()
    print(f"Crash test: {args.articles} articles ({args.latency * 1000:.0f} ms per page), local engine, no evidence sources, "
          f"2 worker processes, one killed with SIGKILL mid-job after half the batch; heartbeat timeout "
          f"{args.heartbeat_timeout} s, lost jobs re-queued by the workers' periodic task (every minute)")
    print()
    print("| back-end | analyses stored | jobs done | distinct jobs in analyses | article rows | failed "
          "| lost job's attempts | re-queued after s | lost job done after s | batch wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for o in outcomes:
        requeued = f"{o.requeued_after_s:.1f}" if o.requeued_after_s is not None else "never"
        recovered = f"{o.recovered_after_s:.1f}" if o.recovered_after_s is not None else "never"
        print(f"| {names[o.backend]} | {o.analyses} | {o.jobs_done} | {o.distinct_jobs_in_analyses} | {o.articles} | {o.failed} "
              f"| {o.lost_attempts} | {requeued} | {recovered} | {o.wall_s:.1f} |")
    print()
    ok = all(o.analyses == o.jobs_done == o.distinct_jobs_in_analyses == o.articles == args.articles for o in outcomes)
    print(("PASS" if ok else "FAIL") + f": every article stored exactly once ({args.articles} expected). Re-queueing waits for "
          "the heartbeat timeout, then for the next minute's run of requeue_lost_jobs, so expect timeout to timeout + 60 s. "
          f"Machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine: times are noisy).")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
