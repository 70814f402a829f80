"""The three-outlet world (testkit/story_world.py) end to end: each outlet's article analysed by the pipeline with
the local engine and the library source, the other two outlets' articles in the library (temporary SQLite).

Issue 27's targets: no overclaim; each of the four conflicts flagged (disputed or contradicted) in every article
that states it, with both values in the claim's rationale; the 9.4 km that all three outlets give corroborated
where the claim states only that (a sentence that adds figures no other outlet gives is not corroborated whole).
scripts/eval_crosscheck.py prints the same checks as tables.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from core.facts import read_facts
from core.records import Assessment, Verdict
from testkit import crosscheck_eval as ev
from testkit import story_world as world

@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> dict[str, ev.Analysed]:
    return ev.analyse_world(tmp_path_factory.mktemp("world-library"))


@pytest.fixture(scope="module")
def report(analysed) -> ev.WorldReport:
    return ev.judge_world(analysed)


def _decided(analysed: dict[str, ev.Analysed], decide) -> ev.WorldReport:
    """The report on the world's analyses with every claim's assessment replaced by ``decide(key, claim, figures)``."""
    changed = {}
    for key, a in analysed.items():
        claims = tuple(replace(c, assessment=decide(key, c, ev.figures_in(c, key))) for c in a.checked.claims)
        changed[key] = replace(a, checked=replace(a.checked, claims=claims))
    return ev.judge_world(changed)


def _as_a_fact_checker_would(key, claim, figures) -> Assessment:
    conflicts = [c for c in world.CONFLICTS if any(f in figures for f in (*c.agreed, c.disputed))]
    if conflicts:
        sides = "; ".join(f"{c.agreed[1].written} (Westmark Ledger) vs {c.disputed.written} (Metro Post)" for c in conflicts)
        return Assessment(Verdict.DISPUTED, 0.8, f"Sources disagree: {sides}.")
    if figures:
        return Assessment(Verdict.CORROBORATED, 0.9, "Corroborated by 2 independent sources.")
    return Assessment(Verdict.UNVERIFIED, None, "Searched library: no relevant passage found.")


def test_the_checks_pass_a_fact_checkers_verdicts_and_catch_overclaims(analysed):
    """The targets below can be met: verdicts as a fact-checker gives them pass every check, and wrong ones do not."""
    right = _decided(analysed, _as_a_fact_checker_would)
    assert right.overclaims == () and all(right.shared_corroborated)
    assert all(right.conflict_flagged(point) for point in world.CONFLICT_POINTS)

    def one_figure_only(key, claim, figures):  # the Metro Post's cost flagged without the majority's figure
        decided = _as_a_fact_checker_would(key, claim, figures)
        return replace(decided, rationale="Contradicted: €385m.") if key == "metro" and "385" in claim.text else decided

    assert not _decided(analysed, one_figure_only).conflict_flagged("cost")

    def supported_everywhere(key, claim, figures):
        return Assessment(Verdict.CORROBORATED, 0.9, "Corroborated.") if figures else Assessment(Verdict.DISPUTED, 0.5, "")

    wrong = _decided(analysed, supported_everywhere)
    conflicted = sum(any(f.point in world.CONFLICT_POINTS for f in c.figures) for c in wrong.claims)
    assert len(wrong.overclaims) == len(wrong.claims) - sum(c.expected == "corroborated" for c in wrong.claims)
    assert conflicted and not any(wrong.conflict_flagged(point) for point in world.CONFLICT_POINTS)


def test_every_figure_of_the_world_is_read_as_a_claim(report):
    # Without this the checks below would pass or fail on what the engine read, not on what it checked.
    assert all(cell.claim is not None for cell in report.conflicts)
    assert all(claim is not None for claim in report.shared)


def test_no_claim_is_decided_against_the_ground_truth(report):
    """Nothing shown supported where the outlets disagree, nothing shown in conflict where they do not."""
    assert [(c.article, c.claim.id, c.claim.verdict.value, c.expected) for c in report.overclaims] == []


def test_each_conflict_is_flagged_in_every_article_with_both_figures(report):
    missed = [f"{cell.point} in {cell.article}/{cell.claim.id if cell.claim else '-'}: "
              f"{cell.claim.verdict.value if cell.claim else 'not a claim'}"
              + ("" if cell.both_figures else f", rationale lacks {cell.agreed.written!r} or {cell.disputed.written!r}")
              for cell in report.conflicts if not (cell.flagged and cell.both_figures)]
    assert len(report.conflicts) == 3 * len(world.CONFLICT_POINTS)
    assert missed == []
    assert all(report.conflict_flagged(point) for point in world.CONFLICT_POINTS)


def _other_figures(claim) -> tuple[str, ...]:
    """Figures a claim states besides the world's: the Courier's length sentence adds eleven stops and 28,000 passengers."""
    known = {f.written for f in world.FIGURES}
    # "line 4" names the line (an identifier), it states no amount.
    return tuple(q.text for q in read_facts(claim.text).quantities if q.text not in known and q.measure)


def test_the_figure_all_three_outlets_give_is_corroborated(report):
    """Corroborated where the claim states only what the others restate; where its sentence also states figures
    no other outlet gives (the Courier's eleven stops and 28,000 passengers a day), the whole claim is not
    corroborated, as a fact-checker would not, and its rationale says what was restated and what was not."""
    holding_only_it = [c for c in report.shared if c is not None and c.expected == "corroborated"]
    assert len(holding_only_it) == 2  # the Courier's and the Metro Post's; the Ledger's sentence also has its start date
    alone = [c for c in holding_only_it if not _other_figures(c.claim)]
    bundled = [c for c in holding_only_it if _other_figures(c.claim)]
    assert [c.article for c in alone] == ["metro"] and [c.article for c in bundled] == ["courier"]
    assert alone[0].claim.verdict == Verdict.CORROBORATED
    (courier,) = bundled
    assert courier.claim.verdict == Verdict.UNVERIFIED
    assert "leans supports" in courier.claim.assessment.rationale
    assert "does not mention eleven stops, about 28,000 passengers" in courier.claim.assessment.rationale
    # The pipeline gives the verdict the claim's text: the figures no other outlet states are named with their nouns.
    assert "eleven stops and about 28,000 passengers stated by no other source" in courier.claim.assessment.rationale
    restating = [e for e in courier.claim.evidence if e.facts and e.facts.startswith("agrees")]
    assert {e.outlet for e in restating} == {"Westmark Ledger", "Metro Post"}
    assert all("not stated: eleven, about 28,000" in e.facts for e in restating)
