"""Subcommands of ``python -m core`` for background work: submit, worker, jobs, feeds."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from ..errors import CrosscheckError, InputError
from ..job_status import FAILED, STATUSES

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ..storage import Storage
    from ..storage.jobs import Job

logger = logging.getLogger(__name__)

# How often `submit --wait` and `coverage --analyse` look at their jobs, and after how long without any progress it says that no worker seems to run.
WAIT_POLL_SECONDS = 0.5
NO_WORKER_NOTICE_SECONDS = 15.0


def register(subparsers: Any) -> None:
    submit = subparsers.add_parser(
        "submit", help="queue analyses for the workers (a batch of URLs or files)",
        description="Queue one analysis job per SOURCE (the same URL or text twice is analysed once). Without --wait, "
                    "prints the job ids and returns; with --wait, waits for the workers and prints each result as it "
                    "finishes (--json: one crosscheck.analysis document per line, errors as {\"source\", \"error\"}).",
    )
    submit.add_argument("source", nargs="+", metavar="SOURCE", help="http(s) URL, .html/.htm or .txt file, or - for text on stdin")
    submit.add_argument("--engine", default="local", help="analysis engine (default: local)")
    submit.add_argument("--sources", default=None, help="comma-separated evidence sources, or 'none' (default: CROSSCHECK_SOURCES)")
    submit.add_argument("--fresh", action="store_true", help="ignore cached pages and engine answers")
    submit.add_argument("--wait", action="store_true", help="wait for the results")
    submit.add_argument("--json", action="store_true", help="print JSON lines")
    submit.add_argument("--db", help="database file or URL (default: CROSSCHECK_DATABASE_URL / CROSSCHECK_DB)")
    submit.set_defaults(func=_submit)

    worker = subparsers.add_parser(
        "worker", help="run a worker that takes jobs from the queue (Ctrl-C stops it)",
        description="Run jobs from the queue (CROSSCHECK_QUEUE_URL; by default the SQLite queue beside the database) "
                    "with N threads, side by side (each thread's model runs use CROSSCHECK_INFERENCE_THREADS CPU threads; "
                    "by default the cores shared among the threads), and the periodic tasks: re-queueing jobs whose worker "
                    "died, polling feeds and deleting "
                    "what the retention settings say. After CROSSCHECK_WORKER_MAX_JOBS jobs it restarts itself once its "
                    "running jobs finish, so that its memory stays bounded.",
    )
    worker.add_argument("--workers", type=int, default=None, help="worker threads (default: CROSSCHECK_WORKERS)")
    worker.set_defaults(func=_worker)

    jobs = subparsers.add_parser("jobs", help="list jobs: running, queued, failed and finished",
                                 description="List jobs, running first. --retry ID queues a failed job again.")
    jobs.add_argument("--status", choices=STATUSES, action="append", help="only jobs with this status (repeatable)")
    jobs.add_argument("--limit", type=int, default=50, help="how many jobs (default: 50)")
    jobs.add_argument("--retry", metavar="JOB_ID", help="queue this failed job again")
    jobs.add_argument("--json", action="store_true", help="print one JSON object per job")
    jobs.add_argument("--db", help="database file or URL")
    jobs.set_defaults(func=_jobs)

    feeds = subparsers.add_parser("feeds", help="follow RSS/Atom feeds: add, list, remove, poll",
                                  description="Subscribed feeds are polled every CROSSCHECK_FEED_POLL_MINUTES by the worker; "
                                              "each new item is queued for analysis.")
    feeds.add_argument("--db", help="database file or URL")
    actions = feeds.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="follow a feed")
    add.add_argument("url", help="the feed's address")
    add.add_argument("--engine", default="local", help="engine for its items (default: local)")
    add.add_argument("--sources", default=None, help="evidence sources for its items (default: CROSSCHECK_SOURCES)")
    actions.add_parser("list", help="the feeds you follow")
    remove = actions.add_parser("remove", help="stop following a feed")
    remove.add_argument("id", type=int, help="the feed's id (see list)")
    poll = actions.add_parser("poll", help="poll every feed now (queues new items)")
    poll.add_argument("--json", action="store_true", help="print the queued items as JSON lines")
    feeds.set_defaults(func=_feeds)


def source_names(value: str | None, engine: str) -> tuple[str, ...]:
    from ..settings import get_settings
    from ..sources import default_sources

    if value is None:
        return default_sources(get_settings(), engine)
    return tuple(s.strip() for s in value.split(",") if s.strip() and s.strip() != "none")


def _queue(db: str | None):  # type: ignore[no-untyped-def]
    from ..settings import get_settings
    from ..storage import open_storage
    from .queue import get_queue

    return get_queue(get_settings(), open_storage(db))


def _submit(args: argparse.Namespace) -> int:
    from ..pipeline import input_from_argument

    queue = _queue(args.db)
    sources = [input_from_argument(argument) for argument in args.source]
    jobs = queue.submit_analyses(sources, engine=args.engine, evidence_sources=source_names(args.sources, args.engine),
                                 fresh=args.fresh)
    by_argument = dict(zip(args.source, jobs))
    if not args.wait:
        for argument, job in by_argument.items():
            print(json.dumps({"source": argument, "job": job.id}) if args.json else f"{job.id}  {argument}")
        return 0
    return _wait(queue.storage, by_argument, as_json=args.json)


def wait_for(storage: Storage, job_ids: Sequence[str]) -> Iterator[Job]:
    """Each job as it finishes, until all have; a note on stderr when nothing moves for a while (no worker running?)."""
    pending = {job_id: storage.jobs.get(job_id) for job_id in dict.fromkeys(job_ids)}
    last_change = time.monotonic()
    noticed = False
    while pending:
        for job_id, job in list(pending.items()):
            current = storage.jobs.get(job_id)
            if not current.finished:
                if current.status != job.status or current.message != job.message:
                    last_change = time.monotonic()
                    pending[job_id] = current
                continue
            del pending[job_id]
            last_change = time.monotonic()
            yield current
        if pending and not noticed and time.monotonic() - last_change > NO_WORKER_NOTICE_SECONDS:
            noticed = True
            print("note: the jobs have not moved for a while; is a worker running? Start one with "
                  "`python -m core worker`.", file=sys.stderr)
        if pending:
            time.sleep(WAIT_POLL_SECONDS)


def _wait(storage: Storage, by_argument: dict[str, Job], *, as_json: bool) -> int:
    """Print each job's result as it finishes; exit 1 if any failed."""
    from ..reports.summary import format_summary

    arguments: dict[str, list[str]] = {}
    for argument, job in by_argument.items():
        arguments.setdefault(job.id, []).append(argument)
    failures = 0
    for current in wait_for(storage, list(arguments)):
        for argument in arguments[current.id]:
            if current.status == FAILED:
                failures += 1
                message = f"{current.error} {current.hint}".strip()
                print(f"error: {argument}: {message}", file=sys.stderr)
                if as_json:
                    print(json.dumps({"source": argument, "error": message}, ensure_ascii=False), flush=True)
            elif current.analysis_id is not None:
                analysis = storage.get(current.analysis_id)
                if as_json:
                    print(json.dumps(analysis.to_dict(), ensure_ascii=False), flush=True)
                else:
                    print(format_summary(analysis) + "\n", flush=True)
    return 1 if failures else 0


