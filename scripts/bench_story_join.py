"""Time one article joining its story in a library of N synthetic undated articles (SQLite, a temporary file).

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_story_join.py --stories 20000

Every article is undated and a story of its own, the worst case: each is a candidate for every new article
(a dated article compares only with the stories of its week). Articles get random unit lead vectors and 60
random words each.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.storage import Storage
from core.storage.stories import join_story
from core.storage.tables import articles, stories, story_members, story_words
from core.story_clusters import DIMENSIONS

VOCABULARY = 50_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.articles
    with tempfile.TemporaryDirectory() as folder:
        storage = Storage(Path(folder) / "bench.db")
        with storage.database.write() as db:
            db.execute(articles.insert(), [{"key": f"k{i}", "first_seen": "2026-01-01"} for i in range(n + 1)])
            vectors = rng.normal(size=(n, DIMENSIONS)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            db.execute(stories.insert(), [{"id": i + 1, "title": f"story {i}", "created_at": "2026-01-01", "size": 1}
                                          for i in range(n)])
            db.execute(story_members.insert(), [
                {"article_id": i + 1, "story_id": i + 1, "vector": vectors[i].astype(np.float16).tobytes(), "actors": "[]",
                 "terms": json.dumps({f"w{j}": 1 for j in rng.integers(0, VOCABULARY, 60)}), "joined_at": "2026-01-01"}
                for i in range(n)])
            db.execute(story_words.insert(), [{"term": f"w{j}", "articles": int(rng.integers(1, 100))}
                                              for j in range(VOCABULARY)])
        sentences = [rng.normal(size=DIMENSIONS).astype(np.float16).tobytes() for _ in range(5)]
        text = "The council of Arlenburg voted on Tuesday to close the central library, officials said. " * 15
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            with storage.database.write() as db:
                join_story(db, n + 1, title="Council closes library", text=text, published=None, embeddings=sentences)
                db.rollback()  # the next run joins the same article again
            times.append(time.perf_counter() - start)
    print(f"{n} undated articles: join {min(times):.3f} s (best of {args.runs}), {np.median(times):.3f} s median")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
