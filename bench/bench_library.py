"""Library evidence for one new article with 1,000 / 10,000 / 100,000 stored articles: source time, save time, database size.

    .venv/bin/python -m bench.bench_library [--sizes 1000,10000,100000] [--distinct 60] [--database sqlite,postgresql]

How the library is filled: ``--distinct`` PTC articles (``$CROSSCHECK_DATA_DIR/ptc/articles``)
are analysed once by the real pipeline (local engine, no evidence sources) and
their index sentences computed by ``core.sources.library.index_sentences`` (MiniLM,
as at save time). Each stored article is then a clone of one of them: its own id,
URL, outlet, title and creation time, and a closing line naming the outlet (so its
text, and its text hash, differ from every other clone's); its index sentences are
its original's, embeddings included, like wire copy syndicated by many outlets.
The clones are written with bulk inserts (bench/fill.py: the rows ``Storage.save``
writes, full-text index included, 500 articles per transaction), so that 100,000 are
reached in minutes. After each size's measures, ``SAVES`` more clones are stored
with ``Storage.save(analysis, index=sentences)``, the call the pipeline makes: the
save time reported is the real per-article cost of the database and its full-text
index (the MiniLM cost of computing the sentences is reported separately, measured
on the distinct articles).

The new articles are PTC articles that are not in the library. For each, the
claims come from the local engine; what is timed is the library source itself:
preparing it (``LibrarySource.storage()``) and ``find()`` for every claim, one after
the other ("source time", the work ``evidence.gather`` hands its threads for
``library``), and ``evidence.gather`` with only the library source and a stand-in
engine that calls every passage neutral ("gather wall", claims looked up
concurrently by ``CROSSCHECK_SOURCE_WORKERS`` threads). Before every run the
embedder forgets what it remembered and the engine reads the article again
(not timed), as the pipeline reads it right before its sources look its claims
up: a claim the engine embedded as a sentence is not embedded again, one it
trimmed ("But the minister said …") is.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from bench.fill import OUTLETS
from bench.scratch import scratch_folder

# Clones saved with Storage.save after each size's measures, for the save time (the next size counts them).
SAVES = 20


@dataclass(frozen=True)
class Original:
    """An analysed PTC article and its index sentences, the model of its clones."""

    analysis: object  # core.records.Analysis
    sentences: tuple  # core.storage.IndexedSentence, ...


def ptc_articles(data_dir: Path) -> list[tuple[str, str]]:
    """(file stem, text) of the PTC articles, sorted by name, skipping the shortest ones (under 1,500 characters)."""
    folder = data_dir / "ptc" / "articles"
    found = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if len(text) >= 1500:
            found.append((path.stem, text))
    if not found:
        raise SystemExit(f"no PTC articles in {folder}; set CROSSCHECK_DATA_DIR")
    return found


def as_article(stem: str, text: str, number: int):
    from core.records import Article

    title = text.strip().splitlines()[0][:200]
    return Article(text=text, url=f"https://{OUTLETS[number % len(OUTLETS)].lower()}.example/{stem}", title=title,
                   outlet=OUTLETS[number % len(OUTLETS)], published="2026-11-01", language="en")


def analyse_originals(articles: Sequence[tuple[str, str]], settings) -> tuple[list[Original], float, float]:
    """The real pipeline on each article; returns the originals, seconds per analysis and per index computation."""
    from core.pipeline import ArticleInput, analyze
    from core.sources.library import index_sentences

    originals, analysing, indexing = [], 0.0, 0.0
    for number, (stem, text) in enumerate(articles):
        article = as_article(stem, text, number)
        started = time.perf_counter()
        analysis = analyze(ArticleInput(article), engine="local", sources=(), settings=settings, storage=None)
        analysing += time.perf_counter() - started
        started = time.perf_counter()
        sentences = tuple(index_sentences(analysis.article))
        indexing += time.perf_counter() - started
        originals.append(Original(analysis, sentences))
    return originals, analysing / len(articles), indexing / len(articles)


def clone(original: Original, number: int):
    """The ``number``-th stored article: the original under another id, address, outlet and title, with its own closing line."""
    from bench.fill import Clone

    outlet = OUTLETS[number % len(OUTLETS)]
    day = number % 28 + 1
    return Clone(id=f"lib{number:08d}", url=f"https://{outlet.lower()}.example/2026/{number:06d}", outlet=outlet,
                 title=f"{original.analysis.article.title} ({outlet} {number})",
                 created_at=f"2026-{number % 12 + 1:02d}-{day:02d}T{number % 24:02d}:{number % 60:02d}:00+00:00",
                 closing=f"\n\nFirst published by the {outlet}, story {number}.")


def fill(storage, originals: Sequence[Original], start: int, stop: int) -> float:
    """Store clones ``start`` to ``stop - 1`` with bulk inserts (bench/fill.py); returns seconds per article."""
    from bench.fill import bulk_fill, model

    models = [model(o.analysis, o.sentences) for o in originals]
    started = time.perf_counter()
    bulk_fill(storage, models, start, stop, lambda number: clone(originals[number % len(originals)], number))
    return (time.perf_counter() - started) / max(1, stop - start)


def save_time(storage, originals: Sequence[Original], first: int, count: int) -> float:
    """Seconds per ``Storage.save`` of a clone with its index sentences, as the pipeline saves one (``count`` more
    clones, numbered from ``first``)."""
    started = time.perf_counter()
    for number in range(first, first + count):
        original = originals[number % len(originals)]
        c = clone(original, number)
        article = replace(original.analysis.article, url=c.url, outlet=c.outlet, title=c.title,
                           text=original.analysis.article.text + c.closing)
        storage.save(replace(original.analysis, id=c.id, article=article, created_at=c.created_at), index=original.sentences)
    return (time.perf_counter() - started) / count


@dataclass(frozen=True)
class Measure:
    source_s: float  # prepare + find() for every claim, one after the other
    source_cpu_s: float  # the same, in this process's CPU time (less sensitive to other jobs on the machine)
    search_s: float  # of which the full-text queries (Storage.search_library), timed in a separate pass
    gather_s: float  # evidence.gather, library only, stand-in stance engine
    claims: int
    passages: int


def measure(storage, settings, article, claims, engine, reader) -> Measure:
    from core import evidence
    from core.identity import article_key
    from core.sources.base import SourceContext
    from core.sources.library import CANDIDATES, LibrarySource
    from core.sources.ranking import tokenize
    from core.storage import text_hash

    _as_new(article, reader)
    started, cpu_started = time.perf_counter(), time.process_time()
    source = LibrarySource(SourceContext(settings=settings, article=article, storage=storage))
    source.storage()
    passages = sum(len(source.find(c.text)) for c in claims)
    source_s, source_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started

    words = [tokenize([c.text], article.language)[0] for c in claims]
    started = time.perf_counter()
    for claim_words in words:
        storage.search_library(claim_words, exclude_key=article_key(article), exclude_text_hash=text_hash(article.text),
                               limit=CANDIDATES)
    search_s = time.perf_counter() - started

    _as_new(article, reader)
    started = time.perf_counter()
    evidence.gather(article, claims, engine=engine, source_names=("library",), settings=settings, storage=storage)
    gather_s = time.perf_counter() - started
    return Measure(source_s, source_cpu_s, search_s, gather_s, len(claims), passages)


def _as_new(article, engine) -> None:
    """Forget every embedding, then read ``article`` with the local engine as the pipeline does before its sources run."""
    from core.ml.loading import get_embedder
    from core.sources.ranking import claim_embedding

    claim_embedding.cache_clear()
    get_embedder().forget()
    engine.read(article)


@contextmanager
def database(kind: str, home: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield str(home / f"library-{time.monotonic_ns()}.db")
    elif kind == "postgresql":
        from testkit.servers import postgres_server

        with postgres_server() as url:
            yield url
    else:
        raise SystemExit(f"unknown database {kind!r} (sqlite or postgresql)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="stored articles, comma-separated, ascending (full run: 1000,10000,100000)")
    parser.add_argument("--distinct", type=int, default=30,
                        help="PTC articles analysed for real, cloned to fill the library (full run: 60)")
    parser.add_argument("--new", type=int, default=3, help="new (not stored) PTC articles whose claims are looked up")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per new article and size (the median is shown)")
    parser.add_argument("--database", default="sqlite", help="sqlite, postgresql or both, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if sizes != sorted(sizes):
        raise SystemExit("--sizes must be ascending: the library grows from one size to the next")

    home = scratch_folder("library")
    os.environ.update(CROSSCHECK_HOME=str(home), CROSSCHECK_SECRETS_FILE=str(home / "none.toml"))
    from bench.bench_evidence import NeutralEngine
    from core.engines import get_engine
    from core.settings import get_settings
    from core.storage import Storage

    get_settings.cache_clear()
    settings = get_settings()
    articles = ptc_articles(settings.data_dir)
    if len(articles) < args.distinct + args.new:
        raise SystemExit(f"only {len(articles)} PTC articles; lower --distinct or --new")
    print(f"analysing {args.distinct} distinct PTC articles with the local engine …", flush=True)
    originals, analyse_s, index_s = analyse_originals(articles[:args.distinct], settings)
    sentences = statistics.mean(len(o.sentences) for o in originals)

    engine = get_engine("local", settings)
    new_articles = [as_article(stem, text, 1000 + i) for i, (stem, text) in enumerate(articles[args.distinct:args.distinct + args.new])]
    new_claims = [engine.read(article).claims for article in new_articles]
    neutral = NeutralEngine(settings)

    rows = []
    for kind in args.database.split(","):
        with ExitStack() as stack:
            url = stack.enter_context(database(kind, home))
            storage = Storage(url)
            stored = 0
            for size in sizes:
                print(f"{kind}: filling to {size} articles …", flush=True)
                fill_s = fill(storage, originals, stored, size)
                storage.compact_word_counts()  # what the workers do every minute (PostgreSQL; nothing on SQLite)
                stored = size
                per_article = []
                for article, claims in zip(new_articles, new_claims):
                    runs = [measure(storage, settings, article, claims, neutral, engine) for _ in range(args.runs)]
                    per_article.append(Measure(*(statistics.median(getattr(r, name) for r in runs)
                                                 for name in ("source_s", "source_cpu_s", "search_s", "gather_s")),
                                               runs[0].claims, runs[0].passages))
                save_s = save_time(storage, originals, 10_000_000 + size, SAVES)
                rows.append((kind, size, fill_s, save_s, storage.size_bytes(), per_article))
            storage.database.dispose()

    print()
    print(f"Library source for a new article ({args.new} new PTC articles, {', '.join(str(len(c)) for c in new_claims)} claims; "
          f"median of {args.runs} runs each); library of clones of {args.distinct} analysed PTC articles, "
          f"{sentences:.0f} index sentences per article on average")
    print()
    print("| database | stored articles | source time s (mean / worst article) | source CPU s (mean) "
          "| of which full-text queries s | gather wall s (mean / worst) | passages found | save ms / article | bulk fill ms / article "
          "| database MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind, size, fill_s, save_s, size_bytes, per_article in rows:
        mean = {name: statistics.mean(getattr(m, name) for m in per_article) for name in Measure.__dataclass_fields__}
        worst = {name: max(getattr(m, name) for m in per_article) for name in Measure.__dataclass_fields__}
        print(f"| {kind} | {size:,} | {mean['source_s']:.3f} / {worst['source_s']:.3f} | {mean['source_cpu_s']:.3f} | "
              f"{mean['search_s']:.3f} | {mean['gather_s']:.3f} / {worst['gather_s']:.3f} | "
              f"{sum(m.passages for m in per_article)} | {save_s * 1000:.1f} | {fill_s * 1000:.2f} | {size_bytes / 1e6:.1f} |")
    print()
    print(f"Indexing cost at save, measured on the {args.distinct} distinct articles right after their analysis, as the "
          f"pipeline computes it: the index sentences {index_s * 1000:.0f} ms per article (MiniLM only for a sentence whose "
          f"embedding the engine's reading did not leave in the embedder's memo; the analysis itself: {analyse_s:.2f} s per "
          "article); the save time above is the database's part (analysis, claims, evidence, sentences and full-text index).")
    print(f"Machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end (shared machine: "
          "absolute times are noisy).")


if __name__ == "__main__":
    main()
