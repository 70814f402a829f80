"""Subcommands of ``python -m core`` that train and evaluate the local models: train, eval."""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...errors import InputError
from .. import artifact

MODELS = ("techniques", "checkworthiness", "stance", "news-reference", "news-stance")
# stance-encoder is trained, not evaluated on its own: `eval stance` reports it alone beside the combination.
TRAIN_MODELS = (*MODELS, "stance-encoder")
DATA_HELP = "training data folder (default: CROSSCHECK_DATA_DIR or ../shared/data)"
REVIEWED_HELP = ("a review export (python -m core review export): adds the analysts' labels to the training data "
                 "(stance pairs for stance and stance-encoder, technique passages for techniques)")
# Models whose training reads a review export; the analysts label no check-worthiness.
REVIEWED_MODELS = ("techniques", "stance", "stance-encoder")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "train", help="train a local model on ../shared/data and save its artifact",
        description="Train a local model and save its artifact. news-reference: read ordinary news (Wikinews) with "
                    "the shipped technique detector and fit the cut-offs of the found rule (run it after training techniques). "
                    "stance-encoder: fine-tune the stance cross-encoder (needs torch, about an hour on 2 cores); "
                    "train stance after it, since stance combines the two on the pairs both left out. "
                    "news-stance: the news-pair layer over the stance model's readings of pairs made from "
                    "Wikinews (train it after stance).",
    )
    p.add_argument("model", choices=TRAIN_MODELS)
    p.add_argument("--data", help=DATA_HELP)
    p.add_argument("--out", help=f"artifact folder (default: {artifact.ARTIFACT_DIR})")
    p.add_argument("--reviewed", type=Path, metavar="FILE", help=REVIEWED_HELP)
    p.set_defaults(func=_train)

    p = subparsers.add_parser(
        "eval", help="evaluate a local model on data it did not train on and print its metrics beside baselines",
        description="Evaluate a local model on data it did not train on (cross-validation; for stance, its held-out "
                    "fold) and print its metrics beside baselines. news-reference: the share "
                    "of ordinary news (Wikinews, out of fold) with any found technique, and on PTC read out of fold by "
                    "the technique detector's cross-validation (cached after the first run) the found rate, its "
                    "precision and the persuasion score's ROC-AUC. stance: on the held-out fold neither of its models "
                    "trained on, beside the linear model and the cross-encoder alone.",
    )
    p.add_argument("model", choices=MODELS)
    p.add_argument("--data", help=DATA_HELP)
    p.add_argument("--reviewed", type=Path, metavar="FILE", help=REVIEWED_HELP)
    p.add_argument("--keep-readings", type=Path, metavar="FILE",
                   help="techniques only: also write the cross-validation's out-of-fold probabilities to FILE (.npz), "
                        "for scripts/technique_decoding_grid.py")
    p.set_defaults(func=_eval)


def _say(start: float) -> Callable[[str], None]:
    def say(message: str) -> None:
        print(f"[{time.time() - start:5.0f} s] {message}", file=sys.stderr, flush=True)

    return say


def _module(name: str) -> Any:
    """The training module of a model; each has ``train(root, out, say)`` and ``evaluate(root, say)``."""
    if name == "techniques":
        from . import techniques as module
    elif name == "checkworthiness":
        from . import checkworthiness as module
    elif name == "news-reference":
        from . import news_reference as module
    elif name == "stance-encoder":
        from . import stance_encoder as module
    elif name == "news-stance":
        from . import news_stance as module
    else:
        from . import stance as module
    return module


def _reviewed(args: argparse.Namespace) -> dict[str, Path]:
    """The review export to add, as a keyword for the model's train/evaluate (none: nothing to add)."""
    if args.reviewed is None:
        return {}
    if args.model not in REVIEWED_MODELS:
        raise InputError(f"Analysts' reviews hold no {args.model} labels.",
                         hint=f"--reviewed works with {', '.join(REVIEWED_MODELS)}.")
    return {"reviewed": args.reviewed}


def _train(args: argparse.Namespace) -> int:
    from .data import data_dir

    out = Path(args.out) if args.out else artifact.ARTIFACT_DIR
    metrics = _module(args.model).train(data_dir(args.data), out, _say(time.time()), **_reviewed(args))
    _print_table(args.model, metrics)
    print(f"saved {args.model} to {out}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from .data import data_dir

    keep = {}
    if args.keep_readings is not None:
        if args.model != "techniques":
            raise InputError("--keep-readings writes the technique detector's out-of-fold readings.",
                             hint="Use it with eval techniques.")
        keep = {"keep_readings": args.keep_readings}
    metrics, reliability = _module(args.model).evaluate(data_dir(args.data), _say(time.time()), **_reviewed(args), **keep)
    _print_table(args.model, metrics)
    if reliability:
        print("reliability of the article-level confidences (10 bins):")
        print("  bin    mean confidence  observed frequency  pairs")
        for low, confidence, observed, count in reliability:
            print(f"  {low:.1f}+  {confidence:15.3f}  {observed:18.3f}  {count:5d}")
    return 0


def _print_table(model: str, metrics: dict[str, float]) -> None:
    print(f"{model}: metrics on pairs, sentences or articles the model did not train on")
    width = max(len(k) for k in metrics)
    for key, value in metrics.items():
        print(f"  {key:<{width}}  {value:8.4f}")
