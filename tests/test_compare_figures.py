"""Compare on the three-outlet world (testkit/story_world.py): each point the outlets state is one shared claim,
with every outlet's figure, and claims about other points or other stories stay apart (issue 27)."""
from __future__ import annotations

import pytest

from core.compare import figure_conflicts, same_point, shared_claims
from core.facts import compare_facts
from testkit import story_world as world
from testkit.factories import make_analysis

# Claims of each article that state no figure of the world, as the local engine reads them.
OTHER_CLAIMS = {
    "courier": [("ARLENBURG - Arlenburg city council on Monday approved the long-debated extension of the number 4 "
                 "tram line to the eastern districts of Kessel and Marwitz, ending two years of argument over its "
                 "route.")],
    "ledger": [("Critics in the council, led by Jens Albers, warned that costs on similar projects elsewhere had "
                "risen sharply once work began, and asked for an independent review of the budget before contracts "
                "are signed."),
               ('Mayor Ulrike Brandt said the city had "learned the lessons" of earlier projects and would publish '
                "quarterly reports on spending.")],
    "metro": [('"It has taken far too long, but we are glad it is finally happening," said Petra Lindner of the '
               "Kessel residents' association.")],
}


def _world_analyses():
    analyses = []
    for article in world.ARTICLES:
        sentences = list(dict.fromkeys(f.sentence for f in world.FIGURES if f.article == article.key))
        analyses.append(make_analysis(id=article.key, title=article.title, outlet=article.outlet, url=article.url,
                                      claims=OTHER_CLAIMS[article.key] + sentences))
    return analyses


@pytest.fixture(scope="module")
def comparison():
    return shared_claims(_world_analyses())


def _row_of(comparison, sentence: str):
    (row,) = [s for s in comparison.shared if sentence in {m.text for m in s.mentions}]
    return row


@pytest.mark.parametrize("point", world.CONFLICT_POINTS)
def test_each_disputed_point_is_one_shared_claim_of_all_three_outlets(comparison, point):
    """The vote was missing, and the Ledger's cost and start date stood apart, as their wording is far from the others'."""
    sentences = {world.figure(article, point).sentence for article in world.ARTICLES}
    row = _row_of(comparison, world.figure(world.COURIER, point).sentence)
    assert {m.text for m in row.mentions} == sentences
    assert {m.analysis_id for m in row.mentions} == {"courier", "ledger", "metro"}


@pytest.mark.parametrize("conflict", world.CONFLICTS, ids=lambda c: c.point)
def test_a_disputed_point_names_every_outlets_figure_once(comparison, conflict):
    row = _row_of(comparison, conflict.agreed[0].sentence)
    (line,) = row.figure_conflicts  # the Ledger's figure joins the Courier's: one line a point, not one a pair
    agreed, disputed = (f"{f.written} ({world.ARTICLES[[a.key for a in world.ARTICLES].index(f.article)].outlet})"
                        for f in (conflict.agreed[0], conflict.disputed))
    assert agreed in line and line.endswith(f"vs {disputed}")
    assert f"{conflict.agreed[1].written} (Westmark Ledger)" in line
    assert row.agreement.startswith("figures differ: ")


def test_the_cost_reads_as_the_outlets_give_it(comparison):
    row = _row_of(comparison, world.figure(world.COURIER, "cost").sentence)
    assert row.figure_conflicts == (
        "cost: €412 million (Arlenburg Courier), 412 million euros (Westmark Ledger) vs €385m (Metro Post)",)


def test_points_are_named_for_what_they_measure(comparison):
    """A share of a cost read "cost: 60 per cent" and "pay: 60%"; a start date "month"; a council's vote "score"."""
    names = {point: _row_of(comparison, world.figure(world.COURIER, point).sentence).figure_conflicts[0].split(":")[0]
             for point in world.CONFLICT_POINTS}
    assert names == {"cost": "cost", "start": "start date", "state_share": "share of the cost", "vote": "vote"}


