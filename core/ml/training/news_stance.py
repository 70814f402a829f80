"""The news-pair stance layer: ``python -m core train|eval news-stance``.

Pairs are made from the shared Wikinews articles (core/ml/training/news_pairs.py; the judged story
articles left out). The shipped stance model (linear model + cross-encoder) reads every pair once;
its probabilities, the cross-encoder's own, the MiniLM cosine and the lexical and facts cues of
core.ml.news_stance.features go into a multinomial logistic regression.

Evaluation: 5 folds grouped by article (seed 13). Each fold is scored by a layer fitted on the
other four, at a threshold chosen on those four alone (their own inner 4-fold out-of-fold
probabilities), so no reported number is tuned on its own fold. The decision measured is the one
the engine makes (StanceModel.judge): a pair counts as a support when the stance rule already counts
it, or when the stance model does not lean refutes, the layer's supports probability reaches the threshold
(and exceeds its refutes probability) and the guard passes. The threshold is the lowest on the grid
at which the supports the layer adds to the rule's reach TARGET_SUPPORTS precision, with at least
MIN_DECISIONS added (the rule's own precision is not the layer's to raise). Baselines: the
current rule (the stance model's decisive flag, or every figure and date agreeing with nothing
missing in core.facts, as core/fact_stance.py counts), and the MiniLM cosine alone (threshold chosen
the same way). Refutation is measured the same way for TARGET_REFUTES, beside the stance rule's
decisive refutes, but the engine does not use the layer's refutes.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ...facts import compare_facts
from .. import artifact
from ..news_stance import FEATURES, LABELS, NAME, features, guard
from ..stance import LABELS as STANCE_LABELS
from ..stance import StanceModel, coverage, negated, restates, supportable
from .news_pairs import SEED, NewsPair, news_pairs

Progress = Callable[[str], None]
FOLDS = 5
TARGET_SUPPORTS = 0.90
TARGET_REFUTES = 0.60
MIN_DECISIONS = 20
GRID = np.round(np.arange(0.30, 0.991, 0.01), 2)
C = 1.0
CLUSTERS = Path(__file__).resolve().parents[3] / "tests" / "data" / "story_clusters.json"
BATCH = 256


def _read_pairs(pairs: list[NewsPair], say: Progress) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shipped stance model's reading of every pair: probabilities (n, 3), signals (n, 4), rule decisions (n, 2).

    Cached on disk, keyed by the pairs and the stance artifacts' model cards.
    """
    from ..loading import get_embedder
    from .data import cache_file

    cards = "".join((artifact.ARTIFACT_DIR / f"{n}.json").read_text(encoding="utf-8") for n in ("stance", "stance_encoder"))
    key = [hashlib.sha1(cards.encode()).hexdigest()] + [f"{p.claim}\x00{p.evidence}" for p in pairs]
    cache = cache_file(key, "news-stance-reading").with_suffix(".npz")
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as stored:
            return stored["probs"], stored["signals"], stored["rule"]
    model, embed = StanceModel(), get_embedder().encode_with_states
    probs, signals, rule = np.zeros((len(pairs), 3)), np.zeros((len(pairs), 4)), np.zeros((len(pairs), 2), bool)
    for start in range(0, len(pairs), BATCH):
        chunk = [(p.claim, p.evidence) for p in pairs[start:start + BATCH]]
        p, conflicts, s = model.read(chunk, embed)
        probs[start:start + len(chunk)], signals[start:start + len(chunk)] = p, s
        for k, ((claim, evidence), row, conflict) in enumerate(zip(chunk, p, conflicts)):
            label = STANCE_LABELS[int(np.argmax(row))]
            can = supportable(coverage(claim, evidence).missing, conflict)
            decisive = model.rule.decisive(label, tuple(map(float, row)), can, restates(claim, evidence))
            rule[start + k] = (decisive and label == "supports", decisive and label == "refutes")
        say(f"stance model read {min(start + BATCH, len(pairs))} of {len(pairs)} pairs")
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, probs=probs, signals=signals, rule=rule)
    return probs, signals, rule


