"""Precision and recall of decisive stances against the threshold, on held-out pairs (docs/local-models.md, issue 18).

    .venv/bin/python scripts/stance_threshold_table.py

Reads the held-out fold as ``python -m core eval stance`` does (the linear
model refitted on the other folds, the shipped cross-encoder, the combination
fitted on four fifths of the held-out groups and applied to the fifth), then
prints, for each threshold, the precision / recall (of all true pairs) /
number of decisive calls on Climate-FEVER and on the NLI pairs pooled, with
the supports counted only where the passage can support the claim as stated,
and once more without that requirement.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from core.ml.artifact import ARTIFACT_DIR
from core.ml.training import stance as training
from core.ml.training.data import data_dir
from core.ml.training.stance_corpus import load_corpus

THRESHOLDS = (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.87, 0.9)


def cell(probs: np.ndarray, y: np.ndarray, label: int, threshold: float, allowed: np.ndarray) -> str:
    called = (probs.argmax(1) == label) & (probs[:, label] >= threshold) & allowed
    precision = f"{(y[called] == label).mean():.2f}" if called.any() else "–"
    return f"{precision} / {(called & (y == label)).sum() / max(1, (y == label).sum()):.3f} ({called.sum():,})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="training data folder (default: ../shared/data)")
    args = parser.parse_args()
    start = time.time()

    def say(message: str) -> None:
        print(f"[{time.time() - start:5.0f} s] {message}", file=sys.stderr, flush=True)

    everything = load_corpus(data_dir(args.data), say)
    _, readings = training.held_out_readings(everything, training.encoder_for(ARTIFACT_DIR, everything), say)
    oof = readings.nested(readings.features, training.stacking)
    corpus, supportable = readings.pairs, readings.supportable
    domains = {"Climate-FEVER": corpus.source == "climate_fever", "NLI pooled": corpus.source != "climate_fever"}
    domains = {name: d for name, d in domains.items() if d.any()}
    everywhere = np.ones(len(corpus.y), dtype=bool)
    for title, allowed in (("supports counted only where supportable", supportable), ("without that requirement", everywhere)):
        print(f"\n{title}: precision / recall (decisive calls)")
        header = [f"{name} {side}" for side in ("supports", "refutes") for name in domains]
        print("| threshold | " + " | ".join(header) + " |")
        print("|---" * (len(header) + 1) + "|")
        for threshold in THRESHOLDS:
            cells = [cell(oof.probs[d], corpus.y[d], label, threshold, (allowed if label == training.SUPPORTS else everywhere)[d])
                     for label in (training.SUPPORTS, training.REFUTES) for d in domains.values()]
            print(f"| {threshold:.2f} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
