"""Server time of every dashboard page, and the dashboard process's memory, with 20,000 / 100,000 stored analyses.

    .venv/bin/python -m bench.bench_pages [--analyses 20000,100000] [--runs 5] [--database sqlite|postgresql] [--no-index]

The library grows from one size to the next. Each stored analysis is a clone of one
of 200 factory analyses (testkit/factories.make_analysis: 3-12 claims with 2 pieces
of evidence each, citing 2,000 sites; 14 techniques) whose article text goes on with
a real article's body (PTC, when ``$CROSSCHECK_DATA_DIR`` has them), with that body's
sentences in the library index (``--no-index``: none), written with bulk inserts
(bench/fill.py); each comes with the job that made it (inserted directly, in
batches), plus a few queued, running and failed jobs for the Jobs page.

Each page runs in Streamlit's AppTest, which executes the page's script in this
process as the server does for a browser session (no browser, no network: the
time is server time), opened at its address as a link opens it (Analyze at
``?analysis=ID``, Compare at ``?ids=A,B,C``, Story at ``?id=N``, Outlet at
``?name=...``; the bench checks that they show them). Every article is in a story
(bench/fill.fill_stories: most of 1-3 articles, one in 12 of 5-12 across several
outlets); the Library is timed a second time browsed by story (More columns on,
each row linking to its story), and the Story page without an id lists the
stories. Per size the Streamlit caches are cleared first; the first run of each page
is reported as the first visit, then ``--runs`` reruns (median and worst). Memory
is this process's resident set size (RSS) after every page has run, and its peak:
AppTest runs the pages in this process, so this is the dashboard process's memory
with one session.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from bench.scratch import scratch_folder

# Jobs inserted per statement when filling the jobs table.
JOB_BATCH = 1000
# Jobs of each unfinished status, so that the Jobs page shows every section.
UNFINISHED_JOBS = 20
# Model analyses cloned to fill the library.
MODELS = 200


def analysis_id(number: int) -> str:
    return f"bench{number:07d}"


def clone(number: int):
    from bench.fill import OUTLETS, Clone

    return Clone(id=analysis_id(number), url=f"https://news{number % 40}.example/story/{number}",
                 title=f"Story {number} about the council budget", outlet=OUTLETS[(number * 7919) % len(OUTLETS)],
                 created_at=f"2026-{1 + number % 11:02d}-{1 + number % 27:02d}T{number % 24:02d}:{number % 60:02d}:00+00:00",
                 closing=f"\n\nStory {number}.")


def fill_jobs(storage, start: int, stop: int) -> None:
    """A finished job per analysis, as if a worker had made each; inserted directly, JOB_BATCH rows a statement."""
    import json

    from sqlalchemy import insert

    from core.storage.tables import jobs

    for first in range(start, stop, JOB_BATCH):
        rows = [
            {"id": f"job{i:07d}", "kind": "analyze", "status": "done", "label": f"https://news{i % 40}.example/story/{i}",
             "params": json.dumps({"input": {"kind": "url", "url": f"https://news{i % 40}.example/story/{i}"}}),
             "batch_id": f"batch{i // 100:05d}", "analysis_id": analysis_id(i), "attempts": 1, "message": "Done",
             "fraction": 1.0, "created_at": f"2026-{1 + i % 11:02d}-{1 + i % 27:02d}T{i % 24:02d}:00:00+00:00",
             "started_at": f"2026-{1 + i % 11:02d}-{1 + i % 27:02d}T{i % 24:02d}:00:01+00:00",
             "finished_at": f"2026-{1 + i % 11:02d}-{1 + i % 27:02d}T{i % 24:02d}:00:09+00:00"}
            for i in range(first, min(stop, first + JOB_BATCH))
        ]
        with storage.database.write() as db:
            db.execute(insert(jobs), rows)


def add_unfinished_jobs(storage) -> None:
    for number in range(UNFINISHED_JOBS):
        for status in ("queued", "running", "failed"):
            job, _ = storage.jobs.create("analyze", f"https://pending.example/{status}/{number}",
                                         {"input": {"kind": "url", "url": f"https://pending.example/{status}/{number}"}})
            if status != "queued":
                claimed = storage.jobs.claim(job.id, "bench-worker")
                storage.jobs.progress(claimed.id, "bench-worker", stage="read", message="Reading the article", fraction=0.4)
                if status == "failed":
                    storage.jobs.fail(job.id, "bench-worker", "The site answered 503.", "Try again later.")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def time_pages(size: int, runs: int) -> list[tuple[str, float, float, float]]:
    """(page, first visit s, median s, worst s) for every page, with Streamlit's caches cleared first."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    ids = [analysis_id(i) for i in (size - 1, size // 2, 0)]  # the newest stored, one from the middle, the oldest
    pages = {
        "Analyze (showing one analysis)": ("pages/analyze.py", {"analysis": ids[0]}),
        "Library": ("pages/library.py", {}),
        "Compare (3 articles)": ("pages/compare.py", {"ids": ",".join(ids)}),
        "Jobs": ("pages/jobs.py", {}),
        "Evidence": ("pages/evidence.py", {}),
        "Settings": ("pages/settings.py", {}),
        **story_pages(),
    }
    results = []
    for name, (page, address, *state) in pages.items():
        test = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=300)
        test.run()
        for key, value in address.items():
            test.query_params[key] = value
        for key, value in (state[0] if state else {}).items():  # widgets set as the analyst left them
            test.session_state[key] = value
        test.switch_page(page)
        results.append(timed_visits(test, name, runs, lambda: (check_shown(test, page, size, ids), check_story_shown(
            test, page, address, state[0] if state else {}))))
    return results


