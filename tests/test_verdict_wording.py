"""How a verdict's rationale words what the evidence found (issue 27), on the three-outlet world (testkit/story_world.py):
a point is named as Compare names it whichever outlet's claim is checked; each passage has one reason; an unverified
claim's rationale says which of its figures another outlet confirmed, and which none states."""
from __future__ import annotations

from itertools import permutations

import pytest

from core.compare import ClaimMention, figure_conflicts
from core.records import Stance, Verdict
from core.verdict import assess
from testkit import story_world as world
from tests.test_verdict_points import article, evidence, judgement, passage


def _compare_name(point: str) -> str:
    """What Compare calls the point in its row of the three outlets' claims ("cost: €412 million (...) vs ...")."""
    mentions = [ClaimMention(a.key, a.outlet, "c1", world.figure(a, point).sentence, Verdict.UNVERIFIED, None)
                for a in world.ARTICLES]
    (line,) = figure_conflicts(mentions)
    return line.split(":")[0]


@pytest.mark.parametrize("point", world.CONFLICT_POINTS)
def test_evidence_names_a_point_as_compare_does_whichever_outlets_claim_is_checked(point):
    """The Metro Post's "is budgeted at €385m" read "differs on budgeted", the Ledger's "budget" and its "by 31-14"
    "score", where Compare said "cost" and "vote": the same point had three names on one story."""
    name = _compare_name(point)
    for checked, other in permutations(world.ARTICLES, 2):
        claim = world.figure(checked, point).sentence
        (item,) = evidence(checked, claim, (passage(other, world.figure(other, point).sentence),
                                            judgement(Stance.NEUTRAL, 0.6)))
        named = {p.point for p in item.points if p.claim_value == world.figure(checked, point).written}
        assert named == {name}, (checked.key, other.key)
        if not all(p.agrees for p in item.points):
            assert item.facts.startswith(f"differs on {name}: "), item.facts


def test_the_cost_reads_as_the_cost_in_the_metro_posts_rationale():
    cost = world.figure(world.METRO, "cost").sentence
    found = evidence(world.METRO, cost,
                     *((passage(a, world.figure(a, "cost").sentence), judgement(Stance.NEUTRAL, 0.6))
                       for a in (world.COURIER, world.LEDGER)))
    result = assess(found, article=article(world.METRO), consulted=["library"])
    assert result.verdict == Verdict.CONTRADICTED
    assert "differs on cost: €385m (Metro Post) vs €412 million (Arlenburg Courier)" in result.rationale
    assert "budgeted" not in result.rationale.replace(cost, "")


# The Ledger's start-date sentence (9.4-kilometre line, March 2027, three years later): the Courier restates its date
# only, the Metro Post gives another.
START = world.figure(world.LEDGER, "start").sentence
COURIER_START = world.figure(world.COURIER, "start").sentence
COURIER_LENGTH = world.figure(world.COURIER, "length").sentence
METRO_START = world.figure(world.METRO, "start").sentence


def _closing_notes(rationale: str) -> str:
    """The rationale's last bracket: what did not count and why."""
    return rationale[rationale.rindex(" ("):]


def test_a_passage_confirming_a_disputed_point_is_not_also_listed_as_not_counted():
    """The Courier's "Construction is due to start in March 2027" spoke for the claim on the start date and was also
    "1 passage not counted: does not mention 9.4-kilometre, three years" in the closing notes: two reasons."""
    ledger = article(world.LEDGER)
    found = evidence(world.LEDGER, START,
                     (passage(world.COURIER, COURIER_START), judgement(Stance.SUPPORTS, 0.19)),
                     (passage(world.COURIER, COURIER_LENGTH), judgement(Stance.SUPPORTS, 0.11)),
                     (passage(world.METRO, METRO_START), judgement(Stance.NEUTRAL, 0.6)))
    confirming, length, _ = found
    result = assess(found, claim=START, article=ledger, consulted=["library"])
    assert result.verdict == Verdict.DISPUTED
    assert f"Arlenburg Courier (library) says: “{COURIER_START}”" in result.rationale
    notes = _closing_notes(result.rationale)
    assert confirming.reason not in notes
    # The Courier's length sentence confirms no contradicted point: it keeps its one reason, not counted.
    assert notes == f" (1 passage {length.reason}.)"


