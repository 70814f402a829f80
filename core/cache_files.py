"""Cache files that may not be writable (a read-only home, a full disk): the cache goes to memory, the work goes on."""
from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

logger = logging.getLogger(__name__)


def sqlite_cache_backend(path: Path, what: str) -> str:
    """``sqlite`` when the SQLite file at ``path`` can be written (made if need be), else ``memory`` with a warning.

    A cache that cannot be written would otherwise fail the work it is only meant to speed up.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path, timeout=5)) as probe:
            probe.execute("BEGIN IMMEDIATE")  # takes the write lock: refused on a read-only file or folder
            probe.rollback()
    except (OSError, sqlite3.Error) as exc:
        if "locked" in str(exc):  # another process is writing it: it can be written
            return "sqlite"
        logger.warning("%s are not cached on disk: %s cannot be written (%s)", what, path, exc)
        return "memory"
    return "sqlite"
