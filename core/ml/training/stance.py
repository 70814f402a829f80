"""Training and evaluation of the stance model (needs scikit-learn)."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

from .. import artifact
from ..features import Tfidf
from ..stance import LABELS, NAME, apply_conflict, find_conflict, pair_crosses, pair_cues, pair_features, state_features, state_standardiser
from .data import StancePair, embed_cached, load_stance, states_cached
from .fitting import one_blas_thread
from .metrics import class_f1, expected_calibration_error, macro_f1

log = logging.getLogger(__name__)

SEED = 13
FOLDS = 5
# Further fold assignments the cross-validation is repeated on: with ~1,200 claims one
# split's macro-F1 moves by about 0.01 with the luck of the draw (seed 13 scores above
# the mean), so the spread is reported beside the seed-13 number.
EXTRA_FOLD_SEEDS = (1, 2, 3)
C = 0.5
Progress = Callable[[str], None]


Fitted = tuple[Tfidf, Tfidf, np.ndarray, np.ndarray]


def _x(pairs: Sequence[StancePair], u: np.ndarray, v: np.ndarray, s: np.ndarray, ev_tfidf: Tfidf, claim_tfidf: Tfidf) -> sparse.csr_matrix:
    """``s``: the pairs' state_features rows."""
    cues = np.array([pair_cues(p.claim, p.evidence) for p in pairs], dtype=np.float32)
    return sparse.hstack([sparse.csr_matrix(pair_features(u, v, cues)), ev_tfidf.transform([p.evidence for p in pairs]),
                          claim_tfidf.transform([p.claim for p in pairs]), pair_crosses([(p.claim, p.evidence) for p in pairs]),
                          sparse.csr_matrix(s)]).tocsr()


def _fit(pairs: Sequence[StancePair], u: np.ndarray, v: np.ndarray, s: np.ndarray, y: np.ndarray) -> Fitted:
    from sklearn.linear_model import LogisticRegression

    ev_tfidf = Tfidf.fit((p.evidence for p in pairs), max_features=5000)
    claim_tfidf = Tfidf.fit((p.claim for p in pairs), max_features=5000)
    x = _x(pairs, u, v, s, ev_tfidf, claim_tfidf)
    model = LogisticRegression(C=C, max_iter=2000, class_weight="balanced", random_state=SEED).fit(x, y)
    return ev_tfidf, claim_tfidf, model.coef_.T, model.intercept_


def _probs(fitted: Fitted, pairs: Sequence[StancePair], u: np.ndarray, v: np.ndarray, s: np.ndarray) -> np.ndarray:
    ev_tfidf, claim_tfidf, w, b = fitted
    logits = np.asarray(_x(pairs, u, v, s, ev_tfidf, claim_tfidf) @ w) + b
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


BIAS_GRID = np.arange(-1.0, 1.01, 0.25)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def best_bias(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Offsets added to the supports and refutes logits that maximise macro-F1 (neutral fixed at 0).

    Climate-FEVER is two-thirds neutral; class weighting alone still under-calls
    the rare labels, and macro-F1 weighs them equally.
    """
    logp = np.log(np.clip(probs, 1e-12, None))
    best, best_f1 = np.zeros(3), -1.0
    for ds in BIAS_GRID:
        for dr in BIAS_GRID:
            delta = np.array([ds, dr, 0.0])
            f1 = macro_f1((logp + delta).argmax(1), y)
            if f1 > best_f1 + 1e-9:
                best, best_f1 = delta, f1
    return best


def _data(root: Path, say: Progress) -> tuple[list[StancePair], np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                              tuple[np.ndarray, np.ndarray]]:
    """Pairs, claim and evidence embeddings, state features, labels, and the states' standardiser."""
    pairs = load_stance(root)
    say(f"Climate-FEVER {len(pairs)} pairs, {len({p.claim_id for p in pairs})} claims")
    claims, evidence = [p.claim for p in pairs], [p.evidence for p in pairs]
    u = embed_cached(claims, "stance-claims")
    v = embed_cached(evidence, "stance-evidence")
    claim_states = states_cached(claims, "stance-claims-layer3")
    evidence_states = states_cached(evidence, "stance-evidence-layer3")
    # Fitted on all texts without labels, so the folds share it; it learns nothing about stance.
    standardiser = state_standardiser(np.vstack([claim_states, evidence_states]))
    s = state_features(claim_states, evidence_states, *standardiser)
    y = np.array([LABELS.index(p.label) for p in pairs])
    return pairs, u, v, s, y, standardiser


def claim_folds(pairs: Sequence[StancePair], seed: int) -> np.ndarray:
    """Fold of each pair; all pairs of a claim share a fold, so no claim is scored by a model trained on it."""
    claims = sorted({p.claim_id for p in pairs})
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(claims, rng.permutation(len(claims)) % FOLDS))
    return np.array([fold_of[p.claim_id] for p in pairs])


