"""Each passage has one reason, on its card and in the reports too (issue 27): a passage the verdict weighed on the point
it confirms says so ("counted on start date only (March 2027): …"), where a bare "not counted" read as contradicting
the rationale that quotes it. The case: the Ledger's start-date claim in the three-outlet world (testkit/story_world.py)."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

from components.evidence_cards import claim_cards_html
from core.records import Stance, Verdict
from core.reports.exports import to_csv_evidence, to_markdown
from core.reports.weights import weighed
from core.verdict import COUNTED, assess, counting_note, counting_notes
from testkit import story_world as world
from testkit.factories import make_analysis
from tests.test_verdict_points import article, evidence, judgement, passage
from tests.test_verdict_wording import COURIER_LENGTH, COURIER_START, METRO_START, START

WEIGHED = "counted on start date only (March 2027): does not mention 9.4-kilometre line, three years later"


def _found():
    return evidence(world.LEDGER, START,
                    (passage(world.COURIER, COURIER_START), judgement(Stance.SUPPORTS, 0.19)),
                    (passage(world.COURIER, COURIER_LENGTH), judgement(Stance.SUPPORTS, 0.11)),
                    (passage(world.METRO, METRO_START), judgement(Stance.NEUTRAL, 0.6)))


def _ledger_analysis():
    ledger = world.LEDGER
    analysis = make_analysis(id="ledger", title=ledger.title, outlet=ledger.outlet, url=ledger.url, claims=[START])
    found = _found()
    claim = replace(analysis.claims[0], evidence=found,
                    assessment=assess(found, claim=START, article=analysis.article, consulted=["library"]))
    return replace(analysis, claims=(claim,))


def test_a_passage_the_verdict_weighed_on_a_point_says_so_and_the_others_keep_their_note():
    found = _found()
    confirming, length, metro = found
    ledger = article(world.LEDGER)
    assert assess(found, claim=START, article=ledger).verdict == Verdict.DISPUTED
    # As stored, the Courier's date sentence reads "not counted", each missing figure with its noun.
    assert counting_note(confirming, ledger) == "not counted: does not mention 9.4-kilometre line, three years later"
    assert counting_notes(found, ledger) == [WEIGHED, counting_note(length, ledger), COUNTED]
    assert counting_note(metro, ledger) == COUNTED


def test_without_a_contradicted_point_every_passage_keeps_its_stored_reason():
    confirming, length, _ = _found()
    ledger = article(world.LEDGER)
    assert counting_notes([confirming, length], ledger) == [counting_note(e, ledger) for e in (confirming, length)]


def test_the_card_and_every_report_give_the_weighed_passage_its_one_reason():
    analysis = _ledger_analysis()
    claim = analysis.claims[0]
    assert claim.assessment.verdict == Verdict.DISPUTED
    cards = claim_cards_html(claim, analysis.article)
    assert WEIGHED in cards and "not counted: does not mention 9.4-kilometre" not in cards
    notes = [w.note for w in weighed(claim, analysis.article)]
    assert WEIGHED in notes
    rows = list(csv.DictReader(io.StringIO(to_csv_evidence([analysis]))))
    assert rows[0]["verdict_note"] == WEIGHED  # the Courier's date sentence, stored first
    assert WEIGHED in to_markdown([analysis])
