"""What one analysed article costs a worker: CPU seconds, memory over a long run, database bytes.

    .venv/bin/python -m bench.bench_analysis [--articles 250] [--databases sqlite,postgresql]
        [--compare DIR] [--json]

One process analyses ``--articles`` PTC articles (``$CROSSCHECK_DATA_DIR/ptc/articles``,
1,500 characters or more, in name order) one after the other with the real
pipeline, as a worker's job does: ``pipeline.analyze`` with the local engine, no
evidence sources, stored in a SQLite database with its library index. Per
article it records the process's CPU time (user + system, every thread of
it: the machine is shared, so wall time says more about the other jobs on it)
and, after every analysis, the process's resident memory (VmRSS). Like a worker, it
caps glibc's malloc arenas and gives freed memory back after each analysis
(core.jobs.memory). The first
analysis loads the models and is left out of the CPU figures.

Every analysis is also stored, with the same index sentences, in each other
database of ``--databases`` (PostgreSQL is started on loopback,
testkit/servers.py): the bytes per analysis are each database's growth over
the run divided by the articles (SQLite after a WAL checkpoint).

``--compare DIR`` runs the same measures with the code of ``DIR`` (a checkout
of an earlier commit, e.g. ``git worktree add /tmp/before <commit>``) and with
this tree, in two child processes side by side (each one's CPU time is its
own), and prints both in one table.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from bench.scratch import scratch_folder

REPOSITORY = Path(__file__).resolve().parent.parent
# The analyses whose resident memory the table shows; the growth is from the first to the last one of these.
MEMORY_AT = (1, 10, 50, 100, 150, 200, 250, 500)
GROWTH_FROM = 50
PROGRESS_EVERY = 25


def resident_mb() -> float:
    """This process's resident memory (VmRSS), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def articles(data_dir: Path, count: int):
    from core.records import Article

    texts = [p.read_text(encoding="utf-8") for p in sorted((data_dir / "ptc" / "articles").glob("*.txt"))]
    texts = [t for t in texts if len(t) >= 1500]
    if not texts:
        raise SystemExit(f"no PTC articles in {data_dir}/ptc/articles; set CROSSCHECK_DATA_DIR")
    # Cycled when there are fewer: each copy gets its own address, so it is stored as its own article.
    return [Article(text=texts[n % len(texts)], url=f"https://outlet{n % 7}.example/story/{n}",
                    title=texts[n % len(texts)].strip().splitlines()[0][:200], outlet=f"Outlet {n % 7}", language="en")
            for n in range(count)]


