"""The technique detector's out-of-fold reading of PTC and of ordinary news, as the news reference needs it.

``train techniques`` stores these readings after its cross-validation (keyed by
the texts, the new artifact and the detector's code), so ``train news-reference``
and ``eval news-reference`` read them in seconds.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ....techniques_catalogue import TECHNIQUES
from ... import artifact
from ...calibration import apply_platt, logit
from ...reference import word_count
from ..data import cache_file, load_ptc, load_wikinews
from .corpus import FOLDS, Corpus, prepare
from .decoding import decode_all, fit_span_platt
from .evaluation import OutOfFold, cross_validate

Progress = Callable[[str], None]
N_TECH = len(TECHNIQUES)


@dataclass(frozen=True)
class Readings:
    """What the technique detector read in each article of a corpus."""

    words: np.ndarray  # (n,) word counts
    confidence: np.ndarray  # (n, N_TECH) occurrence confidences
    weight: np.ndarray  # (n, N_TECH) summed passage confidences
    passages: np.ndarray  # (n, N_TECH) passage counts

    @property
    def strengths(self) -> np.ndarray:
        """(n, N_TECH) passages per 1,000 words, weighted by confidence (see core.ml.reference.technique_strength)."""
        return 1000.0 * self.weight / np.maximum(self.words, 1)[:, None]

    @property
    def scores(self) -> np.ndarray:
        """(n,) persuasion scores (see core.ml.reference.persuasion_score)."""
        return 1000.0 * self.weight.sum(axis=1) / np.maximum(self.words, 1)

    def subset(self, rows: np.ndarray) -> Readings:
        return Readings(self.words[rows], self.confidence[rows], self.weight[rows], self.passages[rows])

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"words": self.words, "confidence": self.confidence, "weight": self.weight, "passages": self.passages}


def technique_digest() -> str:
    """Changes whenever the detector's readings could: its artifact, its inference and training code or the
    sentence segmentation (the out-of-fold readings come from the training code's cross-validation)."""
    core = Path(__file__).resolve().parents[3]
    digest = hashlib.sha1()
    for path in (artifact.ARTIFACT_DIR / "techniques.npz", artifact.ARTIFACT_DIR / "techniques.json",
                 core / "ml" / "techniques.py", core / "text.py", *sorted((core / "ml" / "training" / "techniques").glob("*.py"))):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _cache_path(texts: list[str], name: str) -> Path:
    return cache_file(texts, f"{name}-{technique_digest()}").with_suffix(".npz")


def _load(path: Path) -> Readings:
    with np.load(path, allow_pickle=False) as data:
        return Readings(**{k: data[k] for k in data.files})


def _store(path: Path, readings: Readings) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **readings.to_arrays())


def out_of_fold_readings(corpus: Corpus, oof: OutOfFold) -> tuple[Readings, Readings]:
    """The annotated (PTC) and the ordinary-news articles as the detector's cross-validation read them.

    Every article is read by models that never saw it: passages decoded with the
    modes and thresholds chosen on the other folds' annotated articles, passage
    confidences mapped by Platt fits on those, as
    core.ml.training.techniques.evaluation.evaluate_oof scores span F1. The news
    articles are hard negatives of the shipped detector, so its own reading of them
    would be in-sample; these out-of-fold readings stand for ordinary news it never saw.
    """
    n_all, n = len(corpus.articles), corpus.n_annotated
    fold_of = corpus.fold_of_article
    weight = np.zeros((n_all, N_TECH))
    passages = np.zeros((n_all, N_TECH), dtype=np.int64)
    for f in range(FOLDS):
        arts = [i for i in range(n_all) if fold_of[i] == f]
        other = [i for i in range(n) if fold_of[i] != f]
        platt = fit_span_platt(corpus, oof.tok_prob, oof.sent_prob, oof.span_modes_nested[f], oof.span_thr_nested[f], other)
        decoded = decode_all(corpus, oof.tok_prob, oof.span_thr_nested[f], arts, oof.sent_prob, oof.span_modes_nested[f])
        for (i, k), spans in decoded.items():
            confidences = apply_platt(logit(np.array([c for _, _, c in spans])), *platt[k])
            weight[i, k] = float(confidences.sum())
            passages[i, k] = len(spans)
    words = np.array([word_count(a.text) for a in corpus.articles])
    readings = Readings(words, oof.art_prob, weight, passages)
    return readings.subset(np.arange(n)), readings.subset(np.arange(n, n_all))


def store_out_of_fold(root: Path, corpus: Corpus, oof: OutOfFold) -> None:
    """Cache the readings of a cross-validation that ran anyway (``train techniques``), for read_out_of_fold."""
    ptc, news = out_of_fold_readings(corpus, oof)
    _store(_cache_path([a.text for a in corpus.articles[:corpus.n_annotated]], "ptc-oof-readings"), ptc)
    _store(_cache_path(load_wikinews(root), "wikinews-oof-readings"), news)


def read_out_of_fold(root: Path, say: Progress) -> tuple[Readings, Readings, np.ndarray]:
    """PTC and Wikinews read out of fold (see out_of_fold_readings), and PTC's (n, N_TECH) annotations.

    Cached on disk; without a cache, one cross-validation of the technique detector.
    """
    articles = load_ptc(root)
    gold = np.array([[any(t == name for t, _, _ in a.spans) for name in TECHNIQUES] for a in articles])
    ptc_path = _cache_path([a.text for a in articles], "ptc-oof-readings")
    news_path = _cache_path(load_wikinews(root), "wikinews-oof-readings")
    if not (ptc_path.is_file() and news_path.is_file()):
        say("the technique detector's cross-validation (10-40 minutes; cached after the first run)")
        corpus = prepare(root, say)
        store_out_of_fold(root, corpus, cross_validate(corpus, say))
    return _load(ptc_path), _load(news_path), gold


