"""Coverage of one story: other outlets found, fetched and analysed by 2 workers, every remote call 300 ms.

Local fakes (testkit/fake_services.py) stand in for GDELT (which keeps its
one-request-per-5-seconds rule), the search engines behind ddgs, Wikipedia and
six outlets' sites, each on its own loopback address and each adding
``--latency`` seconds to every request. A real worker process
(``python -m core worker --workers 2``) on a SQLite queue analyses the batch
with the local engine and the default sources of a fresh install (library,
Wikipedia, web via ddgs). Timed: Find other coverage (GDELT + web search),
queueing the batch, and waiting until every analysis is stored. Target: six
outlets found, fetched and analysed in at most 60 s.

    .venv/bin/python -m bench.bench_coverage [--latency 0.3] [--outlets 6]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from core.coverage.finder import analyse_coverage, find_coverage
from core.jobs.queue import get_queue
from core.engine_usage import EngineInfo
from core.records import Analysis, Article
from core.settings import get_settings
from core.sources import default_sources, library
from core.storage import Storage
from testkit.fake_search import FakeDdgs
from testkit.fake_services import FakeGdelt, FakeSite, FakeWikipedia, running

ROOT = Path(__file__).resolve().parent.parent
OUTLETS = ["Riverside Courier", "Harbour Times", "Valley Voice", "Northern Echo", "Coastal Herald", "Metro Ledger",
           "Upland Star", "Bay Chronicle"]
TITLE = "Council votes to close Eastside library"


def story(outlet: str, number: int) -> list[str]:
    """About 300 words of one outlet's report: the same facts in its own words, and some of its own."""
    return [
        f"The city council voted 7 to 2 on Monday to close the Eastside public library by the end of the year, {outlet} has learned.",
        "Officials said the closure would save about 1.2 million dollars a year, according to figures from the budget office.",
        f"Mayor Linda Park said in 2023 that no library would close while she was in office, a promise {outlet} readers recalled.",
        f"About {120 + 15 * number} residents gathered outside the building on Tuesday to protest against the decision.",
        "The library has served the district since 1961 and lends more than 40,000 books every year to local families.",
        "Council members who backed the plan said the central branch would extend its opening hours to absorb the demand.",
        f"Opponents called the vote a betrayal of working families and said they would collect {2000 + 100 * number} signatures.",
        "A public consultation on the future of the building is expected to open in the spring, officials confirmed.",
        "Teachers at two nearby schools said their pupils depend on the library for homework help after classes end.",
        "The council's finance committee will publish a detailed report on the expected savings within six weeks.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.3, help="seconds added to every remote call")
    parser.add_argument("--outlets", type=int, default=6, choices=range(1, len(OUTLETS) + 1), metavar=f"1..{len(OUTLETS)}")
    args = parser.parse_args()

    sites = [FakeSite(outlet, host=f"127.0.0.{2 + i}", latency=args.latency) for i, outlet in enumerate(OUTLETS[:args.outlets])]
    gdelt, ddgs, wikipedia = FakeGdelt(latency=args.latency, min_interval=5.0), FakeDdgs(latency=args.latency), \
        FakeWikipedia(latency=args.latency)
    with tempfile.TemporaryDirectory() as home, running(gdelt, ddgs, wikipedia, *sites):
        for number, site in enumerate(sites):
            url = site.add_article("/eastside-library", f"{TITLE}: {site.outlet} report", story(site.outlet, number))
            gdelt.add_article(url, f"{TITLE}: {site.outlet} report", domain=site.host)
            ddgs.add_result(url, f"{TITLE} - {site.outlet}", "The city council voted 7 to 2 on Monday to close the library")
        wikipedia.add_page("Eastside Library", "The Eastside Library is a public library. It opened in 1961 and lends "
                           "more than 40,000 books every year.")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CROSSCHECK_", "ANTHROPIC_", "GOOGLE_", "BRAVE_"))}
        env.update(CROSSCHECK_HOME=home, CROSSCHECK_ALLOW_PRIVATE_URLS="true", CROSSCHECK_QUEUE_URL=f"sqlite:///{home}/queue.db",
                   CROSSCHECK_WIKIPEDIA_API_URL=wikipedia.api_url, CROSSCHECK_DDGS_GATEWAY_URL=ddgs.base_url,
                   CROSSCHECK_GDELT_API_URL=gdelt.api_url, CROSSCHECK_SECRETS_FILE=f"{home}/none.toml")
        os.environ.update(env)
        get_settings.cache_clear()
        settings = get_settings()
        storage = Storage(settings.database)
        first = Article(text=" ".join(story("Eastside Gazette", 9)), url="https://eastsidegazette.example/library",
                        title=TITLE, outlet="Eastside Gazette", language="en")
        original = Analysis(id="original", created_at="2024-03-05T09:00:00+00:00", article=first, engine=EngineInfo("local"))
        storage.save(replace(original, sources=("library",)), index=library.index_sentences(first))

        worker = subprocess.Popen([sys.executable, "-m", "core", "worker", "--workers", "2"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            queue = get_queue(settings, storage)
            found_at = time.perf_counter()
            coverage = find_coverage(original, settings=settings, storage=storage)
            search_time = time.perf_counter() - found_at
            batch = analyse_coverage(coverage.items[:args.outlets], queue=queue, engine="local",
                                     sources=default_sources(settings, "local"))
            while not all(storage.jobs.get(job.id).finished for job in batch.jobs):
                time.sleep(0.2)
            total = time.perf_counter() - found_at
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        jobs = [storage.jobs.get(job.id) for job in batch.jobs]
        rows = []
        for job in jobs:
            analysis = storage.get(job.analysis_id) if job.analysis_id else None
            took = _seconds(job.started_at, job.finished_at)
            verdicts = analysis.verdict_counts() if analysis else {}
            rows.append((analysis.article.outlet if analysis else job.label, job.status, took,
                         len(analysis.claims) if analysis else 0,
                         ", ".join(f"{v.value} {n}" for v, n in verdicts.items() if n) or "–",
                         ", ".join(f"{r.name} {r.status}" for r in analysis.source_runs) if analysis else job.error))
        served = {"GDELT": gdelt.requests, "ddgs": ddgs.requests, "Wikipedia": wikipedia.requests,
                  "outlets": sum(s.requests for s in sites)}

    print(f"Coverage of one story: {len(coverage.items)} other outlets found (GDELT + ddgs), {len(jobs)} analysed by "
          f"2 workers (local engine, sources {', '.join(default_sources(settings, 'local'))}); "
          f"{args.latency * 1000:.0f} ms per remote call")
    print(f"find other coverage: {search_time:.2f} s · whole batch, search to last stored analysis: {total:.2f} s "
          f"(the worker process starts with the clock)")
    print()
    print(f"| {'outlet':<18} | {'status':<6} | {'job (s)':>7} | {'claims':>6} | {'verdicts':<38} | sources")
    print(f"|{'-' * 20}|{'-' * 8}|{'-' * 9}|{'-' * 8}|{'-' * 40}|{'-' * 40}")
    for outlet, status, took, claims, verdicts, sources in rows:
        print(f"| {outlet:<18} | {status:<6} | {took:>7.1f} | {claims:>6} | {verdicts:<38} | {sources}")
    print()
    print("requests served: " + ", ".join(f"{name} {n}" for name, n in served.items())
          + f"; GDELT answered {gdelt.too_fast} requests too fast")
    print(f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def _seconds(start: str | None, end: str | None) -> float:
    from datetime import datetime

    if not start or not end:
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


if __name__ == "__main__":
    main()
