"""Finding the earlier analyses a newly stored article bears on, in a library of thousands of articles.

The library holds ``--articles`` stored analyses (default 2,000), each with
its sentences in the library index; their vectors are random unit vectors
(the cost being measured is the database's, not MiniLM's, and a random vector
matches no claim, so only the planted related articles are found). A new
article with 8 claims is stored, then ``core.crossrefs.bears_on`` runs:
one full-text query per claim, then the MiniLM check of at most 20 proposed
articles. Printed: the time of that step against the library's size, and what
it found.

    .venv/bin/python -m bench.bench_crossref [--articles 2000]
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from core.crossrefs import bears_on
from core.engine_usage import EngineInfo
from core.records import Analysis, Article, Assessment, Claim, Verdict
from core.settings import Settings
from core.sources import library
from core.storage import IndexedSentence, Storage

WORDS = ("council budget library school hospital bridge river harbour election mayor police court railway station "
         "factory farm market tax museum stadium airport flood storm fire union strike wage price rent housing").split()
PLANTED = 3  # earlier articles that do bear on the new one's claims
CLAIMS = [
    "The city council voted 7 to 2 on Monday to close the Eastside public library by the end of the year.",
    "Officials said the closure would save about 1.2 million dollars annually.",
    "Mayor Linda Park said in 2023 that no library would close while she was in office.",
    "About 200 residents gathered outside the building on Tuesday to protest.",
    "The library has served the district since 1961.",
    "The central branch will extend its opening hours.",
    "Opponents collected 2,000 signatures against the plan.",
    "A public consultation will open in the spring.",
]


def random_sentences(rng: random.Random, count: int) -> list[IndexedSentence]:
    vectors = np.random.default_rng(rng.randrange(1 << 30)).normal(size=(count, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [IndexedSentence(i, " ".join(rng.choices(WORDS, k=14)) + ".", v.astype(np.float16).tobytes())
            for i, v in enumerate(vectors)]


def stored(number: int, text: str, outlet: str, claims: list[str]) -> Analysis:
    article = Article(text=text, url=f"https://outlet{number}.example/story", title=f"Story {number}", outlet=outlet,
                      language="en")
    return Analysis(id=f"a{number}", created_at="2024-03-01T09:00:00+00:00", article=article, engine=EngineInfo("local"),
                    sources=("library",), claims=tuple(
                        Claim(f"c{i + 1}", c, text.index(c), text.index(c) + len(c), 0.9,
                              Assessment(Verdict.UNVERIFIED, 1.0, "none")) for i, c in enumerate(claims)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        storage = Storage(settings.database)
        started = time.perf_counter()
        for number in range(args.articles):
            sentences = random_sentences(rng, 12)
            text = " ".join(s.text for s in sentences)
            storage.save(stored(number, text, f"Outlet {number}", [sentences[0].text]), index=sentences)
        for number in range(args.articles, args.articles + PLANTED):
            text = " ".join(CLAIMS[number % len(CLAIMS):] + CLAIMS[:2])
            earlier = stored(number, text, f"Outlet {number}", CLAIMS[:2])
            storage.save(earlier, index=library.index_sentences(earlier.article))
        fill = time.perf_counter() - started
        text = " ".join(CLAIMS)
        new = stored(99_999, text, "Newcomer Gazette", CLAIMS)
        storage.save(new, index=library.index_sentences(new.article))
        bears_on(new, storage)  # warm-up: claim embeddings and the SQLite page cache
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            found = bears_on(new, storage)
            timings.append(time.perf_counter() - started)
    print(f"library of {args.articles + PLANTED:,} stored articles ({args.articles * 12 + PLANTED * 10:,} indexed sentences; "
          f"filled in {fill:.0f} s); new article with {len(CLAIMS)} claims")
    print(f"finding the analyses it bears on: median {sorted(timings)[2] * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms "
          f"(5 runs); found {len(found)} of the {PLANTED} planted: {', '.join(a.id for a in found)}")


if __name__ == "__main__":
    main()
