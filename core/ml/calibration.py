"""Probability maps applied at run time (fitted by core.ml.training.fitting.fit_platt)."""
from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40.0, 40.0)))


def logit(p: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    p = np.clip(p, eps, 1 - eps)
    return np.log(p / (1 - p))


def apply_platt(scores: np.ndarray, a: float, b: float) -> np.ndarray:
    return sigmoid(a * np.asarray(scores, dtype=np.float64) + b)
