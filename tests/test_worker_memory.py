"""A worker's native memory: glibc's arenas capped and freed memory given back (core.jobs.memory)."""
from __future__ import annotations

from pathlib import Path

from core.jobs.memory import give_back_freed, limit_arenas


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_freed_memory_goes_back_to_the_system() -> None:
    assert limit_arenas()
    # 80,000 blocks of 4 KB: malloc's heap (under its mmap threshold), not Python's small-object pools.
    blocks = [bytearray(4096) for _ in range(80_000)]
    keep = blocks[-1]  # the heap's top stays in use: only a trim gives back what lies below it
    grown = _resident_mb()
    del blocks
    assert give_back_freed()
    assert _resident_mb() < grown - 200
    assert len(keep) == 4096