def timed_visits(test, name: str, runs: int, check: Callable[[], object]) -> tuple[str, float, float, float]:
    """(name, first visit, median and worst of ``runs`` reruns), seconds; ``check`` after the first visit says the
    page shows what it was opened at."""
    started = time.perf_counter()
    test.run()
    first = time.perf_counter() - started
    if test.exception:
        raise SystemExit(f"{name}: {test.exception}")
    check()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        test.run()
        times.append(time.perf_counter() - started)
    return name, first, statistics.median(times), max(times)


def check_shown(test, page: str, size: int, ids: list[str]) -> None:
    """That the page shows what its address names (an empty page would be timed otherwise)."""
    if page == "pages/library.py" and f"of {size:,} articles".replace(",", "") not in " ".join(c.value for c in test.caption).replace(",", ""):
        raise SystemExit(f"Library does not count {size} articles: {[c.value for c in test.caption]}")
    if page == "pages/analyze.py" and not any(f"Story {size - 1} about" in h.value for h in test.subheader):
        raise SystemExit(f"Analyze does not show {ids[0]}")
    if page == "pages/compare.py" and test.multiselect(key="compare_select").value != ids:
        raise SystemExit(f"Compare does not compare {ids}: {test.multiselect(key='compare_select').value}")


# ------------------------------------------------------------------ the Story and Outlet pages (issue 31)

# The outlet whose page is timed: one of the fill's outlets, with a tenth of the library.
OUTLET = "Gazette"


def story_pages() -> dict[str, tuple]:
    """The story pages at their addresses: the newest story of 5 or more articles, the outlet OUTLET, the list of
    stories, and the Library browsed by story (More columns on: each row links to its story)."""
    from sqlalchemy import select

    from core.storage.tables import stories

    storage = _storage()
    with storage.database.read() as db:
        story_id = db.execute(select(stories.c.id).where(stories.c.size >= 5).order_by(stories.c.id.desc())
                              .limit(1)).scalar_one()
    storage.database.dispose()
    return {
        "Story (one story of 5-12 articles)": ("pages/story.py", {"id": str(story_id)}),
        f"Outlet ({OUTLET}: a tenth of the articles)": ("pages/outlet.py", {"name": OUTLET}),
        "Story list (no id)": ("pages/story.py", {}),
        "Library browsed by story (More columns)": ("pages/library.py", {}, {"library_more_columns": True}),
    }


def _storage():
    from core.settings import get_settings
    from core.storage import Storage

    return Storage(get_settings().database)


def _table(test, column: str):
    """The first table of the page with ``column``."""
    found = [d.value for d in test.dataframe if column in d.value.columns]
    if not found:
        raise SystemExit(f"no table with a {column} column: {[list(d.value.columns) for d in test.dataframe]}")
    return found[0]