def test_a_share_of_a_cost_is_a_share_in_the_facts_layer():
    """core/facts names the measure of "60 per cent of the cost" and "will pay 60% of it": a share, not the cost."""
    courier, ledger, metro = (world.figure(a, "state_share").sentence for a in world.ARTICLES)
    assert [m.about for m in compare_facts(courier, metro).conflicts] == ["share of the cost"]
    assert [m.about for m in compare_facts(ledger, metro).conflicts] == ["share of the cost"]
    cost = compare_facts("The extension will cost €412 million.", "The extension is budgeted at €385m.")
    assert [m.about for m in cost.conflicts] == ["cost"]


def test_rows_hold_one_point_and_other_claims_stay_alone(comparison):
    """No row mixes points (the cost with the state's share, the vote with the cost); claims without a figure of
    another outlet's stay with their article."""
    points = {}
    for f in world.FIGURES:
        points.setdefault(f.sentence, set()).add(f.point)
    points[world.figure(world.METRO, "length").sentence].add("approval")  # "the council gave the go-ahead ..., a route of 9.4 km"
    for row in comparison.shared:
        stated = [points.get(m.text, {"approval"}) for m in row.mentions]
        assert set.intersection(*stated), [m.text for m in row.mentions]
    alone = {m.text for mentions in comparison.unique for m in mentions}
    assert set(OTHER_CLAIMS["ledger"]) | set(OTHER_CLAIMS["metro"]) <= alone


def test_figures_of_one_measure_in_unrelated_articles_are_not_one_claim():
    """Two articles with nothing else in common may give the cost of two things: no shared claim."""
    bridge = make_analysis(id="b", title="Bridge", outlet="Gazette", claims=["The new bridge will cost $40 million."])
    stadium = make_analysis(id="s", title="Stadium", outlet="Herald", claims=["The new stadium will cost $55 million."])
    result = shared_claims([bridge, stadium])
    assert result.shared == ()


def test_figures_of_rival_names_in_one_story_are_not_one_claim():
    """"laid off 500 workers at its Ohio plant" / "hired 500 workers at its Texas plant" (0.69): the same figure
    and measure, but each names a place the other does not."""
    shared = "The company's chief executive resigned on Friday after the board lost confidence in him."
    a = make_analysis(id="a", title="A", outlet="Gazette", claims=[
        shared, "The company laid off 500 workers at its Ohio plant last week."])
    b = make_analysis(id="b", title="B", outlet="Herald", claims=[
        shared, "The company hired 500 workers at its Texas plant last week."])
    result = shared_claims([a, b])
    assert [len(s.mentions) for s in result.shared] == [2]
    assert result.shared[0].text == shared and not result.shared[0].by_figures
    assert not same_point("The company laid off 500 workers at its Ohio plant last week.",
                          "The company hired 500 workers at its Texas plant last week.")


def test_a_weekday_alone_does_not_make_one_point():
    """Every report of the vote says "on Monday": that does not make the approval and the vote one claim."""
    approval = OTHER_CLAIMS["courier"][0]
    assert not same_point(approval, world.figure(world.LEDGER, "vote").sentence)


def test_groups_joined_by_figures_are_marked(comparison):
    vote = _row_of(comparison, world.figure(world.COURIER, "vote").sentence)
    assert vote.by_figures and vote.similarity < 0.70
    share = _row_of(comparison, world.figure(world.COURIER, "state_share").sentence)
    assert not share.by_figures  # its wordings match at 0.75 and 0.79


def test_figure_conflicts_of_two_articles_read_as_before():
    from core.compare import ClaimMention
    from core.records import Verdict

    mentions = (ClaimMention("a", "A", "1", world.figure(world.COURIER, "cost").sentence, Verdict.UNVERIFIED, None),
                ClaimMention("m", "M", "2", world.figure(world.METRO, "cost").sentence, Verdict.UNVERIFIED, None))
    assert figure_conflicts(mentions) == ("cost: €412 million (A) vs €385m (M)",)
