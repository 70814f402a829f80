"""Time one article joining its story in a library of N synthetic undated articles, on SQLite (a temporary file)
and, with --postgres, on a throw-away PostgreSQL server on 127.0.0.1 (testkit.servers; needs the postgres binaries).

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_story_join.py --articles 20000 100000 --postgres

Every article is undated and a story of its own, the worst case: each is a candidate for every new article
(a dated article compares only with the stories of its week). Articles get random unit lead vectors and 60
random words each. Prints a table: the first join of the process (it reads every member into the cache,
core.storage.story_cache), later joins (each rolled back, so the next joins the same article again), joins
right after another article joined and committed (the cache reads that change), and the cache's memory.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.storage import Storage
from core.storage.stories import join_story
from core.storage.story_cache import cache_bytes
from core.storage.tables import articles, stories, story_members, story_words
from core.story_clusters import DIMENSIONS

VOCABULARY = 50_000
TEXT = "The council of Arlenburg voted on Tuesday to close the central library, officials said. " * 15
BATCH = 5_000


def _fill(storage: Storage, n: int, extra: int, rng: np.random.Generator) -> None:
    """n stored articles, each a story of its own, and ``extra`` articles in no story yet (to join)."""
    with storage.database.write() as db:
        db.execute(articles.insert(), [{"key": f"k{i}", "first_seen": "2026-01-01"} for i in range(n + extra)])
        db.execute(story_words.insert(), [{"term": f"w{j}", "articles": int(rng.integers(1, 100))}
                                          for j in range(VOCABULARY)])
        for start in range(0, n, BATCH):
            part = range(start, min(n, start + BATCH))
            vectors = rng.normal(size=(len(part), DIMENSIONS)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            db.execute(stories.insert(), [{"id": i + 1, "title": f"story {i}", "created_at": "2026-01-01", "size": 1}
                                          for i in part])
            db.execute(story_members.insert(), [
                {"article_id": i + 1, "story_id": i + 1, "vector": vectors[k].astype(np.float16).tobytes(),
                 "actors": "[]", "terms": json.dumps({f"w{j}": 1 for j in rng.integers(0, VOCABULARY, 60)}),
                 "joined_at": "2026-01-01"} for k, i in enumerate(part)])
        if storage.database.dialect == "postgresql":  # the ids above were given: move the sequences past them
            for table in ("articles", "stories"):
                db.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def _join(storage: Storage, article_id: int, sentences: list[bytes], *, keep: bool) -> float:
    start = time.perf_counter()
    with storage.database.write() as db:
        join_story(db, article_id, title="Council closes library", text=TEXT, published=None, embeddings=sentences)
        if not keep:
            db.rollback()  # the next run joins the same article again
    return time.perf_counter() - start


def bench(url: str, n: int, runs: int, rng: np.random.Generator) -> str:
    storage = Storage(url)
    _fill(storage, n, runs + 1, rng)
    sentences = [rng.normal(size=DIMENSIONS).astype(np.float16).tobytes() for _ in range(5)]
    first = _join(storage, n + 1, sentences, keep=False)
    later = [_join(storage, n + 1, sentences, keep=False) for _ in range(runs)]
    after = []
    for run in range(runs):  # another article joins and commits; then the timed join reads that change
        _join(storage, n + 2 + run, [rng.normal(size=DIMENSIONS).astype(np.float16).tobytes()], keep=True)
        after.append(_join(storage, n + 1, sentences, keep=False))
    with storage.database.read() as db:
        memory = cache_bytes(db) / 1e6
    storage.database.dispose()
    return (f"| {n:,} | {storage.database.dialect} | {first:.2f} s | {min(later):.3f} / {np.median(later):.3f} s | "
            f"{min(after):.3f} / {np.median(after):.3f} s | {memory:.0f} MB |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[20_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="also on a throw-away PostgreSQL server")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print("| articles | database | first join (reads the members) | later joins best / median | "
          "after another join committed, best / median | cache |")
    print("|---|---|---|---|---|---|")
    with ExitStack() as stack:
        server = None
        if args.postgres:
            from testkit.servers import fresh_postgres_database, postgres_server

            server = stack.enter_context(postgres_server())
        for n in args.articles:
            with tempfile.TemporaryDirectory() as folder:
                print(bench(str(Path(folder) / "bench.db"), n, args.runs, rng), flush=True)
            if server is not None:
                print(bench(fresh_postgres_database(server, f"bench_{n}"), n, args.runs, rng), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
