"""The layers of the technique detector and their fits: sentence, token, document and article."""
from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

from ...calibration import logit
from ...features import Tfidf
from ...techniques import N_CONTEXT, N_TECH, N_TOKEN_DENSE, TOKEN_BUCKETS, article_probs
from ..fitting import one_blas_thread
from .corpus import FOLDS, SEED, Corpus

SENT_C = 1.0
TOK_C = 0.25
GATE_RECALL = 0.95
ART_C = 0.3
DOC_C = 10.0
# Per-technique fits run side by side (see _per_technique); more threads than this
# would mostly add memory, one sparse design matrix each.
FIT_THREADS = min(4, os.cpu_count() or 1)
FitResult = tuple[np.ndarray, float]


def _per_technique(fit_one: Callable[[int], FitResult | None]) -> list[FitResult | None]:
    """``fit_one(k)`` for every technique, on FIT_THREADS threads.

    liblinear releases the GIL while it fits, so on two cores the fits take
    about half the wall time; each fit is independent of the others, so the
    weights do not depend on the thread scheduling. A design matrix that the
    fits share must be in canonical form (see _canonical): scikit-learn sorts a
    CSR matrix's indices in place, and two threads doing that at once corrupt
    each other's view of it.
    """
    # One BLAS thread per fit: the fits already fill the cores, and a fixed thread
    # count keeps liblinear's summation order, so its weights, the same on every run.
    with one_blas_thread(), ThreadPoolExecutor(FIT_THREADS) as pool:
        return list(pool.map(fit_one, range(N_TECH)))


def _canonical(m: sparse.csr_matrix) -> sparse.csr_matrix:
    """``m`` with sorted indices and no duplicates, as scikit-learn wants it (so it never rewrites it)."""
    m.sum_duplicates()
    return m


def _lr(c: float):  # type: ignore[no-untyped-def]
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", tol=1e-3, max_iter=200, random_state=SEED)


def _sent_x(corpus: Corpus, tfidf: Tfidf, rows: np.ndarray) -> sparse.csr_matrix:
    lex = tfidf.transform([corpus.sent_texts[i] for i in rows])
    return _canonical(sparse.hstack([sparse.csr_matrix(corpus.sent_emb[rows]), lex, sparse.csr_matrix(corpus.sent_style[rows]),
                                     sparse.csr_matrix(corpus.article_vectors[corpus.sent_article[rows]]),
                                     sparse.csr_matrix(corpus.sent_states[rows])]).tocsr())


def fit_sentence(corpus: Corpus, rows: np.ndarray) -> tuple[Tfidf, np.ndarray, np.ndarray]:
    tfidf = Tfidf.fit(corpus.sent_texts[i] for i in rows)
    x = _sent_x(corpus, tfidf, rows)
    w = np.zeros((x.shape[1], N_TECH))
    b = np.zeros(N_TECH)

    def fit_one(k: int) -> FitResult | None:
        y = corpus.sent_y[rows, k]
        if y.min() == y.max():
            return None
        model = _lr(SENT_C).fit(x, y)
        return model.coef_[0], model.intercept_[0]

    for k, fitted in enumerate(_per_technique(fit_one)):
        if fitted is None:
            b[k] = -10.0 if corpus.sent_y[rows, k].max() == 0 else 10.0
        else:
            w[:, k], b[k] = fitted
    return tfidf, w, b


def sentence_scores(corpus: Corpus, fitted: tuple[Tfidf, np.ndarray, np.ndarray], rows: np.ndarray) -> np.ndarray:
    tfidf, w, b = fitted
    return np.asarray(_sent_x(corpus, tfidf, rows) @ w) + b


def _tok_x(corpus: Corpus, rows: np.ndarray, sent_logit_k: np.ndarray) -> sparse.csr_matrix:
    return sparse.hstack([corpus.tok_x[rows], sparse.csr_matrix(corpus.tok_dense[rows]), sparse.csr_matrix(corpus.tok_context[rows]),
                          sparse.csr_matrix(sent_logit_k[:, None])]).tocsr()


def sentence_gates(sent_prob: np.ndarray, sent_y: np.ndarray) -> np.ndarray:
    """Per technique, the sentence probability below which no token is tagged.

    The gate keeps GATE_RECALL of the sentences that hold a gold passage (out of
    fold), so the tagger trains and runs only where the sentence model sees a
    chance: much less work, and fewer stray passages in unrelated sentences.
    """
    return np.array([np.quantile(sent_prob[sent_y[:, k] == 1, k], 1 - GATE_RECALL) if sent_y[:, k].any() else 1.0
                     for k in range(N_TECH)])


