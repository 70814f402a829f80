"""Every metric the training and evaluation commands report, in one place.

Every metric takes the predictions or scores first, then the gold labels:
``metric(predicted, gold)``.

scikit-learn's metrics serve where they compute the measure the project
reports (F1, ROC-AUC); the others have no scikit-learn equivalent with the
same definition and are written here:

* :func:`span_prf`: SemEval-2020 Task 11 span precision/recall with partial
  overlap credit;
* :func:`average_precision` and :func:`mean_average_precision`: CheckThat!'s
  ranked-list AP, where ties keep the input order (scikit-learn's
  ``average_precision_score`` pools tied scores, which gives other numbers);
* :func:`expected_calibration_error` and :func:`reliability_table`: equal-width
  bins with a probability on a bin edge going to the upper bin, and the counts
  that ``sklearn.calibration.calibration_curve`` does not return.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Spans keyed by (article index, technique index); -1 as technique pools them all.
SpanKey = tuple[int, int]
Spans = dict[SpanKey, list[tuple[int, int]]]
# Precision credit, predicted passages, recall credit, gold passages.
SpanSums = tuple[float, int, float, int]


def micro_f1(predicted: np.ndarray, gold: np.ndarray) -> float:
    """F1 of the positive class over all cells of two boolean arrays (micro-F1 over labels)."""
    from sklearn.metrics import f1_score

    return float(f1_score(np.asarray(gold, dtype=bool).ravel(), np.asarray(predicted, dtype=bool).ravel(), zero_division=0.0))


def f1_at(scores: np.ndarray, gold: np.ndarray, threshold: float) -> float:
    """F1 of calling ``scores >= threshold`` positive."""
    return micro_f1(np.asarray(scores) >= threshold, np.asarray(gold) == 1)


def macro_f1(predicted: np.ndarray, gold: np.ndarray, n_classes: int = 3) -> float:
    """Mean F1 over the classes 0..n_classes-1 (a class never predicted nor present scores 0)."""
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, labels=list(range(n_classes)), average="macro", zero_division=0.0))


def mean_auc(scores: np.ndarray, gold: np.ndarray) -> float:
    """ROC-AUC averaged over the columns whose label is both present and absent somewhere (NaN if none is)."""
    from sklearn.metrics import roc_auc_score

    aucs = [roc_auc_score(gold[:, k], scores[:, k]) for k in range(gold.shape[1]) if 0 < gold[:, k].sum() < len(gold)]
    return float(np.mean(aucs)) if aucs else float("nan")


def average_precision(scores: np.ndarray, gold: np.ndarray) -> float:
    """CheckThat!'s AP: the mean precision at the rank of each positive, ties kept in input order."""
    order = np.argsort(-scores, kind="stable")
    hits = gold[order] == 1
    if not hits.any():
        return 0.0
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision_at[hits].mean())


def mean_average_precision(scores: np.ndarray, gold: np.ndarray, groups: Sequence[str]) -> float:
    """Mean of :func:`average_precision` over the groups (CheckThat! ranks each debate on its own)."""
    g = np.array(groups)
    return float(np.mean([average_precision(scores[g == d], gold[g == d]) for d in sorted(set(groups))]))


def span_sums(predicted: Spans, gold: Spans) -> SpanSums:
    """The sums behind SemEval-2020 span precision and recall with partial-overlap credit."""
    p_sum = r_sum = 0.0
    for key, spans in predicted.items():
        golds = gold.get(key, [])
        for s, e in spans:
            for gs, ge in golds:
                inter = min(e, ge) - max(s, gs)
                if inter > 0:
                    p_sum += inter / (e - s)
                    r_sum += inter / (ge - gs)
    return p_sum, sum(len(v) for v in predicted.values()), r_sum, sum(len(v) for v in gold.values())


def prf_from_sums(sums: SpanSums | np.ndarray) -> tuple[float, float, float]:
    p_sum, n_pred, r_sum, n_gold = sums
    p = float(p_sum / n_pred) if n_pred else 0.0
    r = float(r_sum / n_gold) if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def span_prf(predicted: Spans, gold: Spans) -> tuple[float, float, float]:
    """SemEval-2020 span precision, recall and F1 with partial overlap, keyed by (article, technique)."""
    return prf_from_sums(span_sums(predicted, gold))


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width bins: the mean gap between confidence and accuracy, weighted by bin size."""
    return float(sum(count * abs(confidence - observed) for _, confidence, observed, count in reliability_table(probs, labels, bins))
                 / max(1, np.asarray(probs).size))


def reliability_table(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> list[tuple[float, float, float, int]]:
    """(bin low, mean confidence, observed frequency, count) for each non-empty bin."""
    probs = np.asarray(probs, dtype=np.float64).ravel()
    labels = np.asarray(labels, dtype=np.float64).ravel()
    idx = np.minimum((probs * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        mask = idx == b
        if mask.any():
            rows.append((b / bins, float(probs[mask].mean()), float(labels[mask].mean()), int(mask.sum())))
    return rows