def _facts_agree(claim: str, evidence: str) -> bool:
    """Roughly what core/fact_stance.py counts: every figure and date agrees, nothing missing, no denial on one side."""
    comparison = compare_facts(claim, evidence)
    return (comparison.figures_agree and not comparison.missing and not comparison.conflicts
            and negated(claim) == negated(evidence))


class _Data:
    """Everything the layer and its baselines read, one row per pair."""

    def __init__(self, root: Path, say: Progress) -> None:
        started = time.time()
        self.pairs = news_pairs(root, CLUSTERS)
        say(f"{len(self.pairs)} pairs from {len({p.group for p in self.pairs})} Wikinews articles")
        self.y = np.array([LABELS.index(p.label) for p in self.pairs])
        groups = sorted({p.group for p in self.pairs})
        fold_of = dict(zip(groups, np.random.default_rng(SEED).permutation(len(groups)) % FOLDS))
        self.folds = np.array([fold_of[p.group] for p in self.pairs])
        self.probs, signals, rule = _read_pairs(self.pairs, say)
        self.x = np.array([features(p.claim, p.evidence, pr, s) for p, pr, s in zip(self.pairs, self.probs, signals)])
        self.cosine = signals[:, 3]
        # The pairs the layer reads (StanceModel.judge): those the stance model does not lean to refute.
        self.asked = self.probs.argmax(axis=1) != 1
        self.guard = np.array([guard(p.claim, p.evidence) for p in self.pairs])
        facts = np.array([_facts_agree(p.claim, p.evidence) for p in self.pairs])
        self.rule_supports, self.rule_refutes = rule[:, 0] | facts, rule[:, 1]
        say(f"features of {len(self.pairs)} pairs in {time.time() - started:.0f} s")


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standardiser and softmax weights: (mean, scale, w (n_features, 3), b (3,))."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    fitted = LogisticRegression(C=C, max_iter=5000, random_state=SEED).fit((x - mean) / scale, y)
    return mean, scale, fitted.coef_.T.copy(), fitted.intercept_.copy()


