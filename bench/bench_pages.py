"""Render time of every dashboard page with a generated library of N stored analyses.

Usage: .venv/bin/python -m bench.bench_pages [--analyses 500] [--runs 5]
Prints, per page, the median and worst time of a script run in Streamlit's
AppTest (first run excluded: it warms caches, as a user's first visit does).
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path


def generate_library(db: Path, count: int) -> None:
    from core.storage import Storage
    from testkit.factories import make_analysis

    rng = random.Random(7)
    outlets = ["Gazette", "Herald", "Tribune", "Courier", "Observer", "Chronicle", "Post", "Times"]
    storage = Storage(db)
    for i in range(count):
        storage.save(
            make_analysis(
                id=f"bench{i:04d}", title=f"Story {i} about the council budget", outlet=rng.choice(outlets),
                url=f"https://news{i % 40}.example/story/{i}", n_claims=rng.randint(3, 12),
                created_at=f"2026-{1 + i % 11:02d}-{1 + i % 27:02d}T{i % 24:02d}:00:00+00:00", seed=i,
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--analyses", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="crosscheck-bench-"))
    os.environ.update(CROSSCHECK_HOME=str(home), CROSSCHECK_SECRETS_FILE=str(home / "none.toml"))
    from core.settings import get_settings

    get_settings.cache_clear()
    started = time.perf_counter()
    generate_library(get_settings().db_path, args.analyses)
    print(f"generated {args.analyses} analyses in {time.perf_counter() - started:.1f} s")

    from streamlit.testing.v1 import AppTest

    ids = [f"bench{i:04d}" for i in range(3)]
    pages = {
        "Analyze (showing a stored analysis)": ("views/analyze.py", {"analysis_id": ids[0]}),
        "Library": ("views/library.py", {}),
        "Compare (3 articles)": ("views/compare.py", {"compare_ids": ids}),
        "Evidence": ("views/evidence.py", {}),
        "Settings": ("views/settings.py", {}),
    }
    print("\n| page | median s | worst s | runs |\n|---|---|---|---|")
    for name, (page, state) in pages.items():
        test = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
        for key, value in state.items():
            test.session_state[key] = value
        test.run()
        test.switch_page(page)
        test.run()  # warm-up: first visit fills the caches
        if test.exception:
            raise SystemExit(f"{name}: {test.exception}")
        if page == "views/library.py" and len(test.dataframe[0].value) != args.analyses:
            raise SystemExit(f"Library shows {len(test.dataframe[0].value)} rows, not {args.analyses}")
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            test.run()
            times.append(time.perf_counter() - start)
        print(f"| {name} | {statistics.median(times):.3f} | {max(times):.3f} | {args.runs} |")


if __name__ == "__main__":
    main()
