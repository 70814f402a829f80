"""Issue 27 in the reports: PDF, CSV and Markdown show a conflict with both figures, the independent origins with
the copy merged, and a stance that did not count apart from one that did ("Leans supports", with its one reason)."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

import pypdf

from core.engines.base import StanceJudgement
from core.fact_stance import read_pair
from core.records import Assessment, Evidence, SourceType, Stance, Verdict
from core.reports.exports import to_csv_claims, to_csv_evidence, to_markdown
from core.reports.pdf import analysis_pdf
from core.verdict import COUNTED, assess
from testkit.factories import make_analysis

COST = "The extension is budgeted at €385m."
COURIER = "The extension will cost €412 million, according to the final budget."
LEANING = "not counted: does not mention Monday, Kessel and Marwitz"
LEDGER = "The project's budget stands at 412 million euros, the city's transport department said on Monday."


def conflict(passage: str, outlet: str) -> str:
    """What the facts rule writes of the passage's figure against the Metro Post's claim."""
    neutral = StanceJudgement(Stance.NEUTRAL, 0.6, {s: 0.6 if s == Stance.NEUTRAL else 0.2 for s in Stance}, False, None)
    return read_pair(COST, passage, neutral, claim_outlet="Metro Post", passage_outlet=outlet).facts


# Each figure beside its outlet, as Compare writes them (issue 27).
CONFLICT = conflict(COURIER, "Arlenburg Courier")
SIDE_BY_SIDE = "€385m (Metro Post) vs €412 million (Arlenburg Courier)"


def metro():
    """The Metro Post's cost claim, contradicted by the Courier and the Ledger; the Eastside Weekly prints the
    Ledger's sentence (a copy: one origin); a Ledger passage leans supports without counting."""
    analysis = make_analysis(id="metro", title="Tram extension gets green light", outlet="Metro Post",
                             url="https://metropost.example/tram", claims=[COST])
    leaning = Evidence(SourceType.LIBRARY, "Tram heads east", "https://ledger.example/tram", "Westmark Ledger",
                       "Work on the 9.4-kilometre line is scheduled to begin in March 2027.", Stance.SUPPORTS, 0.03,
                       decisive=False, reason=LEANING, facts="agrees: 9.4-kilometre; not stated: Monday")
    evidence = (
        leaning,  # stored first, listed last: the reports list what counted first, as the cards do
        Evidence(SourceType.LIBRARY, "Council approves tram", "https://courier.example/tram", "Arlenburg Courier",
                 COURIER, Stance.REFUTES, 0.9, decisive=True, facts=CONFLICT),
        Evidence(SourceType.LIBRARY, "Tram heads east", "https://ledger.example/tram", "Westmark Ledger", LEDGER,
                 Stance.REFUTES, 0.88, decisive=True, facts=conflict(LEDGER, "Westmark Ledger")),
        Evidence(SourceType.LIBRARY, "Tram approved", "https://eastside.example/tram", "Eastside Weekly", LEDGER,
                 Stance.REFUTES, 0.87, decisive=True, facts=conflict(LEDGER, "Eastside Weekly")),
    )
    assessment: Assessment = assess(evidence, article=analysis.article)
    claim = replace(analysis.claims[0], evidence=evidence, assessment=assessment)
    return replace(analysis, claims=(claim,))


def test_the_rationale_names_the_origins_and_the_copy_merged():
    assessment = metro().claims[0].assessment
    assert assessment.verdict == Verdict.CONTRADICTED
    assert "3 outlets, 2 independent origins" in assessment.rationale
    # The copy and its original named as the outlets spell them (the lower-case key read "eastside weekly").
    assert "Eastside Weekly (library) same passage as Westmark Ledger" in assessment.rationale


def test_markdown_shows_both_figures_origins_and_leaning_apart_from_counted():
    markdown = to_markdown([metro()])
    assert "3 outlets, 2 independent origins" in markdown
    assert SIDE_BY_SIDE in markdown
    lines = [line for line in markdown.splitlines() if line.startswith("- ") and "Library" in line]
    assert lines[0].startswith("- ✖ Refutes (90%) · *counted toward the verdict*")
    # A lean its figures gave: no model probability beside "agrees", its one reason beside it.
    assert lines[3].startswith(f"- Leans supports · *{LEANING}*")


def test_csv_labels_a_stance_that_did_not_count_as_leaning():
    analysis = metro()
    rows = list(csv.DictReader(io.StringIO(to_csv_evidence([analysis]))))
    assert [r["stance_label"] for r in rows] == ["Leans supports", "Refutes", "Refutes", "Refutes"]  # stored order
    assert [r["verdict_note"] for r in rows] == [LEANING, COUNTED, COUNTED, COUNTED]
    assert rows[1]["facts"] == CONFLICT and rows[0]["stance"] == "supports"
    (claim,) = csv.DictReader(io.StringIO(to_csv_claims([analysis])))
    assert "3 outlets, 2 independent origins" in claim["rationale"]


def test_pdf_shows_both_figures_origins_and_leaning_apart_from_counted():
    pdf = analysis_pdf(metro(), charts=False)
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "3 outlets, 2 independent origins" in text
    assert f"Figures: differs on cost: {SIDE_BY_SIDE}" in text
    assert "✖ Refutes (90%) (counted toward the verdict)" in text
    assert f"Leans supports ({LEANING})" in text and "Supports (3%)" not in text
    assert text.index("✖ Refutes (90%)") < text.index("Leans supports")  # what counted first
