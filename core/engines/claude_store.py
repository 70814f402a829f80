"""What the claude engine keeps on disk: validated answers, a log of paid calls, and prices.

Both tables live in ``settings.cache_path / "claude_responses.sqlite"``. The
answer cache is keyed by a hash of (model, prompt version, full request), so a
new model, a new prompt or a different article never reuses an old answer.
Nothing here holds an API key: requests are hashed without headers.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import StorageError
from ..engine_usage import Usage
from ..settings import Settings

logger = logging.getLogger(__name__)

DB_NAME = "claude_responses.sqlite"
PRICES_PATH = Path(__file__).with_name("prices.json")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    created_at TEXT NOT NULL,
    answer TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    model TEXT NOT NULL,
    step TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL
);
"""


def request_key(model: str, prompt_version: str, request: dict[str, Any]) -> str:
    payload = json.dumps({"model": model, "prompt_version": prompt_version, "request": request}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _price_file() -> dict[str, Any]:
    with PRICES_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


def _prices() -> dict[str, dict[str, float]]:
    return _price_file()["models"]


def price_of(model: str) -> dict[str, float] | None:
    """Prices of a model, matching dated snapshots (``...-20250929``) to their alias."""
    prices = _prices()
    if model in prices:
        return prices[model]
    base, _, suffix = model.rpartition("-")
    if suffix.isdigit() and len(suffix) == 8:
        return prices.get(base)
    return None


def cost_usd(model: str, usage: Usage) -> float:
    """Estimated cost of ``usage`` on ``model`` (tokens, plus server-side web searches); tokens count 0 for a model
    with no price on file."""
    searches = usage.web_searches * float(_price_file()["web_search_per_1000"]) / 1000
    price = price_of(model)
    if price is None:
        logger.warning("no price on file for model %s in %s; its tokens are counted as 0", model, PRICES_PATH.name)
        return searches
    return (
        usage.input_tokens * price["input"]
        + usage.output_tokens * price["output"]
        + usage.cache_write_tokens * price["cache_write"]
        + usage.cache_read_tokens * price["cache_read"]
    ) / 1_000_000 + searches


_ready: set[Path] = set()
_ready_lock = threading.Lock()


@contextmanager
def _connect(settings: Settings) -> Iterator[sqlite3.Connection]:
    path = settings.cache_path / DB_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        new_file = not path.exists()
        # One short-lived connection per operation: stance calls write from several threads.
        conn = sqlite3.connect(path, timeout=30)
        # WAL with NORMAL sync: concurrent stance calls each commit a row, and
        # losing the last answers on a power cut only costs a repeated call.
        conn.execute("PRAGMA synchronous=NORMAL")
        with _ready_lock:
            if new_file or path not in _ready:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                _ready.add(path)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"Cannot open the Claude response cache {path}: {exc}") from exc
    try:
        with conn:
            yield conn
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot use the Claude response cache {path}: {exc}") from exc
    finally:
        conn.close()


class ResponseStore:
    """Validated tool answers by request key, and one row per paid API call."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def get(self, key: str) -> dict[str, Any] | None:
        with _connect(self.settings) as conn:
            row = conn.execute("SELECT answer FROM responses WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, model: str, prompt_version: str, answer: dict[str, Any]) -> None:
        with _connect(self.settings) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO responses (key, model, prompt_version, created_at, answer) VALUES (?, ?, ?, ?, ?)",
                (key, model, prompt_version, _now(), json.dumps(answer, ensure_ascii=False)),
            )

    def record_call(self, model: str, step: str, usage: Usage) -> None:
        with _connect(self.settings) as conn:
            conn.execute(
                "INSERT INTO calls (at, model, step, input_tokens, output_tokens, cache_read_tokens,"
                " cache_write_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _now(), model, step, usage.input_tokens, usage.output_tokens,
                    usage.cache_read_tokens, usage.cache_write_tokens, usage.cost_usd,
                ),
            )


def cost_by_day(settings: Settings) -> list[tuple[str, float, int]]:
    """(UTC date, estimated USD, number of API calls) per day, newest first."""
    if not (settings.cache_path / DB_NAME).exists():
        return []
    with _connect(settings) as conn:
        rows = conn.execute(
            "SELECT substr(at, 1, 10) AS day, SUM(cost_usd), COUNT(*) FROM calls GROUP BY day ORDER BY day DESC"
        ).fetchall()
    return [(day, float(cost), int(calls)) for day, cost, calls in rows]


def cached_answers(settings: Settings) -> int:
    """How many answers are cached."""
    if not (settings.cache_path / DB_NAME).exists():
        return 0
    with _connect(settings) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])


def clear_response_cache(settings: Settings) -> int:
    """Forget every cached answer (the call log stays); returns how many were removed."""
    if not (settings.cache_path / DB_NAME).exists():
        return 0
    with _connect(settings) as conn:
        return conn.execute("DELETE FROM responses").rowcount


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