def check_story_shown(test, page: str, address: dict[str, str], state: dict) -> None:
    """That the story pages show what their addresses name: the story with each of its articles, the outlet with
    each of its articles, the stories, each Library row's story."""
    from sqlalchemy import func, select

    from core.storage.tables import analyses, articles

    storage = _storage()
    try:
        if page == "pages/story.py" and "id" in address:
            story = storage.stories.summary(int(address["id"]))
            timeline = _table(test, "Published")
            if not any(story.title in h.value for h in test.subheader) or len(timeline) != story.size or story.size < 5:
                raise SystemExit(f"Story does not show story {story.id} ({story.size} articles): {len(timeline)} rows")
            if len(set(timeline["Outlet"])) < 2:
                raise SystemExit(f"Story {story.id} is from one outlet: {set(timeline['Outlet'])}")
        elif page == "pages/story.py":
            shown = _table(test, "Story")
            if len(shown) != min(200, storage.stories.count()):
                raise SystemExit(f"the story list shows {len(shown)} of {storage.stories.count()} stories")
        elif page == "pages/outlet.py":
            with storage.database.read() as db:
                count = db.execute(select(func.count()).select_from(analyses.join(articles))
                                   .where(analyses.c.latest, articles.c.outlet == address["name"])).scalar_one()
            shown = _table(test, "Title")
            if [h.value for h in test.subheader] != [address["name"]] or len(shown) != count or not count:
                raise SystemExit(f"Outlet does not show {address['name']}'s {count} articles: {len(shown)} rows")
        elif page == "pages/library.py" and state.get("library_more_columns"):
            links = _table(test, "Story")["Story"]
            if links.isna().any() or not all(str(link).startswith("/story?id=") for link in links):
                raise SystemExit(f"the Library does not link every row to its story: {list(links)}")
    finally:
        storage.database.dispose()


# ------------------------------------------------------------------ filtered Evidence views (issue 29)

def evidence_views(size: int) -> list[tuple[str, dict[str, str], dict[str, list[str]], dict[str, str]]]:
    """(name, address, widget choices, what every row shown must have) of each filtered view of the Evidence page:
    each filter it offers, alone, opened at its address, and two together; one chosen in its widget instead."""
    article = analysis_id(size // 2)
    return [
        ("Evidence: stance = refutes", {"stance": "refutes"}, {}, {"Stance": "refutes"}),
        ("Evidence: verdict = contradicted", {"verdict": "contradicted"}, {}, {"Verdict": "Contradicted"}),
        ("Evidence: source = web", {"source": "web"}, {}, {"Source": "web"}),
        ("Evidence: counted = no", {"counted": "no"}, {}, {"Weight": "!counted"}),
        ("Evidence: counted = yes", {"counted": "yes"}, {}, {"Weight": "counted"}),
        ("Evidence: domain = site0.example", {"domain": "site0.example"}, {}, {"Outlet / domain": "site0.example"}),
        ("Evidence: article (one of them)", {"article": article}, {}, {"Article": f"Story {size // 2} about"}),
        ("Evidence: search 'roads in 2003' (common)", {"q": "roads in 2003"}, {}, {"Claim": "roads in 2003"}),
        ("Evidence: search 'tram extension' (no match)", {"q": "tram extension"}, {}, {}),
        ("Evidence: stance = refutes + source = web", {"stance": "refutes", "source": "web"}, {},
         {"Stance": "refutes", "Source": "web"}),
        ("Evidence: verdict = contradicted + counted = no + domain", {"verdict": "contradicted", "counted": "no",
                                                                        "domain": "site1.example"}, {},
         {"Verdict": "Contradicted", "Weight": "!counted", "Outlet / domain": "site1.example"}),
        ("Evidence: stance = supports, chosen in its widget", {}, {"evidence_stance": ["supports"]}, {"Stance": "supports"}),
    ]


def time_evidence_views(size: int, runs: int) -> list[tuple[str, float, float, float]]:
    """(view, first visit s, median s, worst s) of each filtered Evidence view (:func:`evidence_views`): the first
    visit opens the address (or the unfiltered page, then picks the widget's choice), the reruns redraw it."""
    from streamlit.testing.v1 import AppTest

    results = []
    for name, address, choices, shown in evidence_views(size):
        test = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=300)
        test.run()
        for key, value in address.items():
            test.query_params[key] = value
        test.switch_page("pages/evidence.py")
        if choices:
            test.run()
            for key, value in choices.items():
                test.multiselect(key=key).set_value(value)
        results.append(timed_visits(test, name, runs, lambda: check_filtered(test, name, shown)))
    return results


