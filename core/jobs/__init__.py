"""Background work: analyses, re-runs, batches and feed polls as jobs, run by Huey workers."""
from .queue import JobQueue, build_huey, get_queue

__all__ = ["JobQueue", "build_huey", "get_queue"]