def sqlite_bytes(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def measure(count: int, databases: list[str]) -> dict:
    """Analyse ``count`` articles in this process; the figures as a dict (printed as JSON by a child)."""
    home = scratch_folder("analysis")
    os.environ.update(CROSSCHECK_HOME=str(home), CROSSCHECK_SECRETS_FILE=str(home / "none.toml"))
    from core.jobs.memory import give_back_freed, limit_arenas
    from core.pipeline import ArticleInput, analyze
    from core.settings import get_settings
    from core.sources.library import index_sentences
    from core.storage import Storage

    get_settings.cache_clear()
    settings = get_settings()
    inputs = articles(settings.data_dir, count)
    limit_arenas()  # as `python -m core worker` does at start-up
    with ExitStack() as stack:
        path = home / "analyses.db"
        storage = Storage(path)
        others = {}
        for kind in databases:
            if kind == "postgresql":
                from testkit.servers import postgres_server

                others[kind] = Storage(stack.enter_context(postgres_server()))
            elif kind != "sqlite":
                raise SystemExit(f"unknown database {kind!r} (sqlite or postgresql)")
        start_bytes = {"sqlite": sqlite_bytes(path), **{k: s.size_bytes() for k, s in others.items()}}
        cpu, memory = [], {}
        for number, article in enumerate(inputs, start=1):
            started = time.process_time()
            analysis = analyze(ArticleInput(article), engine="local", sources=(), settings=settings, storage=storage)
            give_back_freed()  # as the worker does after each job (timed: it is part of the job's cost)
            cpu.append(time.process_time() - started)
            memory[number] = resident_mb()
            for other in others.values():  # not timed: the same analysis and index sentences, in the other database
                other.save(analysis, index=index_sentences(analysis.article))
            if number % PROGRESS_EVERY == 0:
                print(f"{number} analysed: CPU s per article {statistics.mean(cpu[1:]):.3f}, RSS {memory[number]:.0f} MB",
                      file=sys.stderr, flush=True)
        storage.database.dispose()
        grown = {"sqlite": sqlite_bytes(path) - start_bytes["sqlite"],
                 **{k: s.size_bytes() - start_bytes[k] for k, s in others.items()}}
    return {"articles": count, "cpu_mean": statistics.mean(cpu[1:] or cpu), "cpu_median": statistics.median(cpu[1:] or cpu),
            "cpu_first": cpu[0], "memory": {str(n): memory[n] for n in MEMORY_AT if n in memory},
            "bytes_per_analysis": {k: v / count for k, v in grown.items()}}


def children(trees: dict[str, Path], count: int, databases: str) -> dict[str, dict]:
    """:func:`measure` run with the code of each tree, in child processes side by side (CPU time is each one's own).

    Their progress lines go to this process's standard error.
    """
    running = {}
    for label, tree in trees.items():
        environment = {**os.environ, "PYTHONPATH": str(tree)}
        # Run as a script (not -m, which would put this tree first on the path): ``core`` comes from ``tree``.
        command = [sys.executable, str(Path(__file__).resolve()), "--articles", str(count), "--databases", databases, "--json"]
        running[label] = subprocess.Popen(command, cwd=tree, env=environment, stdout=subprocess.PIPE, text=True)
    results = {}
    for label, process in running.items():
        output, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"the run with {trees[label]} failed (exit status {process.returncode})")
        results[label] = json.loads(output.strip().splitlines()[-1])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=30, help="articles analysed one after the other (full run: 250)")
    parser.add_argument("--databases", default="sqlite", help="sqlite and/or postgresql, comma-separated")
    parser.add_argument("--compare", type=Path, help="a checkout of an earlier commit, measured first")
    parser.add_argument("--json", action="store_true", help="print the figures as one line of JSON (for --compare)")
    args = parser.parse_args()
    databases = [d for d in args.databases.split(",") if d]
    if "sqlite" not in databases:
        databases.insert(0, "sqlite")
    if args.json:
        print(json.dumps(measure(args.articles, [d for d in databases if d != "sqlite"])))
        return
    if args.compare:
        runs = children({"before": args.compare.resolve(), "now": REPOSITORY}, args.articles, ",".join(databases))
    else:
        runs = {"now": measure(args.articles, [d for d in databases if d != "sqlite"])}
    print()
    print(f"One process analysing {args.articles} PTC articles (local engine, no sources, stored with the library index)")
    print()
    marks = [n for n in MEMORY_AT if n <= args.articles]
    print("| code | CPU s per article (mean / median) | first article CPU s | "
          + " | ".join(f"RSS MB at {n}" for n in marks) + f" | RSS growth {GROWTH_FROM} → {marks[-1]} | "
          + " | ".join(f"{d} kB per analysis" for d in databases) + " |")
    print("|---" * (4 + len(marks) + len(databases)) + "|")
    for name, run in runs.items():
        memory = run["memory"]
        growth = (f"{100 * (memory[str(marks[-1])] / memory[str(GROWTH_FROM)] - 1):+.1f} %"
                  if str(GROWTH_FROM) in memory and marks[-1] > GROWTH_FROM else "")
        print(f"| {name} | {run['cpu_mean']:.3f} / {run['cpu_median']:.3f} | {run['cpu_first']:.2f} | "
              + " | ".join(f"{memory[str(n)]:.0f}" for n in marks) + f" | {growth} | "
              + " | ".join(f"{run['bytes_per_analysis'][d] / 1000:.1f}" for d in databases) + " |")
    if len(runs) == 2:
        print()
        print(f"CPU per article: {100 * (runs['now']['cpu_mean'] / runs['before']['cpu_mean'] - 1):+.1f} % (mean).")
    print(f"Machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end.")


if __name__ == "__main__":
    main()
