"""Point by point (issue 27): a figure one independent outlet confirms and another contradicts is disputed, with both
figures and both outlets; copies of one article count once however short their passages; a conflict reads "X (claim's
outlet) vs Y (passage's outlet)". The texts are the three-outlet world's (testkit/story_world.py)."""
from __future__ import annotations

from dataclasses import replace

from core.engines.base import StanceJudgement
from core.evidence import judged_evidence
from core.fact_stance import read_pair
from core.identity import article_key
from core.records import Article, Evidence, FactPoint, SourceType, Stance, Verdict
from core.sources.base import Passage
from core.verdict import COPY_OF_ARTICLE, assess, counts, not_counted_reason
from testkit import story_world as world

# The Ledger's start-date sentence: the Courier restates its date only, the Metro Post gives another.
START = world.figure(world.LEDGER, "start").sentence
COURIER_START = world.figure(world.COURIER, "start").sentence
METRO_START = world.figure(world.METRO, "start").sentence
COURIER_LENGTH = world.figure(world.COURIER, "length").sentence
LEDGER_COST = world.figure(world.LEDGER, "cost").sentence


def article(source: world.WorldArticle) -> Article:
    return Article(text=source.text, url=source.url, title=source.title, outlet=source.outlet, language="en",
                   published=source.published.isoformat())


def judgement(stance: Stance, confidence: float, *, decisive: bool = False) -> StanceJudgement:
    rest = (1.0 - confidence) / 2
    return StanceJudgement(stance, confidence, {s: (confidence if s == stance else rest) for s in Stance}, decisive,
                           None if decisive else "not counted: short of the decisive rule")


def passage(source: world.WorldArticle, sentence: str, **fields) -> Passage:
    return Passage(SourceType.LIBRARY, source.title, source.url, source.outlet, sentence, 0.7,
                   source.published.isoformat(), analysis_id=f"world-{source.key}", **fields)


def evidence(checked: world.WorldArticle, claim: str, *found: tuple[Passage, StanceJudgement]) -> tuple[Evidence, ...]:
    return judged_evidence(article(checked), claim, [p for p, _ in found], [j for _, j in found])


def test_a_point_one_outlet_confirms_and_another_contradicts_is_disputed_with_both_figures_and_outlets():
    found = evidence(world.LEDGER, START,
                     (passage(world.COURIER, COURIER_START), judgement(Stance.SUPPORTS, 0.19)),
                     (passage(world.METRO, METRO_START), judgement(Stance.NEUTRAL, 0.6)))
    courier, metro = found
    # The Courier restates one figure of three: it leans supports and does not count, but keeps which point it confirms.
    assert courier.stance == Stance.SUPPORTS and not counts(courier, article(world.LEDGER))
    assert FactPoint("start date", "March 2027", "March 2027", True) in courier.points
    assert metro.points == (FactPoint("start date", "March 2027", "September 2026", False),)
    result = assess(found, article=article(world.LEDGER), consulted=["library"])
    assert result.verdict == Verdict.DISPUTED
    assert "start date: March 2027 (Arlenburg Courier) vs September 2026 (Metro Post)" in result.rationale
    # The Metro Post alone, without the Courier, contradicts it.
    assert assess(found[1:], article=article(world.LEDGER), consulted=["library"]).verdict == Verdict.CONTRADICTED


def test_two_outlets_contradicting_a_point_outweigh_one_confirming_it():
    other = replace(world.METRO, key="gazette", outlet="Kessel Gazette", url="https://gazette.example/tram")
    found = evidence(world.LEDGER, START,
                     (passage(world.COURIER, COURIER_START), judgement(Stance.SUPPORTS, 0.19)),
                     (passage(world.METRO, METRO_START), judgement(Stance.NEUTRAL, 0.6)),
                     (passage(other, "Construction of the line is due to start in September 2026."),
                      judgement(Stance.NEUTRAL, 0.6)))
    result = assess(found, article=article(world.LEDGER), consulted=["library"])
    assert result.verdict == Verdict.CONTRADICTED
    assert "outweighs the confirmation of the contradicted point of Arlenburg Courier" in result.rationale