def inference_threads(configured: int, workers: int, cores: int) -> int:
    """CPU threads of each model run in a worker of ``workers`` threads: ``configured``, or else the cores shared
    among the threads (at least 1, at most 2: the models' batches gain little beyond two)."""
    return configured or max(1, min(2, cores // workers))


def _worker(args: argparse.Namespace) -> int:
    from ..ml.embeddings import set_session_threads
    from ..settings import get_settings
    from ..storage import describe
    from .memory import limit_arenas

    settings = get_settings()
    workers = settings.workers if args.workers is None else args.workers  # --workers 0 is refused, not the default
    if workers < 1:
        raise InputError("--workers must be at least 1.")
    inference = inference_threads(settings.inference_threads, workers, os.cpu_count() or 1)
    set_session_threads(inference)  # before any job loads a model
    queue = _queue(None)
    lost = queue.requeue_lost_jobs()  # jobs left running by a worker that died while none was watching
    print(f"worker: {workers} threads ({inference} inference {'thread' if inference == 1 else 'threads'} each) on "
          f"{queue.huey.__class__.__name__}, database {describe(queue.storage.database.url)}"
          + (f"; {len(lost)} lost jobs queued again" if lost else ""), file=sys.stderr, flush=True)
    if settings.worker_max_jobs:
        queue.restart_after(settings.worker_max_jobs)
        # Huey restarts by running sys.argv again with this interpreter: the command as typed (python -m core worker).
        sys.argv[:] = sys.orig_argv[1:]
    limit_arenas()  # before the consumer starts its threads: see core.jobs.memory
    queue.consumer(workers).run()
    return 0


def _jobs(args: argparse.Namespace) -> int:
    from ..storage import open_storage

    if args.limit < 1:  # SQLite reads a negative LIMIT as none: every job
        raise InputError("--limit must be at least 1.", hint="Give how many jobs to list, e.g. --limit 50.")
    storage = open_storage(args.db)
    if args.retry:
        job = _queue(args.db).retry(args.retry)
        print(f"{job.id} queued again ({job.label})")
        return 0
    listed = storage.jobs.list(statuses=tuple(args.status or ()), limit=args.limit)
    for job in listed:
        if args.json:
            print(json.dumps(job.to_dict(), ensure_ascii=False))
        else:
            progress = f"{job.message} ({job.fraction:.0%})" if job.fraction is not None and job.status == "running" else job.message
            detail = f"{job.error} {job.hint}".strip() if job.status == "failed" else (job.analysis_id or progress)
            print(f"{job.id}  {job.status:<8} {job.kind:<9} {job.label[:70]:<70}  {detail}")
    if not listed and not args.json:
        print("no jobs")
    return 0


def _feeds(args: argparse.Namespace) -> int:
    from ..settings import get_settings
    from ..storage import open_storage

    storage = open_storage(args.db)
    if args.action == "add":
        from .feeds import add_feed

        feed = add_feed(storage, get_settings(), args.url, engine=args.engine, sources=source_names(args.sources, args.engine))
        print(f"following feed {feed.id}: {feed.url} (polled every {get_settings().feed_poll_minutes} min by the worker)")
    elif args.action == "list":
        for feed in storage.feeds.list():
            state = f"error: {feed.last_error}" if feed.last_error else f"last polled {feed.last_polled_at or 'never'}"
            print(f"{feed.id:>4}  {feed.title or '(title unknown)'}  {feed.url}  {feed.items_seen} items · {state}")
        if not storage.feeds.count():
            print("no feeds; add one with `python -m core feeds add URL`")
    elif args.action == "remove":
        storage.feeds.remove(args.id)
        print(f"feed {args.id} removed")
    else:
        from .feeds import poll_feed

        queue = _queue(args.db)
        failures = 0
        for feed in storage.feeds.list():
            try:
                fresh = poll_feed(feed.id, storage=queue.storage, settings=queue.settings, submit=queue.submit_analyses)
            except CrosscheckError as error:
                failures += 1
                print(f"error: feed {feed.id} ({feed.url}): {error.user_message()}", file=sys.stderr)
                continue
            for item in fresh:
                print(json.dumps({"feed": feed.id, "url": item.url, "title": item.title}, ensure_ascii=False) if args.json
                      else f"feed {feed.id}: queued {item.url}")
        return 1 if failures else 0
    return 0

