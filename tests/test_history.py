"""What changed between two runs of an article (core.history), and the other small pure helpers of issue 22."""
from __future__ import annotations

from dataclasses import replace

from core.examples import EXAMPLE_OUTLET, example_article_text
from core.figures import charts
from core.history import VerdictChange, diff_runs
from core.records import Verdict
from core.text import shorten
from testkit.factories import make_analysis


def test_identical_runs_have_no_changes():
    run = make_analysis(id="one")
    assert diff_runs(run, run.with_id("two")).unchanged


def test_claims_added_removed_and_verdicts_changed_are_matched_by_text():
    older = make_analysis(id="old", claims=["Fares rose by 50 cents.", "Ridership fell 12 percent."])
    # Reordered, so the factory's positional verdicts change; whitespace and case do not make a claim new.
    newer = make_analysis(id="new", claims=["ridership  fell 12 percent.", "A petition has 8,000 signatures."])
    diff = diff_runs(older, newer)
    assert diff.claims_added == ("A petition has 8,000 signatures.",)
    assert diff.claims_removed == ("Fares rose by 50 cents.",)
    assert diff.verdicts_changed == (VerdictChange("ridership  fell 12 percent.", Verdict.SINGLE_SOURCE, Verdict.CORROBORATED),)
    assert not diff.unchanged


def test_techniques_found_only_in_one_run():
    older = make_analysis(id="old")
    newer = make_analysis(id="new", seed=3)
    diff = diff_runs(older, newer)
    before = {t.label for t in older.found_techniques()}
    after = {t.label for t in newer.found_techniques()}
    assert set(diff.techniques_now_found) == after - before and diff.techniques_now_found
    assert set(diff.techniques_no_longer_found) == before - after and diff.techniques_no_longer_found
    techniques_only = replace(newer, claims=older.claims)
    assert diff_runs(older, techniques_only).claims_added == ()


def test_shorten_cuts_at_a_word_and_keeps_short_text():
    assert shorten("short  text", 20) == "short text"
    assert shorten("The council voted to close the library, said the mayor", 30) == "The council voted to close…"
    assert len(shorten("word " * 100, 110)) <= 110


def test_wrap_label_breaks_long_names_for_plotly():
    assert charts.wrap_label("Whataboutism / Straw Man / Red Herring", 22) == "Whataboutism / Straw<br>Man / Red Herring"
    assert charts.wrap_label("Doubt", 22) == "Doubt"
    gauge_title = charts.technique_gauge(make_analysis().techniques[-1]).data[0].title.text
    name, note = gauge_title.split("<span", 1)  # the technique's name, then the small line against ordinary news
    assert all(len(line) <= charts.GAUGE_TITLE_CHARS for line in name.removesuffix("<br>").split("<br>"))
    assert all(len(line) <= charts.GAUGE_NOTE_CHARS for line in note.split(">", 1)[1].removesuffix("</span>").split("<br>"))


def test_comparison_charts_wrap_article_and_technique_names():
    analyses = [make_analysis(id="a", title="A rather long title about the council budget"), make_analysis(id="b")]
    heatmap = charts.technique_heatmap(analyses)
    assert all(len(line) <= charts.ARTICLE_TICK_CHARS + 1 for x in heatmap.data[0].x for line in x.split("<br>"))
    assert any("<br>" in y for y in heatmap.data[0].y)
    assert heatmap.layout.yaxis.automargin
    verdicts = charts.compare_verdicts(analyses)
    assert all("<br>" in x for x in verdicts.data[0].x)


def test_the_bundled_example_is_a_titled_article():
    text = example_article_text()
    title, _, body = text.partition("\n")
    assert title == "Riverside council approves bus fare rise despite protests"
    assert len(body.split()) > 100 and EXAMPLE_OUTLET
