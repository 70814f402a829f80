"""The verdict rules of docs/evidence.md, edge case by edge case."""
from __future__ import annotations

import pytest

from core.models import Article, Evidence, SourceType, Stance, Verdict
from core.verdict import CREDIBLE, OUTWEIGH, assess, independence_key, noisy_or

ARTICLE = Article(text="...", url="https://www.morningpost.example/story", outlet="Morning Post")


def ev(outlet: str | None, stance: Stance, confidence: float, *, url: str | None = None,
       kind: SourceType = SourceType.WEB, title: str = "A page") -> Evidence:
    return Evidence(kind, title, url, outlet, "passage", stance, confidence)


S, R, N = Stance.SUPPORTS, Stance.REFUTES, Stance.NEUTRAL


def test_no_evidence_is_unverified_with_full_confidence():
    result = assess([], article=ARTICLE, consulted=["library"])
    assert result.verdict == Verdict.UNVERIFIED and result.confidence == 1.0
    assert "library" in result.rationale


def test_every_source_failed_is_unverified_with_zero_confidence():
    result = assess([], article=ARTICLE, consulted=["wikipedia", "web"], failed=["wikipedia", "web"])
    assert result.verdict == Verdict.UNVERIFIED and result.confidence == 0.0
    assert "wikipedia, web failed" in result.rationale


def test_half_the_sources_failed_halves_unverified_confidence():
    result = assess([], consulted=["wikipedia", "web"], failed=["web"])
    assert result.confidence == pytest.approx(0.5) and "incomplete: web failed" in result.rationale


def test_one_supporting_source_is_single_source():
    result = assess([ev("Daily Planet", S, 0.8)], article=ARTICLE)
    assert result.verdict == Verdict.SINGLE_SOURCE and result.confidence == pytest.approx(0.8)
    assert "Daily Planet" in result.rationale


def test_two_outlets_supporting_corroborate_with_noisy_or_confidence():
    result = assess([ev("Daily Planet", S, 0.8), ev("Evening Star", S, 0.7)], article=ARTICLE)
    assert result.verdict == Verdict.CORROBORATED
    assert result.confidence == pytest.approx(1 - 0.2 * 0.3)
    assert "Daily Planet" in result.rationale and "Evening Star" in result.rationale


def test_same_outlet_twice_is_one_source():
    result = assess([ev("Daily Planet", S, 0.8), ev("daily planet", S, 0.9), ev("The Daily Planet", S, 0.7)])
    assert result.verdict == Verdict.SINGLE_SOURCE and result.confidence == pytest.approx(0.9)


def test_same_domain_without_outlet_name_is_one_source():
    result = assess([ev(None, S, 0.8, url="https://www.planet.example/a"), ev(None, S, 0.8, url="https://planet.example/b")])
    assert result.verdict == Verdict.SINGLE_SOURCE


def test_every_wikipedia_page_is_one_source():
    pages = [ev("Wikipedia", S, 0.9, kind=SourceType.WIKIPEDIA, title=t) for t in ("Genoa", "Ponte Morandi")]
    assert assess(pages).verdict == Verdict.SINGLE_SOURCE


def test_own_outlet_is_excluded_by_name_and_by_domain():
    own_name = ev("Morning Post", S, 0.95)
    own_domain = ev("morningpost.example", S, 0.95, url="https://morningpost.example/other")
    result = assess([own_name, own_domain, ev("Daily Planet", S, 0.8)], article=ARTICLE)
    assert result.verdict == Verdict.SINGLE_SOURCE and "own outlet not counted" in result.rationale
    only_own = assess([own_name, own_domain], article=ARTICLE)
    assert only_own.verdict == Verdict.UNVERIFIED and "own outlet" in only_own.rationale


def test_weak_stances_do_not_count():
    below = CREDIBLE - 0.01
    result = assess([ev("Daily Planet", S, below), ev("Evening Star", R, below)], article=ARTICLE, consulted=["web"])
    assert result.verdict == Verdict.UNVERIFIED
    assert result.confidence == pytest.approx(1 - below)
    assert assess([ev("Daily Planet", S, CREDIBLE)]).verdict == Verdict.SINGLE_SOURCE


def test_neutral_passages_never_decide():
    result = assess([ev("Daily Planet", N, 0.99), ev("Evening Star", N, 0.99)], consulted=["web"])
    assert result.verdict == Verdict.UNVERIFIED and result.confidence == 1.0
    assert "none taking a side" in result.rationale


def test_refutation_alone_contradicts():
    result = assess([ev("Daily Planet", R, 0.9), ev("Evening Star", R, 0.6)])
    assert result.verdict == Verdict.CONTRADICTED and result.confidence == pytest.approx(1 - 0.1 * 0.4)


def test_a_weak_refutation_does_not_spoil_corroboration():
    result = assess([ev("Daily Planet", S, 0.8), ev("Evening Star", S, 0.8), ev("Gazette", R, CREDIBLE - 0.05)])
    assert result.verdict == Verdict.CORROBORATED


def test_credible_support_and_refutation_is_disputed():
    result = assess([ev("Daily Planet", S, 0.8), ev("Evening Star", S, 0.7), ev("Gazette", R, 0.9)])
    assert result.verdict == Verdict.DISPUTED
    assert result.confidence == pytest.approx(min(noisy_or([0.8, 0.7]), 0.9))
    assert "Gazette" in result.rationale and "Daily Planet" in result.rationale


def test_refutation_that_outweighs_support_contradicts():
    support, refute = [0.65], [0.9, 0.8]
    assert sum(refute) >= OUTWEIGH * sum(support)
    evidence = [ev("Daily Planet", S, 0.65), ev("Evening Star", R, 0.9), ev("Gazette", R, 0.8)]
    result = assess(evidence)
    assert result.verdict == Verdict.CONTRADICTED
    expected = noisy_or(refute) * sum(refute) / (sum(refute) + sum(support))
    assert result.confidence == pytest.approx(expected, abs=1e-3)
    assert "outweighing support from Daily Planet" in result.rationale


def test_refutation_just_below_the_outweigh_ratio_is_disputed():
    # 0.9 vs 0.61: 0.9 < 1.5 * 0.61
    assert assess([ev("Daily Planet", S, 0.61), ev("Gazette", R, 0.9)]).verdict == Verdict.DISPUTED


def test_a_source_speaks_once_with_its_most_confident_stance():
    # The Planet both supports (0.7) and refutes (0.9): it counts as one refuting source.
    result = assess([ev("Daily Planet", S, 0.7), ev("Daily Planet", R, 0.9)])
    assert result.verdict == Verdict.CONTRADICTED


def test_independence_key_prefers_outlet_then_domain():
    assert independence_key(ev("The Guardian", S, 0.9)) == "guardian"
    assert independence_key(ev(None, S, 0.9, url="https://m.example.org/x")) == "example.org"
    assert independence_key(ev("Anything", S, 0.9, kind=SourceType.WIKIPEDIA)) == "wikipedia"
