"""Training and evaluation of the check-worthiness model (needs scikit-learn)."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from .. import artifact
from ..checkworthiness import NAME, numeric_cues
from ..features import Tfidf, words
from .data import embed_cached, load_claimbuster, load_ct19
from .metrics import average_precision, expected_calibration_error, f1_at, mean_average_precision

log = logging.getLogger(__name__)

SEED = 13
FOLDS = 5
C = 1.0
Progress = Callable[[str], None]


def _features(texts: Sequence[str], emb: np.ndarray, tfidf: Tfidf) -> sparse.csr_matrix:
    cues = np.array([numeric_cues(t) for t in texts], dtype=np.float32)
    return sparse.hstack([sparse.csr_matrix(emb), tfidf.transform(texts), sparse.csr_matrix(cues)]).tocsr()


def _fit(texts: Sequence[str], emb: np.ndarray, y: np.ndarray,
         from_checkthat: np.ndarray | None = None) -> tuple[Tfidf, np.ndarray, float]:
    """Fitted TF-IDF, weights and bias; ``from_checkthat`` marks CheckThat lines (else all are ClaimBuster).

    CheckThat 2019 calls 2.7 % of debate lines check-worthy, ClaimBuster 29 %
    of its sentences: a CheckThat line gets its own offset (one more column,
    1 for CheckThat lines), which absorbs the stricter base rate and is left
    out of the returned weights. The shared weights learn what makes a line
    check-worthy from both; the probabilities stay on ClaimBuster's scale, on
    which the claim threshold is chosen. (Trained on both without the offset,
    ClaimBuster F1 fell from 0.803 to 0.777 and its ECE rose from 0.026 to
    0.090; CheckThat MAP left one debate out was 0.238.)
    """
    from sklearn.linear_model import LogisticRegression

    tfidf = Tfidf.fit(texts)
    x = _features(texts, emb, tfidf)
    if from_checkthat is not None:
        x = sparse.hstack([x, sparse.csr_matrix(from_checkthat.astype(np.float32)[:, None])]).tocsr()
    model = LogisticRegression(C=C, solver="liblinear", max_iter=300, random_state=SEED).fit(x, y)
    w = model.coef_[0][:-1] if from_checkthat is not None else model.coef_[0]
    return tfidf, w, float(model.intercept_[0])


@dataclass(frozen=True)
class Corpora:
    """ClaimBuster and the CheckThat 2019 training debates, with their embeddings."""

    cb_texts: list[str]
    cb_y: np.ndarray
    cb_emb: np.ndarray
    ct_texts: list[str]
    ct_y: np.ndarray
    ct_debates: list[str]
    ct_emb: np.ndarray

    def training_set(self, cb_rows: np.ndarray, ct_rows: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Texts, embeddings, labels and the CheckThat marks of the chosen rows (see _fit)."""
        texts = [self.cb_texts[i] for i in cb_rows] + [self.ct_texts[i] for i in ct_rows]
        from_checkthat = np.concatenate([np.zeros(len(cb_rows), dtype=bool), np.ones(len(ct_rows), dtype=bool)])
        return (texts, np.vstack([self.cb_emb[cb_rows], self.ct_emb[ct_rows]]),
                np.concatenate([self.cb_y[cb_rows], self.ct_y[ct_rows]]), from_checkthat)


def _score(fitted: tuple[Tfidf, np.ndarray, float], texts: Sequence[str], emb: np.ndarray) -> np.ndarray:
    tfidf, w, b = fitted
    return 1 / (1 + np.exp(-(np.asarray(_features(texts, emb, tfidf) @ w).ravel() + b)))


def _lexicon_score(texts: Sequence[str]) -> np.ndarray:
    """Lexicon-only baseline: numbers and quantity words mark a factual claim."""
    return np.array([c[0] + c[1] + 0.01 * c[2] for c in (numeric_cues(t) for t in texts)])


