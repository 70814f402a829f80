"""The states of a background job, in the order a job goes through them.

A module of its own, importing nothing, so that the CLI can offer them
(``python -m core jobs --status``) without loading the database layer, and the
jobs table (core/storage/jobs.py) stores the same words.
"""
from __future__ import annotations

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
