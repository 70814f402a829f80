"""Subcommands of ``python -m core``: train, eval, checkworthy, stance."""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from ..errors import InputError
from . import artifact

MODELS = ("techniques", "checkworthiness", "stance")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("train", help="train a local model on ../shared/data and save its artifact")
    p.add_argument("model", choices=MODELS)
    p.add_argument("--data", help="training data folder (default: CROSSCHECK_DATA_DIR or ../shared/data)")
    p.add_argument("--out", help=f"artifact folder (default: {artifact.ARTIFACT_DIR})")
    p.set_defaults(func=_train)

    p = subparsers.add_parser("eval", help="cross-validate a local model and print its metrics beside baselines")
    p.add_argument("model", choices=MODELS)
    p.add_argument("--data", help="training data folder (default: CROSSCHECK_DATA_DIR or ../shared/data)")
    p.set_defaults(func=_eval)

    p = subparsers.add_parser("checkworthy", help="score sentences (one a line) for check-worthiness, as JSON lines")
    p.add_argument("file", nargs="?", default="-", help="input file, or - for standard input")
    p.set_defaults(func=_checkworthy)

    p = subparsers.add_parser("stance", help='judge JSON lines {"claim", "evidence"}; prints label and scores')
    p.add_argument("file", nargs="?", default="-", help="input file, or - for standard input")
    p.set_defaults(func=_stance)


def _say(start: float) -> Any:
    def say(message: str) -> None:
        print(f"[{time.time() - start:5.0f} s] {message}", file=sys.stderr, flush=True)

    return say


def _module(name: str) -> Any:
    if name == "techniques":
        from . import train_techniques as module
    elif name == "checkworthiness":
        from . import train_checkworthiness as module
    else:
        from . import train_stance as module
    return module


def _train(args: argparse.Namespace) -> int:
    from .data import data_dir

    out = Path(args.out) if args.out else artifact.ARTIFACT_DIR
    metrics = _module(args.model).train(data_dir(args.data), out, _say(time.time()))
    _print_table(args.model, metrics)
    print(f"saved {args.model} to {out}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from .data import data_dir

    module = _module(args.model)
    say = _say(time.time())
    root = data_dir(args.data)
    if args.model == "techniques":
        metrics, reliability = module.evaluate(root, say)
    else:
        metrics = module.cross_validate(root, say)
        reliability = []
        if isinstance(metrics, tuple):
            metrics = metrics[0]
    _print_table(args.model, metrics)
    if reliability:
        print("reliability of the article-level confidences (10 bins):")
        print("  bin    mean confidence  observed frequency  pairs")
        for low, confidence, observed, count in reliability:
            print(f"  {low:.1f}+  {confidence:15.3f}  {observed:18.3f}  {count:5d}")
    return 0


def _print_table(model: str, metrics: dict[str, float]) -> None:
    print(f"{model}: cross-validated metrics")
    width = max(len(k) for k in metrics)
    for key, value in metrics.items():
        print(f"  {key:<{width}}  {value:8.4f}")


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
    from ..engines.local import load_models
    from .embeddings import get_embedder

    texts = [line for line in _lines(args.file) if line.strip()]
    model = load_models().checkworthiness
    scores = model.score(texts, get_embedder().encode(texts))
    for text, score in zip(texts, scores):
        print(json.dumps({"text": text, "score": round(float(score), 4)}, ensure_ascii=False))
    return 0


def _stance(args: argparse.Namespace) -> int:
    from ..engines.local import load_models
    from .embeddings import get_embedder
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
    probs, _ = load_models().stance.predict(pairs, get_embedder().encode_with_states)
    for row in probs:
        print(json.dumps({"label": LABELS[int(row.argmax())], "scores": {l: round(float(p), 4) for l, p in zip(LABELS, row)}}))
    return 0
