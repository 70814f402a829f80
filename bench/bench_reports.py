"""Export times of reports: a 10-claim analysis PDF with charts, and a 6-article comparison.

Run: .venv/bin/python -m bench.bench_reports [--runs N]
The first PDF export starts Chromium (kaleido); later ones reuse it, as the
CLI does within one command and a server does with ``shared_renderer()``.
Prints one table; times are wall-clock seconds.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from core.compare import shared_claims
from core.ml.loading import get_embedder
from core.reports.exports import to_csv_zip, to_json, to_markdown
from core.reports.images import ChartRenderer
from core.reports.pdf import analysis_pdf, comparison_pdf
from testkit.factories import make_analysis

TARGET_WARM_PDF_S = 3.0


def _time(fn, runs: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - start)
    return times, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per warm scenario")
    runs = parser.parse_args().runs

    single = make_analysis(10, title="Ten-claim analysis")
    six = [make_analysis(8, id=f"article{i}", title=f"Article {i}", seed=i) for i in range(6)]
    get_embedder()  # model loading is a one-off per process, not part of an export
    rows = []
    with ChartRenderer() as renderer:
        cold, size = _time(lambda: analysis_pdf(single, renderer=renderer), 1)
        rows.append(("analysis PDF, 10 claims, charts, first export (starts Chromium)", cold, size))
        rows.append(("analysis PDF, 10 claims, charts, later exports", *_time(lambda: analysis_pdf(single, renderer=renderer), runs)))
        rows.append(("comparison PDF, 6 articles x 8 claims, charts", *_time(lambda: comparison_pdf(six, renderer=renderer), runs)))
    rows.append(("analysis PDF, 10 claims, no charts", *_time(lambda: analysis_pdf(single, charts=False), runs)))
    rows.append(("comparison PDF, 6 articles, no charts", *_time(lambda: comparison_pdf(six, charts=False), runs)))
    rows.append(("JSON, 6 analyses", *_time(lambda: to_json(six).encode(), runs)))
    rows.append(("CSV zip, 6 analyses", *_time(lambda: to_csv_zip(six), runs)))
    rows.append(("Markdown with shared claims, 6 analyses",
                 *_time(lambda: to_markdown(six, comparison=shared_claims(six)).encode(), runs)))

    width = max(len(r[0]) for r in rows)
    print(f"{'export':<{width}}  runs  median s   max s   size KB")
    for name, times, size in rows:
        print(f"{name:<{width}}  {len(times):>4}  {statistics.median(times):>8.2f}  {max(times):>6.2f}  {size / 1024:>8.0f}")
    warm = statistics.median(rows[1][1])
    print(f"\ntarget: 10-claim PDF with charts after the first export under {TARGET_WARM_PDF_S:.0f} s: "
          f"{'met' if warm < TARGET_WARM_PDF_S else 'MISSED'} ({warm:.2f} s)")
    return 0 if warm < TARGET_WARM_PDF_S else 1


if __name__ == "__main__":
    sys.exit(main())
