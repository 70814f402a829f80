"""One BLAS thread for the training fits."""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any


def one_blas_thread() -> AbstractContextManager[Any]:
    """A context in which every BLAS library, the one liblinear calls included, runs on one thread.

    threadpoolctl limits only the libraries already loaded, and scipy's BLAS (which
    scikit-learn's liblinear calls) loads with scikit-learn, so that is imported first;
    otherwise the first fits of a process would still run on several threads.
    """
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)