def test_a_point_confirmation_outweighed_is_not_listed_as_not_counted_either():
    other = world.WorldArticle("gazette", "Kessel Gazette", "https://gazette.example/tram", world.METRO.published,
                               "Tram", "Construction of the line is due to start in September 2026.")
    found = evidence(world.LEDGER, START,
                     (passage(world.COURIER, COURIER_START), judgement(Stance.SUPPORTS, 0.19)),
                     (passage(world.METRO, METRO_START), judgement(Stance.NEUTRAL, 0.6)),
                     (passage(other, other.text), judgement(Stance.NEUTRAL, 0.6)))
    result = assess(found, claim=START, article=article(world.LEDGER), consulted=["library"])
    assert result.verdict == Verdict.CONTRADICTED
    assert "outweighs the confirmation of the contradicted point of Arlenburg Courier" in result.rationale
    assert "not counted" not in result.rationale


def _length_evidence():
    """The Courier's length sentence against the Ledger's and the Metro Post's: each restates 9.4 km only."""
    return evidence(world.COURIER, COURIER_LENGTH,
                    (passage(world.LEDGER, START), judgement(Stance.SUPPORTS, 0.05)),
                    (passage(world.METRO, world.figure(world.METRO, "length").sentence),
                     judgement(Stance.SUPPORTS, 0.03)))


def test_an_unverified_claim_says_which_figures_were_confirmed_by_whom_and_which_none_states():
    result = assess(_length_evidence(), claim=COURIER_LENGTH, article=article(world.COURIER), consulted=["library"])
    assert result.verdict == Verdict.UNVERIFIED and result.confidence is None  # a partial confirmation decides nothing
    assert ("Partial confirmation: 9.4 km confirmed by Westmark Ledger and Metro Post; eleven stops and about 28,000 "
            "passengers stated by no other source.") in result.rationale
    assert f"Closest: Westmark Ledger (library) says “{START[:40]}" in result.rationale  # the closest is still quoted


def test_a_partial_confirmation_names_only_independent_sources():
    courier = article(world.COURIER)
    own = evidence(world.COURIER, COURIER_LENGTH,
                   (passage(world.COURIER, "The line will be 9.4 km long."), judgement(Stance.SUPPORTS, 0.3)))
    result = assess(own, claim=COURIER_LENGTH, article=courier, consulted=["library"])
    assert result.verdict == Verdict.UNVERIFIED and "Partial confirmation" not in result.rationale
    # Without the claim's text, what was confirmed is still said; what was not cannot be.
    unnamed = assess(_length_evidence(), article=courier, consulted=["library"])
    assert "Partial confirmation: 9.4 km confirmed by Westmark Ledger and Metro Post. Closest:" in unnamed.rationale


def test_a_figure_named_two_ways_by_its_contradicting_passages_is_one_point_in_the_rationale():
    """A score is the vote beside "27 votes to 18" and a score beside "ruled 27-18": the rationale gives it one line."""
    gazette = world.WorldArticle("gazette", "Kessel Gazette", "https://gazette.example/tram", world.METRO.published,
                                 "Tram", "The council ruled 31-14 on the extension of line 4 to Kessel and Marwitz.")
    herald = world.WorldArticle("herald", "Marwitz Herald", "https://herald.example/tram", world.METRO.published,
                                "Tram", "The council ruled 27-18 on the extension of line 4 to Kessel and Marwitz.")
    found = evidence(gazette, gazette.text,
                     (passage(world.COURIER, world.figure(world.COURIER, "vote").sentence),
                      judgement(Stance.SUPPORTS, 0.2)),
                     (passage(world.METRO, world.figure(world.METRO, "vote").sentence), judgement(Stance.NEUTRAL, 0.6)),
                     (passage(herald, herald.text), judgement(Stance.NEUTRAL, 0.6)))
    assert {p.point for e in found for p in e.points if not p.agrees} == {"vote", "score"}
    result = assess(found, claim=gazette.text, article=article(gazette), consulted=["library"])
    head = result.rationale[:result.rationale.index(". ")]
    assert head.count("31-14 vs ") == 0 and head.count(" vs ") == 1, head
