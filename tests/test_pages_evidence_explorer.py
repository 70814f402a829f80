"""The Evidence page (issue 27): counted stances apart from leaning ones, each passage's one reason and figures,
the passages readable under their claims, and a filter by whether a passage counted (issue 30: the passage text
is no longer off-screen in a wide table)."""
from __future__ import annotations

from dataclasses import replace

from core.records import Analysis, Evidence, SourceType, Stance
from core.verdict import assess
from testkit.apptest import app, store
from testkit.factories import make_analysis

COST = "The extension is budgeted at €385m."
# As the facts rule writes it (core/fact_stance.conflict_text): each figure beside its outlet.
CONFLICT = "differs on cost: €385m (Metro Post) vs €412 million (Arlenburg Courier)"
LEANING = "not counted: does not mention Monday, Kessel and Marwitz"


def story() -> Analysis:
    """The Metro Post's cost claim: contradicted by the Courier (counted, both figures), a Ledger passage leaning."""
    analysis = make_analysis(id="metro", title="Tram extension gets green light", outlet="Metro Post",
                             url="https://metropost.example/tram", claims=[COST])
    courier = Evidence(SourceType.LIBRARY, "Council approves eastern tram extension", "https://courier.example/tram",
                       "Arlenburg Courier", "The extension will cost €412 million, according to the final budget.",
                       Stance.REFUTES, 0.9, decisive=True, facts=CONFLICT)
    ledger = Evidence(SourceType.LIBRARY, "Arlenburg's tram heads east", "https://ledger.example/tram", "Westmark Ledger",
                      "Work on the 9.4-kilometre line is scheduled to begin in March 2027.", Stance.SUPPORTS, 0.4,
                      decisive=False, reason=LEANING, facts="agrees: 9.4-kilometre; not stated: Monday")
    neutral = Evidence(SourceType.LIBRARY, "Arlenburg's tram heads east", "https://ledger.example/tram",
                       "Westmark Ledger", "Mayor Ulrike Brandt said the city had learned the lessons.", Stance.NEUTRAL, 0.7)
    evidence = (neutral, ledger, courier)  # shown counted first, neutral last
    claim = replace(analysis.claims[0], evidence=evidence, assessment=assess(evidence, article=analysis.article))
    return replace(analysis, claims=(claim,))


def passages(test) -> str:
    return next(str(e.proto.body) for e in test.get("html") if "evidence-explorer" in str(e.proto.body))


def test_passages_show_counted_apart_from_leaning_with_the_reason_and_both_figures():
    store(story())
    test = app("pages/evidence.py")
    assert not test.exception, test.exception
    body = passages(test)
    assert body.count('class="evidence-claim"') == 1 and COST in body  # the claim once, its three passages under it
    counted, leaning, neutral = body.split('<div class="evidence ')[1:]
    assert "Refutes</b> (90%)" in counted and "counted toward the verdict" in counted
    assert "€385m (Metro Post) vs €412 million (Arlenburg Courier)" in counted
    assert "Leans supports" in leaning and LEANING in leaning and "not-counted" in leaning and "Refutes" not in leaning
    assert "Neutral" in neutral and "not counted" not in neutral
    assert "date unknown" not in body  # the rows keep no date: the cards do not pretend to know it is unknown
    assert "/?analysis=metro&amp;claim=c1" in body and "✖ Contradicted" in body
    table = test.dataframe[0].value
    assert list(table["Stance"]) == ["✖ Refutes", "Leans supports", "– Neutral"]
    assert list(table["Weight"]) == ["counted", LEANING, ""]
    assert table["Figures"][0] == CONFLICT and table["Evidence"][1].startswith("Work on the 9.4-kilometre line")


def test_the_counted_filter_comes_from_and_goes_to_the_address():
    store(story())
    test = app("pages/evidence.py")
    test.multiselect(key="evidence_counted").set_value(["yes"]).run()
    assert not test.exception, test.exception
    assert list(test.dataframe[0].value["Stance"]) == ["✖ Refutes"]
    assert test.query_params.get("counted") in ("yes", ["yes"])
    assert "1 of 3 pieces of evidence" in [c.value for c in test.caption]
    test.multiselect(key="evidence_counted").set_value(["no"]).run()
    assert list(test.dataframe[0].value["Stance"]) == ["Leans supports", "– Neutral"]
    test.multiselect(key="evidence_counted").set_value(["yes", "no"]).run()  # both: everything
    assert len(test.dataframe[0].value) == 3
    test.multiselect(key="evidence_counted").set_value(["yes"]).run()
    test.text_input(key="evidence_search").set_value("Brandt").run()
    assert "No evidence matches these filters." in [i.value for i in test.info]


def test_a_search_matching_more_than_its_limit_says_it_shows_the_newest(monkeypatch):
    """Issue 29: a search counts its matches up to a limit; past it the page says so and shows the newest ones."""
    from core.storage import evidence_queries

    monkeypatch.setattr(evidence_queries, "SEARCH_LIMIT", 2)
    store(story())
    test = app("pages/evidence.py")
    test.text_input(key="evidence_search").set_value("the").run()  # in all three passages
    assert not test.exception, test.exception
    assert "More than 2 of 3 pieces of evidence" in [c.value for c in test.caption]
    assert any("matches more than 2 pieces of evidence" in i.value for i in test.info)
    assert "Counted over the newest 2 matching pieces of evidence." in [c.value for c in test.caption]
    assert len(test.dataframe[0].value) == 2
    test.text_input(key="evidence_search").set_value("Brandt").run()  # one passage: counted, all of it
    assert "1 of 3 pieces of evidence" in [c.value for c in test.caption]
    assert not any("matches more than" in i.value for i in test.info)


def test_a_passage_weighed_on_a_point_reads_as_on_its_claim_card():
    """The row keeps the reason its passage's own stance had; the Evidence page gives the one its claim's card gives
    (issue 27: "counted on start date only …", not a bare "not counted" beside a rationale quoting it)."""
    from tests.test_weighed_on_points import WEIGHED, _ledger_analysis

    analysis = _ledger_analysis()
    store(analysis)
    test = app("pages/evidence.py")
    assert not test.exception, test.exception
    weights = list(test.dataframe[0].value["Weight"])
    assert WEIGHED in weights
    assert WEIGHED in passages(test)
    assert sum(w.startswith("not counted") for w in weights) == 1  # the length passage keeps its own reason