def check_filtered(test, name: str, shown: dict[str, str]) -> None:
    """That the view shows a page of rows that all match its filters (``!text``: a cell that is not ``text``; else a
    cell that holds ``text``), fewer than all evidence; or, with nothing to match, that it says none matches."""
    caption = next((c.value for c in test.caption if "of evidence" in c.value), "").replace(",", "")
    caption = caption.removeprefix("More than ")  # a search matching more than it counts
    matching, _, everything = caption.partition(" of ")
    everything = everything.split()[0] if everything else ""
    if not shown:
        if "No evidence matches these filters." not in [i.value for i in test.info]:
            raise SystemExit(f"{name}: expected no matching evidence, the page says {caption!r}")
        return
    table = test.dataframe[0].value
    if not len(table) or not matching.isdigit() or not everything.isdigit() or not 0 < int(matching) < int(everything):
        raise SystemExit(f"{name}: no filtered rows shown ({caption!r}, {len(table)} rows)")
    for column, wanted in shown.items():
        cells = [str(cell) for cell in table[column]]
        ok = all(cell != wanted[1:] for cell in cells) if wanted.startswith("!") else \
            all(wanted.lower() in cell.lower() for cell in cells)
        if not ok:
            raise SystemExit(f"{name}: a row shown does not match {column} {wanted!r}: {sorted(set(cells))[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--analyses", default="500", help="library sizes, comma-separated, ascending (full run: 20000,100000)")
    parser.add_argument("--runs", type=int, default=5, help="timed reruns per page after the first visit")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--no-index", action="store_true", help="store no library index sentences")
    args = parser.parse_args()
    sizes = [int(s) for s in args.analyses.split(",")]
    if sizes != sorted(sizes):
        raise SystemExit("--analyses must be ascending: the library grows from one size to the next")

    home = scratch_folder("pages")
    os.environ.update(CROSSCHECK_HOME=str(home), CROSSCHECK_SECRETS_FILE=str(home / "none.toml"))
    with ExitStack() as stack:
        if args.database == "postgresql":
            from testkit.servers import postgres_server

            os.environ["CROSSCHECK_DATABASE_URL"] = stack.enter_context(postgres_server())
        from bench.fill import bulk_fill, fill_stories, page_models, ptc_bodies
        from core.settings import get_settings
        from core.storage import Storage

        get_settings.cache_clear()
        storage = Storage(get_settings().database)
        models = page_models(MODELS, ptc_bodies(get_settings().data_dir, MODELS), index=not args.no_index)
        add_unfinished_jobs(storage)
        rows = []
        stored = 0
        for size in sizes:
            print(f"filling to {size:,} analyses …", flush=True)
            started = time.perf_counter()
            bulk_fill(storage, models, stored, size, clone)
            fill_s = time.perf_counter() - started
            fill_jobs(storage, stored, size)
            fill_stories(storage)
            fill_rate = (size - stored) / fill_s
            stored = size
            pages = time_pages(size, args.runs) + time_evidence_views(size, args.runs)
            rows.append((size, fill_rate, storage.size_bytes(), pages, rss_mb(), peak_rss_mb()))
        storage.database.dispose()

    print()
    print(f"Server time per page (Streamlit AppTest, {args.database}): first visit after clearing Streamlit's caches, "
          f"then median and worst of {args.runs} reruns; seconds")
    print()
    print("| page | " + " | ".join(f"{size:,} analyses: first / median / worst" for size, *_ in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for index, (name, *_) in enumerate(rows[0][3]):
        cells = [f"{pages[index][1]:.2f} / {pages[index][2]:.2f} / {pages[index][3]:.2f}" for _, _, _, pages, _, _ in rows]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("| dashboard process RSS after all pages / peak, MB | "
          + " | ".join(f"{rss:.0f} / {peak:.0f}" for *_, rss, peak in rows) + " |")
    print("| database size, MB | " + " | ".join(f"{size_bytes / 1e6:.0f}" for _, _, size_bytes, *_ in rows) + " |")
    print(f"| fill rate, analyses/s (bulk inserts{'' if args.no_index else ', library index included'}) | "
          + " | ".join(f"{rate:.0f}" for _, rate, *_ in rows) + " |")
    print()
    print(f"Machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end (shared machine: absolute "
          "times are noisy).")


if __name__ == "__main__":
    main()
