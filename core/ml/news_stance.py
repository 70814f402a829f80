"""The news-pair layer: does a passage of another outlet restate a claim, read as a news desk would?

The stance model learned from Climate-FEVER and NLI pairs; on news it leaves most restatements
short of its decisive threshold (issue 27): a sentence with its attribution dropped, its clauses
reordered or its figures rounded reads "supports" at 0.6-0.85, below the 0.90 it needs. This
layer is a small multinomial logistic regression over signals the engine already computes for
each pair (the stance model's calibrated probabilities, the cross-encoder's own, the MiniLM
cosine, content-word and name overlap, and what core.facts finds of the claim's figures, dates
and names in the passage), trained on news-like pairs made from the shared Wikinews articles
(core/ml/training/news_pairs.py) and thresholded for a stated precision on held-out articles
(``python -m core train news-stance``; docs/local-models.md).

It reads the pairs the stance model leans to support or reads as neutral (a paraphrase by another
outlet often reads neutral), never one it leans to refute. It only ever lets a support count, and
only where no deterministic check objects (:func:`guard`):
a figure, year or negation on which the two differ, a claim figure the passage leaves out, or a
claim name it leaves out while naming others, keeps it from counting whatever it reads.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..facts import compare_facts
from . import artifact
from .features import words
from .stance import content_words, coverage, find_conflict, key_specifics, numbers

NAME = "news_stance"
LABELS = ("supports", "refutes", "neutral")
FEATURES = (
    "stance supports", "stance refutes", "stance neutral",
    "encoder supports", "encoder refutes", "encoder neutral",
    "cosine", "claim words in passage", "word jaccard", "claim names in passage",
    "claim has figures", "claim figures missing", "passage has other figures", "passage has other names",
    "number or year conflict", "negation conflict",
    "facts agreeing", "facts conflicting", "facts missing share", "shared quote",
    "log length ratio",
)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def features(claim: str, evidence: str, stance: Sequence[float], signals: Sequence[float]) -> list[float]:
    """The layer's inputs for one pair, in FEATURES order.

    ``stance``: the stance model's calibrated probabilities; ``signals``: the cross-encoder's three and the
    MiniLM cosine (StanceModel.read).
    """
    c_words, e_words = content_words(claim), content_words(evidence)
    specifics = key_specifics(claim)
    names = len(specifics.names)
    missing = coverage(claim, evidence).missing
    missing_names = sum(1 for m in missing if not m[:1].isdigit())
    figures = len(specifics.exact) + len(specifics.bounded)
    missing_figures = len(missing) - missing_names
    conflict = find_conflict(claim, evidence)
    facts = compare_facts(claim, evidence)
    agreeing = sum(1 for m in facts.agreements if m.kind in ("quantity", "date"))
    checkable = len(facts.agreements) + len(facts.missing)
    return [
        *map(float, stance), *map(float, signals),
        len(c_words & e_words) / len(c_words) if c_words else 0.0,
        len(c_words & e_words) / len(c_words | e_words) if c_words | e_words else 0.0,
        1.0 - missing_names / names if names else 1.0,
        float(figures > 0),
        missing_figures / figures if figures else 0.0,
        float(bool(numbers(evidence) - numbers(claim))),
        float(_other_names(claim, evidence)),
        float(conflict is not None and conflict.kind in ("number", "year")),
        float(conflict is not None and conflict.kind == "negation"),
        float(min(agreeing, 3)),
        float(bool(facts.conflicts)),
        len(facts.missing) / checkable if checkable else 0.0,
        float(facts.shared_quote),
        math.log((len(evidence.split()) + 1) / (len(claim.split()) + 1)),
    ]


def _other_names(claim: str, evidence: str) -> bool:
    """Whether the passage names someone or something the claim does not (none of the name's words in the claim)."""
    claim_words = set(words(claim))
    return any(not set(name) & claim_words for name in key_specifics(evidence).names)


def guard(claim: str, evidence: str) -> bool:
    """Whether the deterministic checks let a support count: no detail conflicts and no figure is changed.

    A figure, year or negation on which the two passages differ (core.ml.stance.find_conflict), a conflict
    core.facts finds, or a claim figure the passage leaves out (it cannot confirm "6 FBI background checks"
    without the 6, and the figure may have been changed in a sentence too reworded for either check) each stop
    it; so does a claim name left out by a passage that names others (it may have been swapped: "Kenteris" for
    "Thanou").
    """
    if find_conflict(claim, evidence) is not None or compare_facts(claim, evidence).conflicts:
        return False
    missing = coverage(claim, evidence).missing
    if any(m[:1].isdigit() for m in missing):
        return False
    return not (missing and _other_names(claim, evidence))


class NewsStance:
    """The shipped layer: standardised features, softmax weights and the decisive supports threshold."""

    def __init__(self, directory: Path = artifact.ARTIFACT_DIR) -> None:
        arrays, meta = artifact.load(directory, NAME)
        if tuple(meta["features"]) != FEATURES:
            raise ModelError(f"The news-stance layer in {directory} was trained on other features.",
                             hint="Retrain it: python -m core train news-stance.")
        self.meta = meta
        self.mean, self.scale = arrays["mean"], arrays["scale"]
        self.w, self.b = arrays["w"], arrays["b"]
        self.supports_threshold = float(meta["decisive"]["supports"])

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """(n, 3) probabilities in LABELS order of news-like pairs, from FEATURES rows."""
        if len(rows) == 0:
            return np.zeros((0, 3))
        return _softmax(((np.asarray(rows, dtype=np.float64) - self.mean) / self.scale) @ self.w + self.b)

    def counts_support(self, pairs: Sequence[tuple[str, str]], stance: np.ndarray, signals: np.ndarray) -> list[float | None]:
        """For each pair, its news supports probability where it counts (threshold reached, guard passed), else None.

        ``stance`` and ``signals``: the pairs' rows of StanceModel.read.
        """
        rows = np.array([features(c, e, p, q) for (c, e), p, q in zip(pairs, stance, signals)], dtype=np.float64)
        probs = self.probabilities(rows.reshape(len(pairs), len(FEATURES)))
        return [float(p[0]) if p[0] >= self.supports_threshold and p[0] > p[1] and guard(c, e) else None
                for (c, e), p in zip(pairs, probs)]