def _checked_oof(pairs: Sequence[StancePair], u: np.ndarray, v: np.ndarray, s: np.ndarray, y: np.ndarray, seed: int,
                 say: Progress) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold probabilities: the model's, then with the nested bias, then also with the conflict checks."""
    fold = claim_folds(pairs, seed)
    model_only = np.zeros((len(pairs), 3))
    for f in range(FOLDS):
        tr, te = np.where(fold != f)[0], np.where(fold == f)[0]
        model_only[te] = _probs(_fit([pairs[i] for i in tr], u[tr], v[tr], s[tr], y[tr]), [pairs[i] for i in te], u[te], v[te], s[te])
        say(f"stance fold {f + 1}/{FOLDS} (fold seed {seed})")
    oof = model_only.copy()
    # Bias chosen on the other folds, applied to each fold, so the score is not tuned on itself.
    for f in range(FOLDS):
        delta = best_bias(model_only[fold != f], y[fold != f])
        oof[fold == f] = _softmax(np.log(np.clip(model_only[fold == f], 1e-12, None)) + delta)
    checked = np.array([apply_conflict(p, find_conflict(x.claim, x.evidence)) for p, x in zip(oof, pairs)])
    return model_only, oof, checked


def evaluate(root: Path, say: Progress) -> tuple[dict[str, float], list[tuple[float, float, float, int]]]:
    """Cross-validated metrics beside baselines (no reliability table: see ece_top_label)."""
    pairs, u, v, s, y, _ = _data(root, say)
    return _cross_validate(pairs, u, v, s, y, say)[0], []


def _cross_validate(pairs: Sequence[StancePair], u: np.ndarray, v: np.ndarray, s: np.ndarray, y: np.ndarray,
                    say: Progress) -> tuple[dict[str, float], np.ndarray]:
    # One BLAS thread: these matrices are small, and with two threads on two shared cores
    # the fits ran several times slower (165 s against 26 s for five folds, measured).
    with one_blas_thread():
        model_only, oof, checked = _checked_oof(pairs, u, v, s, y, SEED, say)
        headline_f1 = macro_f1(checked.argmax(1), y)
        seeds_f1 = [headline_f1] + [macro_f1(_checked_oof(pairs, u, v, s, y, seed, say)[2].argmax(1), y)
                                    for seed in EXTRA_FOLD_SEEDS]
    n_conflicts = sum(find_conflict(x.claim, x.evidence) is not None for x in pairs)
    neg = np.array([pair_cues(p.claim, p.evidence)[4] for p in pairs])
    lexicon_pred = np.where(neg > 0, LABELS.index("refutes"), LABELS.index("neutral"))
    return {
        "macro_f1": headline_f1,
        "macro_f1_without_checks": macro_f1(oof.argmax(1), y),
        "macro_f1_without_checks_and_bias": macro_f1(model_only.argmax(1), y),
        "accuracy": float((checked.argmax(1) == y).mean()),
        "macro_f1_majority": macro_f1(np.full(len(y), LABELS.index("neutral")), y),
        "macro_f1_lexicon": macro_f1(lexicon_pred, y),
        "conflicts_fired": float(n_conflicts),
        "ece_top_label": expected_calibration_error(checked.max(1), checked.argmax(1) == y),
        "macro_f1_fold_seeds_mean": float(np.mean(seeds_f1)),
        "macro_f1_fold_seeds_sd": float(np.std(seeds_f1)),
        **{f"f1_{label}": value for label, value in zip(LABELS, class_f1(checked.argmax(1), y))},
    }, best_bias(model_only, y)


def train(root: Path, out_dir: Path, say: Progress) -> dict[str, float]:
    t0 = time.time()
    pairs, u, v, s, y, standardiser = _data(root, say)
    metrics, delta = _cross_validate(pairs, u, v, s, y, say)
    say("fitting the final model on all pairs")
    with one_blas_thread():
        ev_tfidf, claim_tfidf, w, b = _fit(pairs, u, v, s, y)
    b = b + delta
    meta = {
        "name": NAME,
        "date": artifact.today(),
        "labels": list(LABELS),
        "data": "Climate-FEVER (Diggelmann et al., 2020), ../shared/data/stance/climate_fever_train.jsonl",
        "terms": "Climate-FEVER research data; evidence sentences from Wikipedia (CC BY-SA).",
        "seed": SEED,
        "extra_fold_seeds": list(EXTRA_FOLD_SEEDS),
        "macro_f1_bias": delta.tolist(),
        "train_seconds": round(time.time() - t0, 1),
        "metrics": {k: round(v, 4) for k, v in metrics.items()},
        "vocabulary": ev_tfidf.to_meta(),
        "claim_vocabulary": claim_tfidf.to_meta(),
    }
    artifact.save(out_dir, NAME, {"idf": ev_tfidf.idf, "claim_idf": claim_tfidf.idf, "w": w.astype(np.float32),
                                  "b": b.astype(np.float32), "state_mean": standardiser[0].astype(np.float32),
                                  "state_scale": standardiser[1].astype(np.float32)}, meta)
    return metrics
