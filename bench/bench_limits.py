"""What a large article and a large library cost: wall time and memory of `python -m core analyze`.

    .venv/bin/python -m bench.bench_limits [--data ../shared/data] [--chars 200000] [--stored 4]

Each row is one run of the CLI in a fresh process (imports, models, the
analysis, the store and the process's exit, when abandoned threads are joined),
with the library source on, against a private database:

- a 1 KB article with an empty library;
- the same article after ``--stored`` articles of ``--chars`` characters each
  are in the library (targets: at most 2 s more than with the empty library);
- one article of ``--chars`` characters (target: at most 20 s, with a bounded
  number of claims).

Texts are Wikinews articles (real news prose) joined to the length needed;
stored articles are written straight into the database, as an import would.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core.engine_usage import EngineInfo
from core.records import Analysis, Article
from core.settings import get_settings
from core.storage import Storage

ROOT = Path(__file__).resolve().parent.parent


def news_texts(data: Path) -> list[tuple[str, str]]:
    path = data / "news" / "wikinews_en.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["title"], row["text"]) for row in rows]


def joined(texts: list[tuple[str, str]], start: int, chars: int) -> tuple[str, int]:
    """Articles from ``start`` on, joined into a text of exactly ``chars`` characters (cut at a line end when possible)."""
    text, i = "", start
    while len(text) < chars:
        title, body = texts[i % len(texts)]
        text += f"{title}\n\n{body}\n\n"
        i += 1
    cut = text.rfind("\n", 0, chars)
    return (text[:cut] if cut > chars * 0.9 else text[:chars]).rstrip() + "\n", i


def short_article(texts: list[tuple[str, str]], chars: int = 1000) -> str:
    title, body = texts[0]
    text = f"{title}\n\n"
    for sentence in body.replace("\n", " ").split(". "):
        if len(text) + len(sentence) > chars:
            break
        text += sentence.strip() + ". "
    return text.strip() + "\n"


def run_cli(path: Path, home: Path) -> tuple[float, float, dict]:
    """Wall seconds, peak memory (MiB) and the JSON document of one `analyze` run in a fresh process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CROSSCHECK_", "ANTHROPIC_"))}
    env.update(CROSSCHECK_HOME=str(home), CROSSCHECK_SECRETS_FILE=str(home / "none.toml"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "core", "analyze", str(path), "--json", "--no-store",
                             "--sources", "library"], capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"analyze failed: {result.stderr.strip()}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return wall, peak, json.loads(result.stdout)


def store_large_articles(db: Path, texts: list[tuple[str, str]], count: int, chars: int) -> int:
    storage = Storage(db)
    start = 1
    for number in range(count):
        text, start = joined(texts, start, chars)
        article = Article(text=text, url=f"https://library.example/long-{number}", title=f"Long article {number}",
                          outlet=f"Outlet {number}", language="en")
        storage.save(Analysis(id=f"long{number}", created_at=f"2026-01-0{number + 1}T00:00:00+00:00",
                              article=article, engine=EngineInfo(name="local")))
    return start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=get_settings().data_dir)
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--stored", type=int, default=4)
    args = parser.parse_args()
    texts = news_texts(args.data)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-limits-") as folder:
        home = Path(folder) / "home"
        home.mkdir()
        short = Path(folder) / "short.txt"
        short.write_text(short_article(texts), encoding="utf-8")
        wall_empty, peak, document = run_cli(short, home)
        rows.append(("1 KB article, empty library", wall_empty, peak, document))
        next_text = store_large_articles(home / "crosscheck.db", texts, args.stored, args.chars)
        wall_full, peak, document = run_cli(short, home)
        rows.append((f"1 KB article, {args.stored} stored x {args.chars:,} chars", wall_full, peak, document))
        large = Path(folder) / "large.txt"
        large.write_text(joined(texts, next_text, args.chars)[0], encoding="utf-8")
        rows.append((f"{args.chars:,}-char article, same library", *run_cli(large, home)))
    print(f"{'run':<42} {'wall s':>7} {'peak MiB':>9} {'claims':>7} {'partial':>8}  library source")
    for name, wall, peak, document in rows:
        library = next((r for r in document["source_runs"] if r["name"] == "library"), {})
        print(f"{name:<42} {wall:7.2f} {peak:9.0f} {len(document['claims']):7d} {str(document['partial']):>8}  "
              f"{library.get('status', '-')}: {library.get('detail', '')}")
    print(f"\nlibrary of {args.stored} large articles adds {wall_full - wall_empty:+.2f} s (target: at most +2 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
