"""The benches' scratch folders: databases, caches and queues of a run, deleted when the run ends."""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path


def scratch_folder(name: str) -> Path:
    """A new folder under the system's temporary folder, deleted when the bench exits (a bench of 100,000
    analyses leaves about 3 GB there; killed, it leaves them: ``crosscheck-bench-*`` can go)."""
    folder = Path(tempfile.mkdtemp(prefix=f"crosscheck-bench-{name}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
