"""Analyse a fixed set of real articles, one after another into one library, and print canonical JSON.

A refactor must not change what the analyst sees: run this before and after and
compare the two outputs (`diff`). Each article is analysed with the local engine
and the library source, so later articles are checked against the earlier ones;
what differs between runs by design (ids, times) is dropped.

    python scripts/snapshot_analyses.py --out before.json
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOLATILE = {"id", "created_at", "analysis_id"}  # analysis_id: a library passage's stored analysis, a fresh id per run


def inputs(data: Path, out: Path) -> list[Path]:
    """The example article, then Wikinews and PTC articles whose stories overlap (written as text files)."""
    files = [ROOT / "core/examples/example_article.txt"]
    news = [json.loads(line) for line in (data / "news/wikinews_en.jsonl").read_text().splitlines()[:12]]
    for i, row in enumerate(news):
        path = out / f"wikinews_{i:02d}.txt"
        path.write_text(row["title"] + "\n\n" + row["text"], encoding="utf-8")
        files.append(path)
    files.extend(sorted((data / "ptc/articles").glob("*.txt"))[:6])
    return files


def canonical(document: dict) -> dict:
    def strip(value):  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            return {k: strip(v) for k, v in sorted(value.items()) if k not in VOLATILE}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(document)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        documents = []
        for path in inputs(args.data, work):
            run = subprocess.run(
                [sys.executable, "-m", "core", "analyze", "--engine", "local", "--sources", "library",
                 "--db", str(work / "library.db"), "--outlet", path.stem, "--json", str(path)],
                cwd=ROOT, capture_output=True, text=True, check=True,
            )
            documents.append(canonical(json.loads(run.stdout)))
            print(f"{path.name}: {len(documents[-1]['claims'])} claims", file=sys.stderr)
    args.out.write_text(json.dumps(documents, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
