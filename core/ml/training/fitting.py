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


def fit_softmax(dense: np.ndarray, lexical: Any, y: np.ndarray, weights: np.ndarray, l2: float,
                n_classes: int = 3, max_iter: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression on [dense | lexical]: weights (n_features, n_classes) and biases.

    Minimises the weighted mean cross-entropy plus ``l2`` / 2 times the squared
    weights (not the biases) with L-BFGS. Written out rather than taken from
    scikit-learn because its lbfgs solver copies the features to float64: the
    stance features of ~80,000 pairs (2,300 dense columns) would need 1.5 GB
    there and take 0.7 GB here, in float32. ``lexical`` is a scipy CSR matrix
    (or None).
    """
    from scipy.optimize import minimize

    n, d_dense = dense.shape
    d_lex = lexical.shape[1] if lexical is not None else 0
    lex_t = lexical.T.tocsr() if lexical is not None else None
    onehot = np.zeros((n, n_classes), dtype=np.float32)
    onehot[np.arange(n), y] = 1.0
    sw = (weights / weights.sum()).astype(np.float32)[:, None]
    size = (d_dense + d_lex) * n_classes

    def unpack(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return params[:size].reshape(d_dense + d_lex, n_classes).astype(np.float32), params[size:]

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = unpack(params)
        z = dense @ w[:d_dense] + b.astype(np.float32)
        if lexical is not None:
            z += np.asarray(lexical @ w[d_dense:])
        z -= z.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(z).sum(axis=1, keepdims=True))
        value = -float((sw * onehot * (z - log_norm)).sum()) + 0.5 * l2 * float(params[:size] @ params[:size])
        g = (np.exp(z - log_norm) - onehot) * sw
        grad_w = np.empty((d_dense + d_lex, n_classes), dtype=np.float64)
        grad_w[:d_dense] = dense.T @ g
        if lex_t is not None:
            grad_w[d_dense:] = np.asarray(lex_t @ g)
        grad = np.concatenate([(grad_w + l2 * w).ravel(), g.sum(axis=0).astype(np.float64)])
        return value, grad

    result = minimize(loss, np.zeros(size + n_classes), jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    w, b = unpack(result.x)
    return w, b.astype(np.float32)


def fit_vector_scaling(logits: np.ndarray, y: np.ndarray, weights: np.ndarray) -> tuple[float, np.ndarray]:
    """Temperature and per-class offsets that calibrate softmax logits: softmax(logits / t + offsets).

    Fitted by weighted log-loss on out-of-fold logits (Guo et al., 2017, with
    class offsets); it moves no decision boundary a threshold could not, but it
    makes the probabilities mean what they say.
    """
    from scipy.optimize import minimize

    n_classes = logits.shape[1]
    onehot = np.eye(n_classes)[y]
    sw = weights / weights.sum()

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        inv_t, offsets = params[0], params[1:]
        z = logits * inv_t + offsets
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        g = (np.exp(log_p) - onehot) * sw[:, None]
        return -float((sw[:, None] * onehot * log_p).sum()), np.concatenate([[float((g * logits).sum())], g.sum(axis=0)])

    result = minimize(loss, np.concatenate([[1.0], np.zeros(n_classes)]), jac=True, method="L-BFGS-B",
                      bounds=[(1e-3, None)] + [(None, None)] * n_classes)
    return 1.0 / float(result.x[0]), result.x[1:] - result.x[1:].mean()
