"""Evidence gathering for an article with 10 claims when every remote call takes 300 ms.

The default sources of a fresh install: the library (a database with stored
articles, indexed before timing), Wikipedia and web search through the keyless
ddgs provider. Local fake services (testkit/fake_services.py, fake_search.py) stand in for
Wikipedia, the search engines behind ddgs (or a SearXNG instance, with
``--provider searxng``) and the outlets' web sites, each adding ``--latency``
seconds to every request. The script runs ``core.evidence.gather`` twice on a
fresh cache and prints wall time and the requests the servers received: the
first run shows how well look-ups are parallelised (target: under 3 s), the
re-run that everything is served from the cache (target: 0 requests).

Stance judging is engine work, timed by the engines' own benchmarks: by
default a stand-in engine that calls every passage neutral is used, so the
times here are retrieval (network, extraction, BM25 and MiniLM ranking) only;
``--engine local`` includes the local stance model.

    .venv/bin/python -m bench.bench_evidence [--latency 0.3] [--claims 10] [--provider ddgs|searxng] [--engine local]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from core import evidence
from core.engines import get_engine
from core.engines.base import ClaimCandidate, Engine, Reading, StanceJudgement
from core.engine_usage import EngineInfo
from core.ml.loading import get_embedder
from core.records import Analysis, Article, Stance
from core.settings import Settings
from core.sources import library
from core.storage import Storage
from testkit.fake_search import FakeDdgs, FakeSearxng
from testkit.fake_services import FakeSite, FakeWikipedia, running

TOPICS = [
    ("Morandi bridge", "Genoa", "collapsed in August 2018, killing 43 people"),
    ("Notre-Dame cathedral", "Paris", "caught fire in April 2019 and lost its spire"),
    ("Suez Canal", "Egypt", "was blocked for six days in March 2021 by the Ever Given"),
    ("Fukushima Daiichi plant", "Japan", "suffered three meltdowns after the 2011 tsunami"),
    ("Chernobyl reactor", "Ukraine", "exploded in April 1986 during a safety test"),
    ("Hindenburg airship", "New Jersey", "burned while landing at Lakehurst in 1937"),
    ("Titanic liner", "North Atlantic", "sank in April 1912 after striking an iceberg"),
    ("Deepwater Horizon rig", "Gulf of Mexico", "exploded in 2010 and spilled oil for 87 days"),
    ("Beirut port", "Lebanon", "was devastated in August 2020 by an ammonium nitrate explosion"),
    ("Grenfell Tower", "London", "burned in June 2017, killing 72 people"),
    ("Tay Bridge", "Dundee", "collapsed in a storm in December 1879 while a train crossed"),
    ("Challenger shuttle", "Florida", "broke apart 73 seconds after launch in January 1986"),
]
OUTLETS = ["Daily Planet", "Evening Star", "Morning Ledger"]
LIBRARY_OUTLETS = ["Harbour Times", "Valley Voice"]
SOURCES = ("library", "wikipedia", "web")


class NeutralEngine(Engine):
    """Stand-in that calls every passage neutral, so that only retrieval is timed."""

    name = "bench-neutral"
    description = "benchmark stand-in"

    def read(self, article, on_progress=None, *, fresh=False) -> Reading:
        raise NotImplementedError("the benchmark gives the claims itself")

    def judge_stance(self, pairs: Sequence[tuple[str, str]], *, fresh: bool = False) -> list[StanceJudgement]:
        return [StanceJudgement(Stance.NEUTRAL, 1.0, {Stance.NEUTRAL: 1.0}) for _ in pairs]


def claim_text(subject: str, place: str, event: str) -> str:
    return f"The {subject} in {place} {event}."


def populate(wikipedia: FakeWikipedia, search: FakeSearxng | FakeDdgs, sites: list[FakeSite], claims: int) -> list[str]:
    texts = []
    for number, (subject, place, event) in enumerate(TOPICS[:claims]):
        claim = claim_text(subject, place, event)
        texts.append(claim)
        wikipedia.add_page(subject, f"The {subject} is a landmark of {place}. Its history is long and well recorded. "
                           f"Records show that the {subject} {event}. An inquiry followed, and its report was published "
                           f"two years later. Visitors still come to {place} to see the site.")
        for site in sites:
            url = site.add_article(f"/story-{number}", f"{subject}: what we know",
                                   [f"Officials confirmed that the {subject} {event}.",
                                    f"Residents of {place} described the scene to our reporters at length.",
                                    "Investigators are still examining the causes and expect to report within months."])
            search.add_result(url, f"{subject} in {place}", f"The {subject} {event}")
    return texts


def stored_library(path: Path, claims: list[str]) -> Storage:
    """A library with one earlier article per outlet that restates the claims, indexed as the pipeline indexes it."""
    storage = Storage(path)
    for number, outlet in enumerate(LIBRARY_OUTLETS):
        text = " ".join(f"Reporters confirmed that {claim[0].lower()}{claim[1:]}" for claim in claims[number::2])
        article = Article(text=text, url=f"https://{outlet.lower().replace(' ', '')}.example/{number}", title=f"Roundup {number}",
                          outlet=outlet, language="en")
        storage.save(Analysis(id=f"lib{number}", created_at=f"2024-03-0{number + 1}T09:00:00+00:00", article=article,
                              engine=EngineInfo("local")), index=library.index_sentences(article))
    return storage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.3, help="seconds added to every remote call")
    parser.add_argument("--claims", type=int, default=10, choices=range(1, len(TOPICS) + 1), metavar=f"1..{len(TOPICS)}")
    parser.add_argument("--engine", default=None, help="judge stance with this engine (default: neutral stand-in)")
    parser.add_argument("--provider", default="ddgs", choices=("ddgs", "searxng"), help="web-search provider (default: ddgs)")
    args = parser.parse_args()

    search = FakeDdgs(latency=args.latency) if args.provider == "ddgs" else FakeSearxng(latency=args.latency)
    services = [FakeWikipedia(latency=args.latency), search]
    # Each outlet on its own loopback address, as real outlets are separate hosts.
    sites = [FakeSite(outlet, host=f"127.0.0.{2 + i}", latency=args.latency) for i, outlet in enumerate(OUTLETS)]
    with tempfile.TemporaryDirectory() as home, running(*services, *sites):
        wikipedia = services[0]
        claims = populate(wikipedia, search, sites, args.claims)
        provider = ({"ddgs_gateway_url": search.base_url} if args.provider == "ddgs"
                    else {"searxng_url": search.base_url, "ddgs_backends": ""})
        settings = Settings(home=Path(home), allow_private_urls=True, wikipedia_api_url=wikipedia.api_url,
                            web_results=len(OUTLETS), **provider)
        started = time.perf_counter()
        get_embedder()
        load_time = time.perf_counter() - started
        storage = stored_library(Path(home) / "library.db", claims)
        text = " ".join(claims)
        article = Article(text=text, url="https://morningpost.example/roundup", outlet="Morning Post", language="en")
        candidates = [ClaimCandidate(c, text.index(c), text.index(c) + len(c), 1.0) for c in claims]
        engine = get_engine(args.engine, settings) if args.engine else NeutralEngine(settings)

        rows = []
        for label in ("first run", "re-run"):
            before = sum(s.requests for s in (*services, *sites))
            started, cpu_started = time.perf_counter(), time.process_time()
            result = evidence.gather(article, candidates, engine=engine, source_names=SOURCES,
                                     settings=settings, storage=storage)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            served = sum(s.requests for s in (*services, *sites)) - before
            passages = sum(len(c.evidence) for c in result.claims)
            status = ", ".join(f"{r.name} {r.status}" for r in result.source_runs)
            rows.append((label, wall, cpu, served, passages, status))

    print(f"Evidence for {args.claims} claims, sources {'+'.join(SOURCES)} ({len(LIBRARY_OUTLETS)} stored articles; web via "
          f"{args.provider}, {len(OUTLETS)} results), "
          f"{args.latency * 1000:.0f} ms per remote call, engine {engine.name}; "
          f"{settings.source_workers} workers, {settings.per_host_connections} connections per host")
    print(f"(embedding model loaded once before timing: {load_time:.2f} s)")
    print()
    print(f"| {'run':<9} | {'wall time (s)':>13} | {'CPU time (s)':>12} | {'requests':>8} | {'passages':>8} | sources")
    print(f"|{'-' * 11}|{'-' * 15}|{'-' * 14}|{'-' * 10}|{'-' * 10}|{'-' * 22}")
    for label, wall, cpu, served, passages, status in rows:
        print(f"| {label:<9} | {wall:>13.2f} | {cpu:>12.2f} | {served:>8} | {passages:>8} | {status}")
    print()
    print(f"CPU time is this process's, all threads; machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(a wall time far above CPU time / CPUs means the machine was busy).")


if __name__ == "__main__":
    main()
