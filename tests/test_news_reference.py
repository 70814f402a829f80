"""The news reference: the found rule fitted on ordinary news, and the same rule at run time."""
from __future__ import annotations

import numpy as np
import pytest

from core.ml.reference import (
    NewsReference,
    persuasion_score,
    technique_strength,
    word_count,
)
from core.ml.training import news_reference as training
from core.ml.training.techniques.readings import Readings
from core.records import Span, Technique
from core.techniques_catalogue import TECHNIQUES

N_TECH = len(TECHNIQUES)


def synthetic_news(n: int = 200, seed: int = 0) -> Readings:
    """Ordinary articles of 500 words: a few loaded passages each, rarely many."""
    rng = np.random.default_rng(seed)
    passages = rng.poisson(0.6, size=(n, N_TECH))
    weight = passages * rng.uniform(0.3, 0.9, size=(n, N_TECH))
    confidence = np.clip(0.3 + 0.15 * passages, 0, 1)
    return Readings(np.full(n, 500), confidence, weight, passages)


def test_the_margin_is_the_smallest_that_keeps_ordinary_news_under_the_target():
    news = synthetic_news()
    margin = training.choose_margin(news)
    assert training.out_of_fold_rate(news, margin) <= training.TARGET_RATE
    smaller = [m for m in training.MARGIN_GRID if m < margin]
    assert all(training.out_of_fold_rate(news, float(m)) > training.TARGET_RATE for m in smaller)
    # Denser "ordinary" news makes more articles fire: the rate grows with the shift.
    rates = [training.out_of_fold_rate(news, margin, shift=s) for s in (1.0, 1.5, 3.0)]
    assert rates == sorted(rates) and rates[-1] > rates[0]


def test_training_and_run_time_apply_the_same_rule(tmp_path, monkeypatch):
    news = synthetic_news()
    monkeypatch.setattr(training, "read_out_of_fold", lambda root, say: (synthetic_news(50, seed=2), news, None))
    monkeypatch.setattr(training, "technique_digest", lambda: "test")
    metrics = training.train(tmp_path, tmp_path, lambda message: None)
    reference = NewsReference(tmp_path)
    assert reference.size == 200 and metrics["margin"] == training.choose_margin(news)
    np.testing.assert_allclose(reference.cutoffs, training.cutoffs_at(news, metrics["margin"]), rtol=1e-3)
    # Articles as the detector would give them, judged by the run-time rule and by the training one.
    articles = synthetic_news(60, seed=1)
    boosted = Readings(articles.words, articles.confidence, articles.weight * 2.5, articles.passages)
    expected = training.found(boosted, reference.cutoffs)
    text = " ".join(["word"] * 500)
    for row in range(60):
        techniques = [
            Technique(name, float(boosted.confidence[row, k]),
                      tuple(Span(0, 4, "word", float(boosted.weight[row, k] / boosted.passages[row, k]))
                            for _ in range(int(boosted.passages[row, k]))))
            for k, name in enumerate(TECHNIQUES)
        ]
        assessed, persuasion = reference.assess(text, techniques)
        assert [t.found for t in assessed] == list(expected[row])
        assert persuasion.score == pytest.approx(float(boosted.scores[row]))
    assert expected.any() and not expected.all()


def test_strength_and_percentiles():
    spans = (Span(0, 4, "word", 0.5), Span(5, 9, "word", 1.0))
    assert technique_strength(spans, 300) == pytest.approx(5.0)
    assert technique_strength(spans, 0) == 0.0
    assert word_count("It's a U.S.-led deal, worth 1.5 million.") == 10  # It's a U S led deal worth 1 5 million
    assert persuasion_score([Technique("Doubt", 0.9, spans), Technique("Slogans", 0.2, spans[:1])], 1000) == pytest.approx(2.0)
    reference = NewsReference()
    k = TECHNIQUES.index("Loaded_Language")
    column = reference.strengths[:, k]
    assert reference.technique_percentile(k, 0.0) == pytest.approx(np.mean(column < 0.0)) == 0.0
    assert reference.technique_percentile(k, float(np.median(column))) <= 0.5 < reference.technique_percentile(k, column.max())
    assert reference.technique_percentile(k, column.max() + 1) == 1.0
    # The cut-offs are a shared margin times each technique's strongest reference article.
    maxima = reference.strengths.max(axis=0)
    margins = [reference.cutoff(name) / maxima[i] for i, name in enumerate(TECHNIQUES) if maxima[i] > 0]
    assert margins and np.allclose(margins, margins[0], rtol=1e-3) and training.MARGIN_GRID[0] <= margins[0]
