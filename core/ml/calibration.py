"""Probability calibration (Platt scaling) and its measurement (ECE)."""
from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))


def logit(p: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    p = np.clip(p, eps, 1 - eps)
    return np.log(p / (1 - p))


def fit_platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Slope and intercept mapping raw scores to calibrated probabilities.

    Fitted on out-of-fold scores, with Platt's smoothed targets so that a
    technique never seen positive in a fold does not collapse to 0 or 1.
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    n_pos = labels.sum()
    n_neg = len(labels) - n_pos
    target = np.where(labels > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    a, b = 1.0, 0.0
    # Newton's method on the log loss; two parameters, so it converges in a few steps.
    for _ in range(100):
        p = sigmoid(a * scores + b)
        w = np.clip(p * (1 - p), 1e-12, None)
        g_a = np.sum((p - target) * scores)
        g_b = np.sum(p - target)
        h_aa = np.sum(w * scores * scores) + 1e-9
        h_ab = np.sum(w * scores)
        h_bb = np.sum(w) + 1e-9
        det = h_aa * h_bb - h_ab * h_ab
        if det <= 0:
            break
        da = (h_bb * g_a - h_ab * g_b) / det
        db = (h_aa * g_b - h_ab * g_a) / det
        a, b = a - da, b - db
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    return float(a), float(b)


def apply_platt(scores: np.ndarray, a: float, b: float) -> np.ndarray:
    return sigmoid(a * np.asarray(scores, dtype=np.float64) + b)


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 10) -> float:
    """ECE with equal-width bins: the mean gap between confidence and accuracy, weighted by bin size."""
    probs = np.asarray(probs, dtype=np.float64).ravel()
    labels = np.asarray(labels, dtype=np.float64).ravel()
    if len(probs) == 0:
        return 0.0
    idx = np.minimum((probs * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            total += mask.sum() * abs(probs[mask].mean() - labels[mask].mean())
    return float(total / len(probs))


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