def _predict(model: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    mean, scale, w, b = model
    z = ((x - mean) / scale) @ w + b
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _layer(d: _Data, idx: np.ndarray, p: np.ndarray, threshold: float) -> np.ndarray:
    """The supports the layer adds to the rule's: not leaning refutes, threshold reached, guard passed, not counted yet."""
    return ~d.rule_supports[idx] & d.asked[idx] & d.guard[idx] & (p[:, 0] >= threshold) & (p[:, 0] > p[:, 1])


def _refutes(d: _Data, idx: np.ndarray, p: np.ndarray, threshold: float) -> np.ndarray:
    return (p[:, 1] >= threshold) & (p[:, 1] > p[:, 0])


def _precision(decided: np.ndarray, gold: np.ndarray) -> float:
    return float((decided & gold).sum() / decided.sum()) if decided.sum() else 0.0


def _choose(decide: Callable[[float], np.ndarray], gold: np.ndarray, target: float) -> float:
    """The lowest grid threshold whose precision reaches ``target`` with MIN_DECISIONS decisions; else the grid's top."""
    for threshold in GRID:
        decided = decide(float(threshold))
        if decided.sum() >= MIN_DECISIONS and _precision(decided, gold) >= target:
            return float(threshold)
    return float(GRID[-1])


def _out_of_fold(d: _Data, idx: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities of the rows ``idx``, over their own folds."""
    out = np.zeros((len(idx), 3))
    for fold in np.unique(d.folds[idx]):
        test = d.folds[idx] == fold
        out[test] = _predict(_fit(d.x[idx][~test], d.y[idx][~test]), d.x[idx][test])
    return out


def _thresholds(d: _Data, idx: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    """Supports, refutes and cosine thresholds chosen on rows ``idx`` with their probabilities ``p``."""
    sup, ref = d.y[idx] == 0, d.y[idx] == 1
    return (_choose(lambda t: _layer(d, idx, p, t), sup, TARGET_SUPPORTS),
            _choose(lambda t: _refutes(d, idx, p, t), ref, TARGET_REFUTES),
            _choose(lambda t: d.cosine[idx] >= t, sup, TARGET_SUPPORTS))


def _nested(d: _Data, say: Progress) -> dict[str, np.ndarray]:
    """Each fold's decisions by a layer and thresholds fitted on the other four."""
    n = len(d.y)
    out = {k: np.zeros(n, bool) for k in ("supports", "layer", "refutes", "cosine")}
    out["probs"] = np.zeros((n, 3))
    for fold in range(FOLDS):
        train, test = np.flatnonzero(d.folds != fold), np.flatnonzero(d.folds == fold)
        t_sup, t_ref, t_cos = _thresholds(d, train, _out_of_fold(d, train))
        p = _predict(_fit(d.x[train], d.y[train]), d.x[test])
        out["probs"][test] = p
        out["layer"][test] = _layer(d, test, p, t_sup)
        out["supports"][test] = d.rule_supports[test] | out["layer"][test]
        out["refutes"][test] = _refutes(d, test, p, t_ref)
        out["cosine"][test] = d.cosine[test] >= t_cos
        say(f"fold {fold}: thresholds supports {t_sup:.2f}, refutes {t_ref:.2f}, cosine {t_cos:.2f}")
    return out


def _metrics(d: _Data, nested: dict[str, np.ndarray]) -> dict[str, float]:
    sup, ref = d.y == 0, d.y == 1
    kinds = sorted({p.kind for p in d.pairs})
    kind = np.array([p.kind for p in d.pairs])
    metrics: dict[str, float] = {"pairs": float(len(d.y)), "supports pairs": float(sup.sum()), "refutes pairs": float(ref.sum())}

    def both(name: str, decided: np.ndarray, gold: np.ndarray) -> None:
        metrics[f"{name} precision"] = _precision(decided, gold)
        metrics[f"{name} recall"] = float((decided & gold).sum() / gold.sum())
        metrics[f"{name} decided"] = float(decided.sum())

    both("supports, engine with layer (nested)", nested["supports"], sup)
    both("supports, added by the layer (nested)", nested["layer"], sup)
    both("supports, current rule", d.rule_supports, sup)
    both("supports, MiniLM cosine alone (nested)", nested["cosine"], sup)
    both("refutes, layer (nested, not used by the engine)", nested["refutes"], ref)
    both("refutes, current stance rule", d.rule_refutes, ref)
    for k in kinds:
        at = kind == k
        metrics[f"counted as support: {k}"] = float(nested["supports"][at].mean())
    return metrics


def evaluate(root: Path, say: Progress) -> tuple[dict[str, float], list]:
    d = _Data(root, say)
    return _metrics(d, _nested(d, say)), []


def train(root: Path, out: Path, say: Progress) -> dict[str, float]:
    d = _Data(root, say)
    metrics = _metrics(d, _nested(d, say))
    every = np.arange(len(d.y))
    t_sup, t_ref, _ = _thresholds(d, every, _out_of_fold(d, every))
    mean, scale, w, b = _fit(d.x, d.y)
    meta = {
        "name": NAME, "date": artifact.today(), "seed": SEED, "features": list(FEATURES), "labels": list(LABELS),
        "data": (f"{len(d.y)} news-like pairs made from {len({p.group for p in d.pairs})} English Wikinews articles "
                 "(news/wikinews_en.jsonl; the judged story articles left out): restated / in a longer passage -> "
                 "supports; figure changed, name swapped, negation added -> refutes; other sentences of the article -> "
                 "neutral (core/ml/training/news_pairs.py)"),
        "terms": "Wikinews articles, CC BY 2.5 (attribution: Wikinews, https://en.wikinews.org); no text is shipped",
        "method": (f"multinomial logistic regression (C={C}) over standardised features; the inputs are the shipped "
                   "stance model's and cross-encoder's readings of each pair"),
        "decisive": {"supports": t_sup, "refutes_not_used": t_ref},
        "targets": {"supports_precision": TARGET_SUPPORTS, "refutes_precision": TARGET_REFUTES,
                    "min_decisions": MIN_DECISIONS},
        "metrics": {k: round(v, 4) for k, v in metrics.items()},
    }
    artifact.save(out, NAME, {"mean": mean, "scale": scale, "w": w, "b": b}, meta, half=False)
    metrics["shipped supports threshold"] = t_sup
    return metrics
