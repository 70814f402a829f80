"""A high persuasion percentile is never shown beside "no technique stands out" without what drives it (issue 28)."""
from __future__ import annotations

from dataclasses import replace

from core.persuasion import HIGH_PERSUASION, persuasion_drivers, persuasion_gap
from core.records import Persuasion, Span, Technique
from core.reports.exports import to_markdown
from core.reports.pdf import _summary_lines
from core.reports.summary import format_summary
from testkit.factories import make_analysis


def _nothing_found(percentile: float):  # type: ignore[no-untyped-def]
    """The factory's analysis with every technique below its cut-off, and a persuasion percentile as given."""
    analysis = make_analysis(2)
    techniques = tuple(replace(t, found=False, percentile=0.8 if t.spans else 0.1) for t in analysis.techniques)
    return replace(analysis, techniques=techniques, persuasion=replace(analysis.persuasion, percentile=percentile))


def test_drivers_name_the_techniques_that_weigh_most_with_their_share_and_strongest_passage():
    techniques = [
        Technique("Loaded_Language", 0.9, (Span(0, 14, "cruel betrayal", 0.6), Span(20, 33, "shameful gift", 0.3))),
        Technique("Doubt", 0.4, (Span(40, 60, "the so-called experts", 0.3),)),
        Technique("Slogans", 0.1),
    ]
    text = persuasion_drivers(techniques, Persuasion(score=9.0, percentile=0.97))
    assert text is not None
    assert "stronger than 97 % of ordinary news" in text and "3 passages across 2 techniques" in text
    # Ordered by their weight in the score (0.9 against 0.3 of 1.2), the strongest passage quoted.
    assert text.index("Loaded Language (2 passages, 75 % of the score, e.g. “cruel betrayal”)") < text.index("Doubt (1 passage, 25 %")
    assert "Slogans" not in text


def test_drivers_say_nothing_where_there_is_no_contradiction():
    spans = (Span(0, 5, "liars", 0.7),)
    loaded = Technique("Loaded_Language", 0.9, spans)
    assert persuasion_drivers([loaded], Persuasion(9.0, HIGH_PERSUASION - 0.01)) is None  # an unremarkable score
    assert persuasion_drivers([loaded], Persuasion(9.0, None)) is None  # no reference (the claude engine)
    assert persuasion_drivers([loaded], None) is None
    assert persuasion_drivers([replace(loaded, found=True)], Persuasion(9.0, 0.99)) is None  # the found card explains it
    assert persuasion_drivers([Technique("Loaded_Language", 0.9)], Persuasion(0.0, 0.99)) is None  # no passage to name


def test_the_first_row_of_figures_says_why_a_high_percentile_stands_beside_no_technique_found():
    """The dashboard's "Techniques found 0" and "Persuasion > 99 %" cards get one line, exactly where the drivers do."""
    analysis = _nothing_found(0.997)
    gap = persuasion_gap(analysis.techniques, analysis.persuasion)
    n_passages = sum(len(t.spans) for t in analysis.techniques)
    assert gap is not None and f"{n_passages} technique passages" in gap and "stronger than over 99 % of ordinary news" in gap
    calm = _nothing_found(0.4)
    assert persuasion_drivers(calm.techniques, calm.persuasion) is None and persuasion_gap(calm.techniques, calm.persuasion) is None
    found = replace(analysis, techniques=(replace(analysis.techniques[0], found=True), *analysis.techniques[1:]))
    assert persuasion_gap(found.techniques, found.persuasion) is None
    assert persuasion_gap(analysis.techniques, None) is None


def test_reports_explain_a_high_persuasion_percentile_when_nothing_is_found():
    analysis = _nothing_found(0.99)
    assert not analysis.found_techniques()
    drivers = persuasion_drivers(analysis.techniques, analysis.persuasion)
    assert drivers is not None and "adds up from" in drivers
    strongest = max((t for t in analysis.techniques if t.spans), key=lambda t: sum(s.confidence for s in t.spans))
    assert strongest.label in drivers
    for shown in (format_summary(analysis), "\n".join(_summary_lines(analysis)), to_markdown([analysis])):
        assert "adds up from" in shown and strongest.label in shown
    # With an ordinary percentile there is nothing to reconcile, and no such line.
    calm = _nothing_found(0.4)
    for shown in (format_summary(calm), "\n".join(_summary_lines(calm)), to_markdown([calm])):
        assert "adds up from" not in shown


def test_the_bundled_example_never_shows_a_high_percentile_with_nothing_found_and_no_reason(monkeypatch, tmp_path):
    """The first screen a newcomer sees (issue 28: "Persuasion 100 %" beside "No technique stands out")."""
    from core.engines import get_engine
    from core.examples import example_article_text
    from core.records import Article
    from core.settings import get_settings

    monkeypatch.setenv("CROSSCHECK_HOME", str(tmp_path))
    get_settings.cache_clear()
    try:
        reading = get_engine("local", get_settings()).read(Article(text=example_article_text(), language="en"))
    finally:
        get_settings.cache_clear()
    assert reading.persuasion is not None and reading.persuasion.percentile is not None
    contradiction = reading.persuasion.percentile >= HIGH_PERSUASION and not any(t.found for t in reading.techniques)
    drivers = persuasion_drivers(reading.techniques, reading.persuasion)
    assert not contradiction or (drivers is not None and "adds up from" in drivers)
