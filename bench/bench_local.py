"""Latency, throughput and memory of the local engine on ~1,000-word articles.

    .venv/bin/python -m bench.bench_local [--articles 20] [--data ../shared/data]

Articles are PTC articles cut or joined to about 1,000 words (so the text is
real news prose); without the data folder a fixed public-domain-style text is
repeated instead. Prints a table: start-up, p50/p95 latency, articles per
minute and peak memory (max RSS of the process).
"""
from __future__ import annotations

import time

_PROCESS_START = time.perf_counter()

import argparse
import resource
import statistics
from pathlib import Path

from core.engines.local import LocalEngine
from core.ml.loading import load_models
from core.records import Article
from core.settings import get_settings

FALLBACK = (
    "The city council voted on Tuesday to raise the minimum wage to 15 dollars by 2025, a move critics called a "
    "disaster for small businesses. Supporters said 40,000 workers would benefit. "
)


def articles(data: Path, n: int, words: int = 1000) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((data / "ptc" / "articles").glob("article*.txt"))]
    if not texts:
        texts = [FALLBACK * 40]
    out, pool = [], iter(texts * (n * 4))
    while len(out) < n:
        chunk = ""
        while len(chunk.split()) < words:
            chunk += next(pool) + "\n"
        # Cut at a line end near the target length so the text stays well formed.
        lines, kept = chunk.splitlines(), []
        for line in lines:
            kept.append(line)
            if len(" ".join(kept).split()) >= words:
                break
        out.append("\n".join(kept))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--data", type=Path, default=get_settings().data_dir)
    args = parser.parse_args()
    texts = articles(args.data, args.articles)
    t0 = time.perf_counter()
    load_models()
    startup = time.perf_counter() - t0
    cold = time.perf_counter() - _PROCESS_START
    engine = LocalEngine(get_settings())
    engine.read(Article(text=texts[0]))  # warm-up: first ONNX run allocates its buffers
    latencies = []
    for text in texts:
        t = time.perf_counter()
        engine.read(Article(text=text))
        latencies.append(time.perf_counter() - t)
    # Distinct pairs, as an analysis judges them: both stance models read each one (only the embeddings are shared).
    pairs = [(f"The bridge cost {40 + k} million dollars.", f"Building the bridge cost {65 + k} million dollars in {2000 + k}.")
             for k in range(20)]
    t = time.perf_counter()
    engine.judge_stance(pairs)
    stance_s = time.perf_counter() - t
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("articles", f"{len(texts)} x ~{statistics.mean(len(t.split()) for t in texts):.0f} words"),
        ("model start-up (load_models)", f"{startup:.2f} s"),
        ("cold start (imports + models)", f"{cold:.2f} s"),
        ("latency p50", f"{statistics.median(latencies):.3f} s"),
        ("latency p95", f"{p95:.3f} s"),
        ("articles per minute", f"{60 / statistics.mean(latencies):.0f}"),
        ("stance, 20 pairs", f"{stance_s:.3f} s"),
        ("peak memory (max RSS)", f"{peak_mib:.0f} MiB"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'metric':<{width}}  value")
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
