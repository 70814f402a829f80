"""What the CLI writes: text from articles, feeds, jobs and imports never reaches the terminal as control sequences.

A title, feed name, job label or note may hold ESC sequences (colours, a cursor
that moves and overwrites, a window title, OSC 8 links), carriage returns that
overwrite the line, or bidirectional overrides that reorder it. ``python -m core``
writes everything through :func:`safe_output`, the one place where such
characters are shown as ``\\uXXXX`` instead: readable as text, and in JSON the
same escape means the same character, so JSON output keeps its meaning.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO, TextIO

# C0 controls but tab and line feed, DEL, C1 controls (0x9b is a one-byte CSI), and the bidirectional marks and overrides.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character but tab and line feed written as a ``\\uXXXX`` escape."""
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


class _SafeBytes:
    """A binary stream (``sys.stdout.buffer``) that writes UTF-8 text made terminal-safe."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw

    def write(self, data: bytes) -> int:
        self._raw.write(terminal_safe(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape"))
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class _SafeText:
    """A text stream (stdout, stderr) whose writes are made terminal-safe; everything else is the stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal_safe(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    @property
    def buffer(self) -> _SafeBytes:
        return _SafeBytes(self._stream.buffer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def safe_output() -> Iterator[None]:
    """Make ``sys.stdout`` and ``sys.stderr`` terminal-safe while the block runs (log lines included)."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _SafeText(stdout), _SafeText(stderr)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def print_progress(done: int, total: int, *, label: str = "", unit: str = "", width: int = 30) -> None:
    """A progress bar on stderr, drawn over itself ("label [####....] done/total unit"); the line ends at the total."""
    filled = width * done // max(total, 1)
    print(f"\r{label}[{'#' * filled}{'.' * (width - filled)}] {done}/{total}{unit}", end="\n" if done >= total else "",
          file=sys.stderr, flush=True)
