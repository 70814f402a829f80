"""Subcommands of ``python -m core`` that run the shipped local models: checkworthy, stance."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError

logger = logging.getLogger(__name__)


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


def _lines(name: str) -> list[str]:
    """The lines of a file or of standard input, read as the rest of the CLI reads text: size capped, encoding detected."""
    from ..extract import decode_text, read_file, require_within_limit
    from ..settings import get_settings

    settings = get_settings()
    if name == "-":
        if sys.stdin is None:
            raise InputError("There is no standard input to read.", hint="Pipe the lines in, or give a file.")
        data = require_within_limit(sys.stdin.buffer.read(settings.max_download_bytes + 1), "standard input", settings)
        shown = "standard input"
    else:
        path = Path(name)
        if not path.is_file():
            raise InputError(f"No such file: {name}.")
        data, shown = read_file(path, settings), path.name
    decoded = decode_text(data, shown)  # a binary file is refused; Latin-1 and other legacy encodings are read, and said
    for warning in decoded.warnings:
        logger.warning("%s", warning)
    # Universal newlines, as text files are read; not str.splitlines, which would also split JSON strings at U+2028.
    return decoded.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


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