def load_corpora(root: Path, say: Progress) -> Corpora:
    cb_texts, cb_y = load_claimbuster(root)
    ct_texts, ct_y, ct_debates = load_ct19(root)
    say(f"ClaimBuster {len(cb_texts)} sentences, CheckThat 2019 {len(ct_texts)} lines in {len(set(ct_debates))} debates")
    return Corpora(cb_texts, cb_y, embed_cached(cb_texts, "claimbuster"), ct_texts, ct_y, ct_debates, embed_cached(ct_texts, "ct19"))


def debate_out_scores(corpora: Corpora, say: Progress) -> np.ndarray:
    """Each CheckThat 2019 line scored by a model trained on ClaimBuster and the other 18 debates.

    ClaimBuster holds sentences of the same US debates: any ClaimBuster
    sentence that also occurs in the held-out debate is left out of its
    training set, so no debate is scored by a model that saw its lines.
    """
    debates = np.array(corpora.ct_debates)
    scores = np.zeros(len(corpora.ct_texts))
    cb_keys = [t.strip().lower() for t in corpora.cb_texts]
    for number, debate in enumerate(sorted(set(corpora.ct_debates)), start=1):
        held_out = debates == debate
        held_out_texts = {corpora.ct_texts[i].strip().lower() for i in np.where(held_out)[0]}
        cb_rows = np.array([i for i, k in enumerate(cb_keys) if k not in held_out_texts])
        fitted = _fit(*corpora.training_set(cb_rows, np.where(~held_out)[0]))
        scores[held_out] = _score(fitted, [corpora.ct_texts[i] for i in np.where(held_out)[0]], corpora.ct_emb[held_out])
        say(f"CheckThat 2019 debate {number}/{len(set(corpora.ct_debates))} held out")
    return scores


