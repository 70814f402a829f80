"""Subcommands of ``python -m core`` that run the shipped local models: checkworthy, stance."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ..errors import InputError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("checkworthy", help="score sentences (one a line) for check-worthiness, as JSON lines")
    p.add_argument("file", nargs="?", default="-", help="input file, or - for standard input")
    p.set_defaults(func=_checkworthy)

    p = subparsers.add_parser(
        "stance", help='judge JSON lines {"claim", "evidence"}; prints label, calibrated scores and decisive',
        description='Judge JSON lines {"claim", "evidence"} with the local stance model. Prints one JSON line per '
                    'pair: label, calibrated scores, "decisive" (whether the stance would count toward a verdict: '
                    'its probability reaches the threshold chosen from data and, for supports, the evidence '
                    'mentions the claim\'s numbers and names) and "missing" (those it leaves out).')
    p.add_argument("file", nargs="?", default="-", help="input file, or - for standard input")
    p.set_defaults(func=_stance)


def _lines(name: str) -> Iterator[str]:
    handle: TextIO
    if name == "-":
        handle = sys.stdin
        yield from (line.rstrip("\n") for line in handle)
        return
    path = Path(name)
    if not path.is_file():
        raise InputError(f"No such file: {name}.")
    with path.open(encoding="utf-8") as handle:
        yield from (line.rstrip("\n") for line in handle)


def _checkworthy(args: argparse.Namespace) -> int:
    from .loading import get_embedder, load_models

    texts = [line for line in _lines(args.file) if line.strip()]
    model = load_models().checkworthiness
    scores = model.score(texts, get_embedder().encode(texts))
    for text, score in zip(texts, scores):
        print(json.dumps({"text": text, "score": round(float(score), 4)}, ensure_ascii=False))
    return 0


def _stance(args: argparse.Namespace) -> int:
    from .loading import get_embedder, load_models
    from .stance import LABELS

    pairs = []
    for number, line in enumerate(_lines(args.file), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            pairs.append((str(row["claim"]), str(row["evidence"])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise InputError(f"Line {number} is not a JSON object with \"claim\" and \"evidence\": {exc}.") from None
    for judged in load_models().stance.judge(pairs, get_embedder().encode_with_states):
        print(json.dumps({"label": judged.label, "scores": {l: round(p, 4) for l, p in zip(LABELS, judged.probabilities)},
                          "decisive": judged.decisive, "missing": list(judged.missing)}, ensure_ascii=False))
    return 0
