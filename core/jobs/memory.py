"""Keeping a worker's native memory bounded: glibc's allocator told to hand freed memory back.

A worker's analyses run on several threads (Huey's, the evidence sources', onnxruntime's);
glibc gives each thread that allocates at once an arena of its own (up to eight per core) and
keeps what is freed in them for reuse, so the process's resident memory creeps up with every
batch of a different shape. Two arenas and a trim after each job keep it on a plateau.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging

logger = logging.getLogger(__name__)

# mallopt's parameter for the most arenas (malloc.h: M_ARENA_MAX).
_M_ARENA_MAX = -8
ARENAS = 2


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (as MALLOC_ARENA_MAX would); call before the worker's threads start. False where not glibc."""
    libc = _glibc()
    return bool(libc and libc.mallopt(_M_ARENA_MAX, arenas))


def give_back_freed() -> bool:
    """Return the allocator's free memory to the system (glibc malloc_trim); False where not glibc or nothing was returned."""
    libc = _glibc()
    return bool(libc and libc.malloc_trim(0))
