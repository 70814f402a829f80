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
    from scipy.optimize import minimize

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        z = params[0] * scores + params[1]
        # log(1 + e^z) computed stably; the loss is convex in (a, b).
        log1pexp = np.logaddexp(0.0, z)
        p = sigmoid(z)
        value = float(np.sum(log1pexp - target * z))
        grad = np.array([np.sum((p - target) * scores), np.sum(p - target)])
        return value, grad

    prior = np.log((n_pos + 1) / (n_neg + 1))
    result = minimize(loss, np.array([1.0, prior]), jac=True, method="L-BFGS-B")
    a, b = result.x
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