def test_partial_agreement_never_corroborates_a_claim():
    """Two outlets restating one figure of three: the claim stays undecided, and a conflict on it only disputes it."""
    metro_length = world.figure(world.METRO, "length").sentence
    found = evidence(world.LEDGER, START,
                     (passage(world.COURIER, COURIER_LENGTH), judgement(Stance.SUPPORTS, 0.11)),
                     (passage(world.METRO, metro_length), judgement(Stance.SUPPORTS, 0.07)))
    assert all(e.points and not counts(e, article(world.LEDGER)) for e in found)
    assert assess(found, article=article(world.LEDGER), consulted=["library"]).verdict == Verdict.UNVERIFIED
    confirmed = evidence(world.LEDGER, START,
                         (passage(world.COURIER, COURIER_START), judgement(Stance.SUPPORTS, 0.19)),
                         (passage(world.COURIER, COURIER_LENGTH), judgement(Stance.SUPPORTS, 0.11)),
                         (passage(world.METRO, metro_length), judgement(Stance.SUPPORTS, 0.07)))
    assert assess(confirmed, article=article(world.LEDGER), consulted=["library"]).verdict == Verdict.UNVERIFIED


def test_confirming_another_point_than_the_contradicted_one_does_not_dispute_it():
    found = evidence(world.LEDGER, START,
                     (passage(world.COURIER, COURIER_LENGTH), judgement(Stance.SUPPORTS, 0.11)),
                     (passage(world.METRO, METRO_START), judgement(Stance.NEUTRAL, 0.6)))
    assert assess(found, article=article(world.LEDGER), consulted=["library"]).verdict == Verdict.CONTRADICTED


def test_a_conflict_reads_each_figure_with_its_outlet():
    reading = read_pair("The extension is budgeted at €385m.", LEDGER_COST, judgement(Stance.NEUTRAL, 0.6),
                        claim_outlet="Metro Post", passage_outlet="Westmark Ledger")
    assert reading.facts == "differs on cost: €385m (Metro Post) vs 412 million euros (Westmark Ledger)"
    unnamed = read_pair("The extension is budgeted at €385m.", LEDGER_COST, judgement(Stance.NEUTRAL, 0.6))
    assert unnamed.facts == "differs on cost: €385m (the claim) vs 412 million euros (this passage)"


def test_the_points_are_kept_with_the_evidence():
    (metro,) = evidence(world.LEDGER, START, (passage(world.METRO, METRO_START), judgement(Stance.NEUTRAL, 0.6)))
    copy = replace(metro, origin="https://ledger.example/x", origin_note="same text as Westmark Ledger (88 % shared)")
    assert Evidence.from_dict(copy.to_dict()) == copy
    legacy = {k: v for k, v in copy.to_dict().items() if k not in ("points", "origin", "origin_note")}
    assert Evidence.from_dict(legacy) == replace(copy, points=(), origin=None, origin_note=None)


# Two outlets that print one short sentence: copies when their articles are (the library compared them whole, and
# says so with Evidence.origin), two sources when they are not.
def _cost(outlet: str, **fields) -> Evidence:
    return Evidence(SourceType.LIBRARY, "Tram", f"https://{outlet.split()[0].lower()}.example/tram", outlet, LEDGER_COST,
                    Stance.REFUTES, 0.9, decisive=True, **fields)


def test_every_passage_of_a_copy_merges_with_its_originals_however_short():
    ledger = _cost("Westmark Ledger", origin="ledger")
    copy = _cost("Eastside Weekly", origin="ledger", origin_note="same text as Westmark Ledger (88 % shared)")
    courier = replace(_cost("Arlenburg Courier"), snippet=world.figure(world.COURIER, "cost").sentence)
    metro = article(world.METRO)
    result = assess([copy, courier, ledger], article=metro, consulted=["library"])
    assert result.verdict == Verdict.CONTRADICTED
    assert "3 outlets, 2 independent origins: Eastside Weekly (library) same text as Westmark Ledger (88 % shared)" \
        in result.rationale
    # The same short sentence in two articles not found to be copies: two sources, as before.
    apart = assess([_cost("Westmark Ledger"), _cost("Eastside Weekly")], article=metro, consulted=["library"])
    assert "independent origin" not in apart.rationale
    assert "Contradicted by Westmark Ledger (library), Eastside Weekly (library)" in apart.rationale


def test_a_copy_of_the_article_checked_is_not_independent_of_it():
    ledger = article(world.LEDGER)
    copy = replace(_cost("Eastside Weekly", origin=article_key(ledger), origin_note="same text as Westmark Ledger"),
                   stance=Stance.SUPPORTS)
    assert not counts(copy, ledger)
    assert not_counted_reason(copy, ledger) == f"{COPY_OF_ARTICLE} (same text as Westmark Ledger)"
    assert assess([copy], article=ledger, consulted=["library"]).verdict == Verdict.UNVERIFIED
