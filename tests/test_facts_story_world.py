"""core.facts on the three-outlet test world (testkit/story_world.py), sentence against sentence.

The Courier and the Ledger give the same cost, start date, state's share and vote, each in its own words
and number formats; the Metro Post gives other values for all four; all three give the same length. A
fact-checker reading one outlet's sentence beside another's finds each conflict with both figures, each
agreement, and no conflict between sentences about different points.
"""
from __future__ import annotations

import itertools

import pytest

from core.facts import FactComparison, compare_facts, read_facts
from testkit.story_world import (
    ARTICLES,
    CONFLICT_POINTS,
    COURIER,
    FIGURES,
    LEDGER,
    METRO,
    SHARED_POINT,
    figure,
)


def conflict_pairs(result: FactComparison) -> list[tuple[str, str]]:
    return [(m.claim_text, m.passage_text) for m in result.conflicts]


def agreement_pairs(result: FactComparison) -> list[tuple[str, str]]:
    return [(m.claim_text, m.passage_text) for m in result.agreements if m.kind in ("quantity", "date")]


@pytest.mark.parametrize("point", CONFLICT_POINTS)
@pytest.mark.parametrize("other", [COURIER, LEDGER], ids=lambda a: a.key)
def test_the_metro_posts_figure_conflicts_with_the_others_both_ways(point: str, other) -> None:
    metro, theirs = figure(METRO, point), figure(other, point)
    assert conflict_pairs(compare_facts(metro.sentence, theirs.sentence)) == [(metro.written, theirs.written)]
    assert conflict_pairs(compare_facts(theirs.sentence, metro.sentence)) == [(theirs.written, metro.written)]


@pytest.mark.parametrize("point", CONFLICT_POINTS + (SHARED_POINT,))
def test_the_courier_and_the_ledger_agree_on_every_point_both_ways(point: str) -> None:
    courier, ledger = figure(COURIER, point), figure(LEDGER, point)
    forward, backward = compare_facts(courier.sentence, ledger.sentence), compare_facts(ledger.sentence, courier.sentence)
    assert (courier.written, ledger.written) in agreement_pairs(forward)
    assert (ledger.written, courier.written) in agreement_pairs(backward)
    assert not forward.conflicts and not backward.conflicts


def test_the_length_agrees_whichever_two_outlets_are_compared() -> None:
    for one, other in itertools.permutations(ARTICLES, 2):
        mine, theirs = figure(one, SHARED_POINT), figure(other, SHARED_POINT)
        assert (mine.written, theirs.written) in agreement_pairs(compare_facts(mine.sentence, theirs.sentence))


def test_sentences_about_different_points_never_conflict() -> None:
    points: dict[tuple[str, str], set[str]] = {}
    for f in FIGURES:
        points.setdefault((f.article, f.sentence), set()).add(f.point)
    checked = 0
    for ((a, one), mine), ((b, other), theirs) in itertools.permutations(points.items(), 2):
        if a != b and not mine & theirs:
            checked += 1
            assert not compare_facts(one, other).conflicts, (one, other)
    assert checked > 40


def test_a_restated_cost_in_other_words_decides_support() -> None:
    result = compare_facts(figure(COURIER, "cost").sentence, "The project's budget stands at 412 million euros.")
    assert agreement_pairs(result) == [("€412 million", "412 million euros")]
    assert result.figures_agree and not result.missing


def test_a_restated_length_agrees_and_the_figures_the_passage_leaves_out_are_missing() -> None:
    result = compare_facts(figure(COURIER, "length").sentence, figure(LEDGER, "length").sentence)
    assert agreement_pairs(result) == [("9.4 km", "9.4-kilometre")]
    assert result.missing == ("eleven", "about 28,000") and not result.conflicts


def test_the_attribution_of_a_claim_is_not_demanded() -> None:
    """Only the claim's key names are demanded: not a dateline, a speaker, or who the figure is according to."""
    claim = "ARLENBURG - The extension will cost €412 million, according to the Transport Department."
    assert {a.key for a in read_facts(claim).actors if a.incidental} == {"arlenburg", "transport department"}
    assert compare_facts(claim, "The project's budget stands at 412 million euros.").missing == ()
    speaker = compare_facts('Westmark will pay 60% of it, Mayor Ulrike Brandt said on Tuesday.',
                            "The state of Westmark will cover 60 per cent of the cost.")
    assert speaker.figures_agree and speaker.missing == ()
    # The key name, who pays, is still demanded.
    assert compare_facts("Westmark will pay 60% of the cost.", "The city will pay 60% of the cost.").missing == ("Westmark",)


def test_a_cost_with_nothing_else_said_does_not_conflict_with_the_cost_of_a_named_part() -> None:
    assert compare_facts("The budget stands at €412 million.", "The first phase is budgeted at €100m.").conflicts == ()
    assert compare_facts("The first phase is budgeted at €100m.", "The budget stands at €412 million.").conflicts == ()


@pytest.mark.parametrize("point", ["cost", "state_share"])
def test_sentences_that_state_only_the_point_decide_support_both_ways(point: str) -> None:
    """Nothing else of the claim is missing: the attribution ("a share the ministry confirmed on Tuesday") is not."""
    courier, ledger = figure(COURIER, point), figure(LEDGER, point)
    for claim, passage in ((courier, ledger), (ledger, courier)):
        result = compare_facts(claim.sentence, passage.sentence)
        assert result.figures_agree and result.missing == (), claim.sentence


def test_a_plural_name_opening_the_claim_is_still_demanded() -> None:
    assert compare_facts("Democrats blocked the bill by 51-49.", "Republicans blocked the bill by 51-49.").missing == (
        "Democrats",)
    assert compare_facts("Councillors backed the plan by 31-14.", "The council backed the plan by 31-14.").missing == ()


def test_who_announced_or_did_it_is_demanded_the_speaker_is_not() -> None:
    assert compare_facts("Putin announced 300,000 reservists.", "Zelensky announced 300,000 reservists.").missing == ("Putin",)
    assert compare_facts("Albers said the line will be 9.4 km long.", "The line will be 9.4 km long.").missing == ()
