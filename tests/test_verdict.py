"""The verdict rules of docs/evidence.md, edge case by edge case."""
from __future__ import annotations

import pytest

from core.identity import independence_key
from core.policy import OUTWEIGH
from core.records import Article, Evidence, SourceType, Stance, Verdict
from core.verdict import COUNTED, NOT_COUNTED, OWN_OUTLET, assess, counting_note, noisy_or, quote

ARTICLE = Article(text="...", url="https://www.morningpost.example/story", outlet="Morning Post")


def ev(outlet: str | None, stance: Stance, confidence: float, *, url: str | None = None,
       kind: SourceType = SourceType.WEB, title: str = "A page", decisive: bool = True,
       snippet: str = "passage", reason: str | None = None) -> Evidence:
    return Evidence(kind, title, url, outlet, snippet, stance, confidence, decisive=decisive and stance != Stance.NEUTRAL,
                    reason=reason)


S, R, N = Stance.SUPPORTS, Stance.REFUTES, Stance.NEUTRAL


def test_no_evidence_is_unverified_without_a_confidence_and_says_what_was_searched():
    result = assess([], article=ARTICLE, consulted=["library"])
    assert result.verdict == Verdict.UNVERIFIED and result.confidence is None
    assert result.rationale == "Searched library: no relevant passage found."


def test_every_source_failed_says_so():
    result = assess([], article=ARTICLE, consulted=["wikipedia", "web"], failed=["wikipedia", "web"])
    assert result.verdict == Verdict.UNVERIFIED and result.confidence is None
    assert "wikipedia, web failed" in result.rationale


def test_unverified_counts_what_was_found_and_why_none_counted():
    evidence = [ev("Daily Planet", S, 0.55, decisive=False), ev("Evening Star", R, 0.5, decisive=False),
                ev("Gazette", N, 0.9), ev(None, N, 0.8, kind=SourceType.WIKIPEDIA)]
    result = assess(evidence, article=ARTICLE, consulted=["web", "wikipedia", "library"], failed=["library"])
    assert result.verdict == Verdict.UNVERIFIED and result.confidence is None
    assert result.rationale.startswith("Searched web and wikipedia (library failed): 4 relevant passages found "
                                       "(3 from web, 1 from wikipedia)")
    assert f"2 passages took a side but were {NOT_COUNTED}" in result.rationale
    assert "2 passages took no side on the claim" in result.rationale


def test_a_passage_not_counted_gives_the_reason_stored_where_its_stance_was_judged():
    missing = "not counted: does not mention 6"
    evidence = [ev("Daily Planet", S, 0.9, decisive=False, snippet="The FBI ran background checks on Kavanaugh.",
                   reason=missing),
                ev("Evening Star", S, 0.9, decisive=False, snippet="The FBI ran background checks on Kavanaugh.")]
    result = assess(evidence, consulted=["web"])
    assert result.verdict == Verdict.UNVERIFIED
    assert f"1 passage took a side but was {missing}" in result.rationale
    # A passage stored before reasons were kept gets the generic reason, not a guessed one.
    assert f"1 passage took a side but was {NOT_COUNTED}" in result.rationale
    assert counting_note(evidence[0], None) == missing and counting_note(evidence[1], None) == NOT_COUNTED


def test_the_own_outlet_is_the_verdicts_own_reason_and_a_counted_passage_has_none():
    own = ev("Morning Post", S, 0.9, decisive=False, reason="not counted: does not mention 6")
    assert counting_note(own, ARTICLE) == OWN_OUTLET
    assert counting_note(ev("Daily Planet", S, 0.9), ARTICLE) == COUNTED
    assert counting_note(ev("Daily Planet", N, 0.9), ARTICLE) == ""


def test_one_supporting_source_is_single_source_and_is_quoted():
    result = assess([ev("Daily Planet", S, 0.8, snippet="The council  spent £3m on the bridge.")], article=ARTICLE)
    assert result.verdict == Verdict.SINGLE_SOURCE and result.confidence == pytest.approx(0.8)
    assert "Daily Planet (web) says: “The council spent £3m on the bridge.”" in result.rationale
    assert "No second independent source confirms it." in result.rationale


def test_long_quotes_are_cut_at_a_word():
    text = "word " * 100
    quoted = quote(text, limit=30)
    assert quoted.startswith("“word word") and quoted.endswith(" …”") and len(quoted) <= 34


def test_two_outlets_supporting_corroborate_with_noisy_or_confidence():
    result = assess([ev("Daily Planet", S, 0.8), ev("Evening Star", S, 0.7)], article=ARTICLE)
    assert result.verdict == Verdict.CORROBORATED
    assert result.confidence == pytest.approx(1 - 0.2 * 0.3)
    assert "Corroborated by 2 independent sources" in result.rationale
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
    assert result.verdict == Verdict.SINGLE_SOURCE
    assert "2 passages not counted: the article's own outlet" in result.rationale
    only_own = assess([own_name, own_domain], article=ARTICLE, consulted=["library"])
    assert only_own.verdict == Verdict.UNVERIFIED and "own outlet" in only_own.rationale


def test_only_decisive_stances_count_whatever_their_confidence():
    result = assess([ev("Daily Planet", S, 0.9, decisive=False), ev("Evening Star", R, 0.9, decisive=False)],
                    article=ARTICLE, consulted=["web"])
    assert result.verdict == Verdict.UNVERIFIED and result.confidence is None
    assert assess([ev("Daily Planet", S, 0.55)]).verdict == Verdict.SINGLE_SOURCE


def test_neutral_passages_never_decide():
    result = assess([ev("Daily Planet", N, 0.99), ev("Evening Star", N, 0.99)], consulted=["web"])
    assert result.verdict == Verdict.UNVERIFIED and result.confidence is None
    assert "2 passages took no side on the claim" in result.rationale


def test_refutation_alone_contradicts():
    result = assess([ev("Daily Planet", R, 0.9), ev("Evening Star", R, 0.6)])
    assert result.verdict == Verdict.CONTRADICTED and result.confidence == pytest.approx(1 - 0.1 * 0.4)
    assert result.rationale.startswith("Contradicted by Daily Planet (web), Evening Star (web).")


def test_a_non_decisive_refutation_does_not_spoil_corroboration_but_is_mentioned():
    result = assess([ev("Daily Planet", S, 0.8), ev("Evening Star", S, 0.8), ev("Gazette", R, 0.7, decisive=False)])
    assert result.verdict == Verdict.CORROBORATED
    assert f"1 passage {NOT_COUNTED}" in result.rationale


def test_decisive_support_and_refutation_is_disputed():
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
    assert "outweighs the support of Daily Planet" in result.rationale


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


def test_older_documents_read_decisive_from_the_rule_that_made_their_verdicts():
    row = {"source_type": "web", "title": "t", "url": None, "outlet": "o", "snippet": "s", "stance": "supports"}
    assert Evidence.from_dict({**row, "stance_confidence": 0.6}).decisive is True
    assert Evidence.from_dict({**row, "stance_confidence": 0.59}).decisive is False
    assert Evidence.from_dict({**row, "stance": "neutral", "stance_confidence": 0.9}).decisive is False
    assert Evidence.from_dict({**row, "stance_confidence": 0.99, "decisive": False}).decisive is False
