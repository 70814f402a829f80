"""Fitting helpers shared by the training modules: one BLAS thread, Platt scaling."""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import numpy as np

from ..calibration import sigmoid


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which every BLAS library, the one liblinear calls included, runs on one thread.

    threadpoolctl limits only the libraries already loaded, and scipy's BLAS (which
    scikit-learn's liblinear calls) loads with scikit-learn, so that is imported first;
    otherwise the first fits of a process would still run on several threads.
    """
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def fit_platt(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Slope and intercept mapping raw scores to calibrated probabilities.

    Fitted on out-of-fold scores, with Platt's smoothed targets so that a
    technique never seen positive in a fold does not collapse to 0 or 1.
    """
    from scipy.optimize import minimize

    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    n_pos = labels.sum()
    n_neg = len(labels) - n_pos
    target = np.where(labels > 0, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

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
