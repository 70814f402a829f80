"""Jobs in the database: what each job is, its state, its progress and its heartbeat.

The task queue (Huey) only carries job ids. Huey acknowledges a task when a
worker takes it and does not hand it out again if that worker dies, so the
truth about a job lives here: a running job whose heartbeat stops is found by
:meth:`JobStore.requeue_silent` and queued again, a queued job whose task is
missing from the queue is found among :meth:`JobStore.waiting`, and a job is
claimed atomically, so a task delivered twice runs once.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, text, update

from ..errors import NotFoundError
from ..job_status import DONE, FAILED, QUEUED, RUNNING, STATUSES
from .database import Database
from .tables import jobs


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    status: str
    label: str
    params: dict[str, Any]
    batch_id: str | None
    stage: str
    message: str
    fraction: float | None
    analysis_id: str | None
    error: str
    hint: str
    attempts: int
    worker: str
    heartbeat_at: float | None
    created_at: str
    started_at: str | None
    finished_at: str | None

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)

    def to_dict(self) -> dict[str, Any]:
        """The job as the CLI prints it (the parameters carry pasted texts, so they are left out)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("params", "heartbeat_at")}


# First key of the PostgreSQL advisory locks that make submits of one input take turns (the second is the input's hash).
DEDUPE_LOCK_SPACE = 7_231_001
# Job ids per IN list when many jobs change at once (PostgreSQL takes 65,535 parameters, SQLite 32,766).
IDS_PER_QUERY = 10_000


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class JobStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def create(self, kind: str, label: str, params: dict[str, Any], *, batch_id: str | None = None,
               dedupe_key: str | None = None) -> tuple[Job, bool]:
        """A new queued job, or the job already made for the same ``dedupe_key``.

        That is a job still queued or running (a second click, a second ``submit`` of one URL),
        or any job of the same batch that did not fail (the same URL twice in a batch).
        Returns the job and whether it is new (a duplicate is analysed once).
        """
        with self.database.write() as db:
            if dedupe_key is not None:
                if self.database.dialect == "postgresql":
                    # SQLite's write transaction holds the whole database; on PostgreSQL two submits at the same
                    # moment would both find no job and both insert one, unless they take turns per key.
                    db.execute(text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
                               {"space": DEDUPE_LOCK_SPACE, "key": dedupe_key})
                waiting = jobs.c.status.in_((QUEUED, RUNNING))
                same_batch = and_(jobs.c.batch_id == batch_id, jobs.c.status != FAILED) if batch_id is not None else None
                existing = db.execute(select(jobs).where(jobs.c.dedupe_key == dedupe_key,
                                                         waiting if same_batch is None else or_(waiting, same_batch))
                                      .order_by(jobs.c.created_at)).mappings().first()
                if existing is not None:
                    return _job(existing), False
            job_id = new_id()
            db.execute(insert(jobs).values(id=job_id, kind=kind, status=QUEUED, label=label[:500], params=json.dumps(params),
                                           batch_id=batch_id, created_at=_now(), dedupe_key=dedupe_key))
            return _job(db.execute(select(jobs).where(jobs.c.id == job_id)).mappings().one()), True

    def discard(self, job_id: str) -> None:
        """Delete a job that never reached the queue (the queue was unreachable), unless a worker has it."""
        with self.database.write() as db:
            db.execute(delete(jobs).where(jobs.c.id == job_id, jobs.c.status == QUEUED, jobs.c.worker == ""))

    def get(self, job_id: str) -> Job:
        with self.database.read() as db:
            row = db.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"No job has the id {job_id!r}.", hint="List jobs with `python -m core jobs` or on the Jobs page.")
        return _job(row)

    def list(self, *, statuses: tuple[str, ...] = (), batch_id: str | None = None, limit: int = 100,
             offset: int = 0) -> list[Job]:
        """Jobs, running first, then queued, then the most recently finished."""
        conditions = []
        if statuses:
            conditions.append(jobs.c.status.in_(statuses))
        if batch_id is not None:
            conditions.append(jobs.c.batch_id == batch_id)
        order = func.coalesce(jobs.c.finished_at, jobs.c.started_at, jobs.c.created_at).desc()
        # Jobs of one status need no ranking, and then walk the index jobs_listed (migration 0013) in order.
        rank = () if len(statuses) == 1 else ((jobs.c.status == RUNNING).desc(), (jobs.c.status == QUEUED).desc())
        with self.database.read() as db:
            rows = db.execute(select(jobs).where(*conditions).order_by(*rank, order, jobs.c.id).limit(limit).offset(offset)).mappings().all()
        return [_job(r) for r in rows]

    def counts(self, *, batch_id: str | None = None) -> dict[str, int]:
        statement = select(jobs.c.status, func.count()).group_by(jobs.c.status)
        if batch_id is not None:
            statement = statement.where(jobs.c.batch_id == batch_id)
        with self.database.read() as db:
            found = {status: int(n) for status, n in db.execute(statement).all()}
        return {status: found.get(status, 0) for status in STATUSES}

    def claim(self, job_id: str, worker: str) -> Job | None:
        """Mark a queued job running for ``worker``; None when another worker has it or it is finished."""
        with self.database.write() as db:
            taken = db.execute(
                update(jobs).where(jobs.c.id == job_id, jobs.c.status == QUEUED).values(
                    status=RUNNING, worker=worker, heartbeat_at=time.time(), started_at=_now(), attempts=jobs.c.attempts + 1,
                    error="", hint="", stage="", message="", fraction=None,
                )
            ).rowcount
            if not taken:
                return None
            return _job(db.execute(select(jobs).where(jobs.c.id == job_id)).mappings().one())

    def progress(self, job_id: str, worker: str, *, stage: str | None = None, message: str | None = None,
                 fraction: float | None = None) -> bool:
        """Record progress (and a heartbeat); False when the job is no longer this worker's (it was re-queued)."""
        values: dict[str, Any] = {"heartbeat_at": time.time()}
        if stage is not None:
            values["stage"] = stage
        if message is not None:
            values.update(message=message[:500], fraction=fraction)
        with self.database.write() as db:
            return bool(db.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.worker == worker, jobs.c.status == RUNNING)
                                   .values(**values)).rowcount)

    def finish(self, job_id: str, worker: str, analysis_id: str | None) -> None:
        with self.database.write() as db:
            db.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.worker == worker).values(
                status=DONE, analysis_id=analysis_id, finished_at=_now(), stage="", message="Done", fraction=1.0))

    def fail(self, job_id: str, worker: str, error: str, hint: str = "") -> None:
        with self.database.write() as db:
            db.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.worker == worker).values(
                status=FAILED, error=error[:2000], hint=hint[:1000], finished_at=_now()))

    def requeue(self, job_id: str, worker: str, message: str) -> None:
        """Put this worker's job back in the queue (a failure that may pass: it will be tried again)."""
        with self.database.write() as db:
            db.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.worker == worker).values(
                status=QUEUED, worker="", message=message[:500], heartbeat_at=time.time()))

    def retry(self, job_id: str) -> Job:
        """Queue a failed job again (its next run counts as another attempt)."""
        with self.database.write() as db:
            db.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == FAILED).values(
                status=QUEUED, worker="", error="", hint="", finished_at=None, stage="", message="", fraction=None))
        return self.get(job_id)

    def requeue_silent(self, *, heartbeat_timeout: float, max_attempts: int | None = None) -> list[str]:
        """Running jobs whose worker went silent (no heartbeat for ``heartbeat_timeout``): put back in the queue.

        Their tasks are gone (a worker takes a task off the queue before it claims the job), so the
        caller sends each again. A silent job that has had ``max_attempts`` attempts fails instead: a
        job that kills its worker (out of memory, a crash in a parser) would otherwise take down
        worker after worker.
        """
        now = time.time()
        silent = and_(jobs.c.status == RUNNING, or_(jobs.c.heartbeat_at.is_(None), jobs.c.heartbeat_at < now - heartbeat_timeout))
        with self.database.write() as db:
            if max_attempts is not None:
                db.execute(update(jobs).where(silent, jobs.c.attempts >= max_attempts).values(
                    status=FAILED, finished_at=_now(), stage="", fraction=None,
                    error=f"Its worker stopped {max_attempts} times while running it; it is not tried again.",
                    hint="The job may crash its worker (memory, a parser): see the worker's log. "
                         "`python -m core jobs --retry ID` tries it once more."))
            ids = list(db.execute(select(jobs.c.id).where(silent)).scalars())
            for start in range(0, len(ids), IDS_PER_QUERY):
                db.execute(update(jobs).where(jobs.c.id.in_(ids[start:start + IDS_PER_QUERY])).values(
                    status=QUEUED, worker="", heartbeat_at=now, message="Queued again: its worker stopped answering"))
        return ids

    def waiting(self, *, idle_for: float) -> list[str]:
        """Queued jobs untouched for ``idle_for`` seconds: not created, re-queued or sent again since.

        The idle time leaves out a job between two steps of a submit (its row written, its task
        about to be sent) or of a worker (its task taken, the job about to be claimed).
        """
        cutoff = time.time() - idle_for
        with self.database.read() as db:
            return list(db.execute(select(jobs.c.id).where(
                jobs.c.status == QUEUED, jobs.c.created_at < _iso(cutoff),
                or_(jobs.c.heartbeat_at.is_(None), jobs.c.heartbeat_at < cutoff)).order_by(jobs.c.created_at)).scalars())

    def mark_resent(self, job_ids: list[str], message: str) -> list[str]:
        """Record that these queued jobs' tasks are sent again (now); returns those still queued, in order."""
        now, still = time.time(), set[str]()
        with self.database.write() as db:
            for start in range(0, len(job_ids), IDS_PER_QUERY):  # in slices: PostgreSQL takes at most 65,535 parameters
                part = job_ids[start:start + IDS_PER_QUERY]
                still.update(db.execute(select(jobs.c.id).where(jobs.c.id.in_(part), jobs.c.status == QUEUED)).scalars())
                db.execute(update(jobs).where(jobs.c.id.in_(part), jobs.c.status == QUEUED).values(
                    heartbeat_at=now, message=message[:500]))
        return [job_id for job_id in job_ids if job_id in still]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def _job(row: Any) -> Job:
    return Job(
        id=row["id"], kind=row["kind"], status=row["status"], label=row["label"], params=json.loads(row["params"]),
        batch_id=row["batch_id"], stage=row["stage"], message=row["message"], fraction=row["fraction"],
        analysis_id=row["analysis_id"], error=row["error"], hint=row["hint"], attempts=int(row["attempts"]),
        worker=row["worker"], heartbeat_at=row["heartbeat_at"], created_at=row["created_at"], started_at=row["started_at"],
        finished_at=row["finished_at"],
    )