def cross_validate(root: Path, say: Progress) -> tuple[dict[str, float], Corpora]:
    corpora = load_corpora(root, say)
    cb_texts, cb_y, cb_emb = corpora.cb_texts, corpora.cb_y, corpora.cb_emb
    ct_texts, ct_y, ct_debates, ct_emb = corpora.ct_texts, corpora.ct_y, corpora.ct_debates, corpora.ct_emb
    rng = np.random.default_rng(SEED)
    fold = rng.permutation(len(cb_texts)) % FOLDS
    oof = np.zeros(len(cb_texts))
    # ClaimBuster folds train on the other folds and on every CheckThat debate, as the shipped model does;
    # ClaimBuster sentences that also occur in CheckThat are scored but not trained on twice.
    all_ct = np.arange(len(ct_texts))
    for f in range(FOLDS):
        tr, te = fold != f, fold == f
        held_out_keys = {cb_texts[i].strip().lower() for i in np.where(te)[0]}
        ct_rows = np.array([i for i in all_ct if ct_texts[i].strip().lower() not in held_out_keys])
        oof[te] = _score(_fit(*corpora.training_set(np.where(tr)[0], ct_rows)), [cb_texts[i] for i in np.where(te)[0]], cb_emb[te])
        say(f"ClaimBuster fold {f + 1}/{FOLDS}")
    grid = np.round(np.arange(0.2, 0.81, 0.05), 2)
    f1s = [f1_at(oof, cb_y, t) for t in grid]
    threshold = float(grid[int(np.argmax(f1s))])
    # The threshold's own F1 is optimistic when read on the data that chose it, so each
    # fold is also scored with the threshold chosen on the other four.
    nested = np.zeros(len(cb_y), dtype=bool)
    for f in range(FOLDS):
        other = fold != f
        thr_f = grid[int(np.argmax([f1_at(oof[other], cb_y[other], t) for t in grid]))]
        nested[fold == f] = oof[fold == f] >= thr_f
    # CheckThat 2019, scored as the task does, debate by debate: first by a model that never saw
    # any of its debates (ClaimBuster without the sentences CheckThat also holds), then leaving
    # one debate out of a model trained on ClaimBuster and the other debates.
    ct_set = {t.strip().lower() for t in ct_texts}
    keep = np.array([t.strip().lower() not in ct_set for t in cb_texts])
    fitted = _fit([t for t, k in zip(cb_texts, keep) if k], cb_emb[keep], cb_y[keep])
    ct_scores = _score(fitted, ct_texts, ct_emb)
    debate_out = debate_out_scores(corpora, say)
    per_debate = [average_precision(debate_out[np.array(ct_debates) == d], ct_y[np.array(ct_debates) == d])
                  for d in sorted(set(ct_debates))]
    metrics = {
        "claimbuster_f1@0.5": f1_at(oof, cb_y, 0.5),
        "claimbuster_f1@threshold": f1_at(oof, cb_y, threshold),
        "claimbuster_f1_nested_threshold": f1_at(nested.astype(float), cb_y, 0.5),
        "threshold": threshold,
        "claimbuster_f1_majority": 0.0,
        "claimbuster_f1_all_positive": f1_at(np.ones(len(cb_y)), cb_y, 0.5),
        "claimbuster_f1_lexicon": f1_at(_lexicon_score(cb_texts), cb_y, 1.0),
        "ct19_map_debate_out": mean_average_precision(debate_out, ct_y, ct_debates),
        "ct19_map_debate_out_min": float(np.min(per_debate)),
        "ct19_map_debate_out_max": float(np.max(per_debate)),
        "ct19_map_claimbuster_only": mean_average_precision(ct_scores, ct_y, ct_debates),
        "ct19_map_lexicon": mean_average_precision(_lexicon_score(ct_texts), ct_y, ct_debates),
        "ct19_map_random": float(np.mean([mean_average_precision(np.random.default_rng(s).random(len(ct_y)), ct_y, ct_debates) for s in range(5)])),
        "ct19_map_length": mean_average_precision(np.array([len(words(t)) for t in ct_texts], dtype=float), ct_y, ct_debates),
    }
    metrics["claimbuster_ece"] = expected_calibration_error(oof, cb_y)
    return metrics, corpora


def evaluate(root: Path, say: Progress) -> tuple[dict[str, float], list[tuple[float, float, float, int]]]:
    """Cross-validated metrics beside baselines (no reliability table: see claimbuster_ece)."""
    return cross_validate(root, say)[0], []


def train(root: Path, out_dir: Path, say: Progress) -> dict[str, float]:
    t0 = time.time()
    metrics, corpora = cross_validate(root, say)
    say("fitting the final model on ClaimBuster and the CheckThat 2019 training debates")
    ct_set = {t.strip().lower() for t in corpora.ct_texts}
    cb_rows = np.array([i for i, t in enumerate(corpora.cb_texts) if t.strip().lower() not in ct_set])
    tfidf, w, b = _fit(*corpora.training_set(cb_rows, np.arange(len(corpora.ct_texts))))
    meta = {
        "name": NAME,
        "date": artifact.today(),
        "data": "ClaimBuster 25ncs (US presidential debates), ../shared/data/checkworthiness/claimbuster_25ncs.jsonl, and "
                "the CLEF CheckThat! 2019 task 1 training debates, ../shared/data/checkworthiness/ct19_train.csv "
                "(evaluated leaving whole debates out)",
        "terms": "Research data of the ClaimBuster project and CLEF CheckThat! 2019; no licence file.",
        "seed": SEED,
        "threshold": metrics["threshold"],
        "train_seconds": round(time.time() - t0, 1),
        "metrics": {k: round(v, 4) for k, v in metrics.items()},
        "vocabulary": tfidf.to_meta(),
    }
    artifact.save(out_dir, NAME, {"idf": tfidf.idf, "w": w.astype(np.float32), "b": np.array([b], np.float32)}, meta)
    return metrics
