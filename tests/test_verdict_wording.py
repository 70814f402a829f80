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
