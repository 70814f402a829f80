"""SQLite connections are kept open between operations, and threads share them safely."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core.storage import Storage
from testkit.factories import make_analysis


def test_operations_reuse_an_open_connection_instead_of_checkpointing_each_time(tmp_path):
    # Closing the last connection to a WAL database checkpoints and deletes the log; with a
    # connection per operation every query paid that (and a reconnect). The log staying in
    # place between operations shows a connection stayed open.
    path = tmp_path / "library.db"
    storage = Storage(path)
    storage.save(make_analysis(id="first"))
    assert storage.count() == 1
    assert Path(f"{path}-wal").exists()


def test_threads_save_and_read_at_the_same_time(tmp_path):
    storage = Storage(tmp_path / "library.db")

    def save_and_read(number: int) -> int:
        storage.save(make_analysis(id=f"a{number:03d}", url=f"https://news.example/{number}"))
        return storage.count()

    with ThreadPoolExecutor(max_workers=24) as pool:
        counts = list(pool.map(save_and_read, range(96)))
    assert storage.count() == 96
    assert max(counts) == 96