def fit_tokens(corpus: Corpus, rows: np.ndarray, sent_logit: np.ndarray, gates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token tagger weights; ``sent_logit`` is per token (calibrated sentence logit of its sentence)."""
    w = np.zeros((TOKEN_BUCKETS + N_TOKEN_DENSE + N_CONTEXT + 1, N_TECH))
    b = np.full(N_TECH, -10.0)

    def fit_one(k: int) -> FitResult | None:
        keep = sent_logit[:, k] >= logit(np.array(gates[k]))
        y = corpus.tok_y[rows[keep], k]
        if not len(y) or y.min() == y.max():  # no sentence passes the gate, or one class only
            return None
        model = _lr(TOK_C).fit(_tok_x(corpus, rows[keep], sent_logit[keep, k]), y)
        return model.coef_[0], model.intercept_[0]

    for k, fitted in enumerate(_per_technique(fit_one)):
        if fitted is not None:
            w[:, k], b[k] = fitted
    return w, b


def token_probs(corpus: Corpus, fitted: tuple[np.ndarray, np.ndarray], rows: np.ndarray, sent_logit: np.ndarray, gates: np.ndarray) -> np.ndarray:
    w, b = fitted
    out = np.zeros((len(rows), N_TECH))
    for k in range(N_TECH):
        out[:, k] = np.asarray(_tok_x(corpus, rows, sent_logit[:, k]) @ w[:, k]).ravel() + b[k]
    return np.where(sent_logit >= logit(gates), 1 / (1 + np.exp(-out)), 0.0)


def _doc_x(corpus: Corpus, tfidf: Tfidf, articles: np.ndarray) -> sparse.csr_matrix:
    return _canonical(sparse.hstack([sparse.csr_matrix(corpus.article_vectors[articles]), tfidf.transform([corpus.articles[i].text for i in articles])]).tocsr())


def fit_document(corpus: Corpus, sent_rows: np.ndarray, articles: np.ndarray, y: np.ndarray,
                 tfidf: Tfidf | None = None) -> tuple[Tfidf, np.ndarray, np.ndarray]:
    """Per-technique logistic regression on whole articles (mean embedding + TF-IDF)."""
    tfidf = tfidf or Tfidf.fit(corpus.sent_texts[i] for i in sent_rows)
    x = _doc_x(corpus, tfidf, articles)
    w = np.zeros((x.shape[1], N_TECH))
    b = np.zeros(N_TECH)

    def fit_one(k: int) -> FitResult | None:
        if y[:, k].min() == y[:, k].max():
            return None
        m = _lr(DOC_C).fit(x, y[:, k])
        return m.coef_[0], m.intercept_[0]

    for k, fitted in enumerate(_per_technique(fit_one)):
        if fitted is None:
            b[k] = 10.0 if y[0, k] else -10.0
        else:
            w[:, k], b[k] = fitted
    return tfidf, w, b


def document_scores(corpus: Corpus, fitted: tuple[Tfidf, np.ndarray, np.ndarray], articles: np.ndarray) -> np.ndarray:
    tfidf, w, b = fitted
    return np.asarray(_doc_x(corpus, tfidf, articles) @ w) + b


def fit_article(feats: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Article model over ``feats`` (n_articles, N_TECH, n_features): one weight per feature, shared by all
    techniques, and an intercept per technique.

    Sharing the weights gives each one 14 times the data of a per-technique fit
    (289 articles are few for 7 weights times 14 techniques): out of fold it raised
    nested micro-F1 from 0.686 to 0.693 and mean ROC-AUC from 0.786 to 0.793.
    """
    from sklearn.linear_model import LogisticRegression

    n, n_tech, n_feat = feats.shape
    x = np.hstack([feats.transpose(1, 0, 2).reshape(n_tech * n, n_feat), np.repeat(np.eye(n_tech), n, axis=0)])
    with one_blas_thread():  # a fixed thread count keeps the solver's sums, so the weights, the same on every run
        model = LogisticRegression(C=ART_C, max_iter=3000).fit(x, y.T.reshape(-1))
    coef = model.coef_[0]
    return coef[:n_feat], coef[n_feat:] + model.intercept_[0]


def refit_article_layer(feats: np.ndarray, y: np.ndarray, fold_of_article: np.ndarray) -> np.ndarray:
    """Out-of-fold confidences of the article layer alone (fitted per fold of ``fold_of_article``) over fixed features."""
    art_prob = np.zeros(y.shape)
    for f in range(FOLDS):
        train, test = fold_of_article != f, fold_of_article == f
        w, b = fit_article(feats[train], y[train])
        art_prob[test] = article_probs(feats[test], w, b)
    return art_prob
