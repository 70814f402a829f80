"""Chart builders: right numbers in the right places, one verdict/stance scheme, never colour alone."""
from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import pytest

from core.figures import charts, theme
from core.identity import evidence_domain
from core import verdict
from core.records import Persuasion, Stance, Technique, Verdict, weighed_stance
from core.storage import EvidenceCounts, EvidenceQuery, Storage
from core.techniques_catalogue import TECHNIQUES, TECHNIQUE_LABELS
from testkit.factories import make_analysis


def _counts(tmp_path) -> EvidenceCounts:
    """Evidence counts of two stored analyses, as the Evidence page gets them from the database."""
    storage = Storage(tmp_path / "charts.db")
    storage.save(make_analysis(n_claims=6, id="a", outlet="Outlet A", url="https://a.example/1"))
    storage.save(make_analysis(n_claims=3, id="b", outlet="Outlet B", url="https://b.example/1", n_evidence=3))
    return storage.evidence_counts(EvidenceQuery())


def test_theme_covers_every_verdict_and_stance_with_distinct_signals():
    for table in (theme.VERDICT_LABELS, theme.VERDICT_COLORS, theme.VERDICT_ICONS, theme.VERDICT_PATTERNS):
        assert set(table) == set(Verdict)
        assert len(set(table.values())) == len(Verdict)  # each signal tells verdicts apart on its own
    for table in (theme.STANCE_LABELS, theme.STANCE_COLORS, theme.STANCE_ICONS, theme.STANCE_PATTERNS):
        assert set(table) == set(Stance)
        assert len(set(table.values())) == len(Stance)
    assert set(theme.VERDICT_ORDER) == set(Verdict) and set(theme.STANCE_ORDER) == set(Stance)
    assert theme.DISCLAIMER == "AI-generated analysis: verify before you rely on it."
    # Supports and corroborated share a colour on purpose: one meaning, one colour.
    assert theme.STANCE_COLORS[Stance.SUPPORTS] == theme.VERDICT_COLORS[Verdict.CORROBORATED]
    assert theme.STANCE_COLORS[Stance.REFUTES] == theme.VERDICT_COLORS[Verdict.CONTRADICTED]


def test_technique_gauge_shows_strength_against_the_ordinary_news_band():
    found = Technique("Doubt", 0.734, strength=4.26, percentile=1.0, found=True)
    indicator = charts.technique_gauge(found, cutoff=2.8).data[0]
    assert isinstance(indicator, go.Indicator)
    assert indicator.value == pytest.approx(4.26)
    # Wrapped (plotly cuts a title at the figure's edge): the words are all there, a line break between some.
    title = indicator.title.text.replace("<br>", " ")
    assert indicator.title.text.startswith("Doubt<br>") and "stronger than all ordinary news in the reference" in title
    assert indicator.gauge.threshold.value == pytest.approx(2.8)  # where it is found
    assert tuple(indicator.gauge.steps[0].range) == (0, 2.8)  # the ordinary-news band
    assert indicator.gauge.axis.range[1] >= 4.26
    assert indicator.gauge.bar.color == theme.ACCENT
    weak = Technique("Doubt", 0.9, strength=0.4, percentile=0.83, found=False)
    assert charts.technique_gauge(weak, cutoff=2.8).data[0].gauge.bar.color == theme.MUTED
    assert "stronger than 83 % of ordinary news" in charts.technique_gauge(weak).data[0].title.text.replace("<br>", " ")
    claude = Technique("Doubt", 0.9, strength=0.4, percentile=None, found=True)
    fig = charts.technique_gauge(claude)
    assert "no ordinary-news reference" in fig.data[0].title.text.replace("<br>", " ") and fig.data[0].gauge.threshold.value is None


def test_persuasion_gauge_shows_the_percentile_and_the_score():
    gauge = charts.persuasion_gauge(Persuasion(score=7.31, percentile=0.964)).data[0]
    title = gauge.title.text.replace("<br>", " ")  # wrapped to fit a narrow column
    assert gauge.value == pytest.approx(96.4) and "score 7.3" in title
    assert "stronger than 96 % of ordinary news" in title
    assert charts.persuasion_gauge(Persuasion(score=7.31, percentile=None)).data[0].value == pytest.approx(7.31)
    # 99.7 % would round to "100 %", which only an article stronger than all the reference may read (percentile_text).
    near_top = charts.persuasion_gauge(Persuasion(score=7.31, percentile=0.997)).data[0]
    assert near_top.number.prefix == "> " and near_top.value == pytest.approx(99.0)
    assert "stronger than over 99 %" in near_top.title.text.replace("<br>", " ")
    top = charts.persuasion_gauge(Persuasion(score=7.31, percentile=1.0)).data[0]
    assert top.number.prefix == "" and top.value == pytest.approx(100.0)
    assert charts.is_empty(charts.persuasion_gauge(None))


def test_technique_profile_lists_all_fourteen_in_corpus_order():
    analysis = make_analysis()
    bar = charts.technique_profile(analysis).data[0]
    assert list(bar.y) == [TECHNIQUE_LABELS[n] for n in reversed(TECHNIQUES)]
    by_label = {t.label: t for t in analysis.techniques}
    assert list(bar.x) == [by_label[label].strength for label in bar.y]
    assert any(by_label[label].found for label in bar.y) and not all(by_label[label].found for label in bar.y)
    # Found techniques carry a marker in their text and a solid bar: not colour alone.
    for label, text, shape in zip(bar.y, bar.text, bar.marker.pattern.shape):
        assert by_label[label].found == text.endswith("● found") == (shape == "")


def test_verdict_mix_counts_and_labels():
    analysis = make_analysis(n_claims=7)
    fig = charts.verdict_mix(analysis)
    counts = analysis.verdict_counts()
    assert [t.name for t in fig.data] == [theme.verdict_text(v) for v in theme.VERDICT_ORDER]
    for trace, verdict in zip(fig.data, theme.VERDICT_ORDER):
        assert list(trace.y) == [counts[verdict]]
        assert trace.marker.color == theme.VERDICT_COLORS[verdict]
        assert trace.marker.pattern.shape == theme.VERDICT_PATTERNS[verdict]
        assert theme.VERDICT_ICONS[verdict] in trace.x[0]
    assert sum(t.y[0] for t in fig.data) == 7


def test_compare_techniques_one_series_per_article_with_pattern():
    analyses = [make_analysis(id=str(i), title=f"Article {i}", seed=i) for i in range(3)]
    fig = charts.compare_techniques(analyses)
    assert sorted(t.name for t in fig.data) == ["Article 0", "Article 1", "Article 2"]
    shapes = {t.marker.pattern.shape for t in fig.data}
    assert len(shapes) == 3
    first = next(t for t in fig.data if t.name == "Article 0")
    doubt = TECHNIQUE_LABELS["Doubt"]
    row = list(first.y).index(doubt)
    technique = next(t for t in analyses[0].techniques if t.name == "Doubt")
    assert first.x[row] == technique.strength and first.text[row] == ("●" if technique.found else "")
    with pytest.raises(ValueError):
        charts.compare_techniques([make_analysis(id=str(i)) for i in range(7)])


def test_compare_techniques_without_any_passage_is_one_line_not_a_page_of_empty_bars():
    quiet = [replace(a, techniques=tuple(replace(t, strength=0.0, found=False) for t in a.techniques))
             for a in (make_analysis(id="q1", title="Q1"), make_analysis(id="q2", title="Q2", seed=2))]
    assert quiet[0].techniques  # scores exist, all of them zero
    fig = charts.compare_techniques(quiet)
    assert charts.is_empty(fig) and fig.layout.annotations[0].text == "No technique passages in any of these articles."
    assert not charts.is_empty(charts.compare_techniques([quiet[0], make_analysis(id="loud", title="Loud", seed=3)]))


def test_compare_verdicts_stacks_counts_per_article():
    analyses = [make_analysis(n_claims=n, id=str(n), title=f"A{n}") for n in (2, 6)]
    fig = charts.compare_verdicts(analyses)
    assert fig.layout.barmode == "stack"
    totals = [sum(trace.y[i] for trace in fig.data) for i in range(2)]
    assert totals == [2, 6]
    assert list(fig.data[0].x) == ["A2", "A6"]


def test_compare_verdicts_counts_read_clearly_in_every_segment():
    """The labels of a long article's one-claim segments shrank to smudges and ran into the next segment (PDF)."""
    analyses = [make_analysis(n_claims=n, id=str(n), title=f"A{n}") for n in (4, 9, 13, 22)]
    fig = charts.compare_verdicts(analyses)
    for trace in fig.data:
        icon = theme.VERDICT_ICONS[next(v for v in Verdict if theme.verdict_text(v) == trace.name)]
        # An empty segment says nothing; every other one says its count, with the verdict's icon.
        assert list(trace.text) == [f"{icon} {count}" if count else "" for count in trace.y]
        assert trace.insidetextanchor == "middle" and trace.textangle == 0 and trace.textposition == "inside"
    # One size for all; a label that does not fit at a readable size is hidden, never shrunk below it.
    assert fig.layout.uniformtext.mode == "hide" and fig.layout.uniformtext.minsize >= 10
    assert 0 in {count for trace in fig.data for count in trace.y}  # the rule above had an empty segment to check
    # A one-claim segment of the longest article holds a label: the font's line and plotly's 3 px pads.
    assert charts.VERDICT_CLAIM_PX >= 1.2 * charts.VERDICT_LABEL_MIN_SIZE + 2 * 3
    base = 460 + (90 if fig.layout.xaxis.tickangle else 0)
    assert charts.VERDICT_BARS_PX + fig.layout.height - base >= charts.VERDICT_CLAIM_PX * 22
    short = charts.compare_verdicts(analyses[:2])
    assert short.layout.height == 460 + (90 if short.layout.xaxis.tickangle else 0)  # short articles: the usual height
    many = charts.compare_verdicts([make_analysis(n_claims=200, id="long", title="Long")])
    assert many.layout.height <= 460 + 90 + charts.VERDICT_MAX_GROWTH  # a very long article cannot stretch it off the page


def test_technique_heatmap_cells_labelled():
    analyses = [make_analysis(id=str(i), title=f"A{i}", seed=i) for i in range(2)]
    heat = charts.technique_heatmap(analyses).data[0]
    assert len(heat.z) == 14 and len(heat.z[0]) == 2
    row = list(heat.y).index(TECHNIQUE_LABELS["Slogans"])
    slogans = next(t for t in analyses[1].techniques if t.name == "Slogans")
    assert heat.z[row][1] == slogans.percentile
    assert heat.text[row][1] == f"{slogans.percentile:.0%}" + (" ●" if slogans.found else "")
    claude = replace(analyses[0], techniques=tuple(replace(t, percentile=None) for t in analyses[0].techniques))
    assert charts.technique_heatmap([claude, analyses[1]]).data[0].text[row][0].startswith("n/a")


def test_six_articles_names_are_slanted_single_lines_so_they_never_overlap():
    """Issue 30: at 1024 px the heat map's six wrapped article names overlapped (a column is about 45 px)."""
    titles = [f"Council approves eastern tram extension, part {i}" for i in range(6)]
    six = [make_analysis(id=str(i), title=title, seed=i) for i, title in enumerate(titles)]
    for fig in (charts.technique_heatmap(six), charts.compare_verdicts(six)):
        names = list(fig.data[0].x)
        assert len(set(names)) == 6 and not any("<br>" in name for name in names)
        assert all(len(name) <= charts.SLANTED_TICK_CHARS + len(" (6)") for name in names)  # alike names numbered
        assert fig.layout.xaxis.tickangle == charts.SLANTED_TICK_ANGLE
    three = charts.technique_heatmap(six[:3])
    assert three.layout.xaxis.tickangle == 0 and all("<br>" in name for name in three.data[0].x)


def test_stance_by_source_type_counts_evidence_items(tmp_path):
    counts = _counts(tmp_path)
    fig = charts.stance_by_source_type(counts.by_source_type)
    assert [t.name for t in fig.data] == ["✔ Supports (counted)", "Leans supports", "– Neutral", "Leans refutes",
                                          "✖ Refutes (counted)"]
    assert sum(sum(t.y) for t in fig.data) == 6 * 2 + 3 * 3
    wiki = list(fig.data[0].x).index("Wikipedia")
    assert fig.data[0].y[wiki] == counts.by_source_type["wikipedia"].get("supports", 0)


def test_the_stance_chart_shows_leaning_evidence_apart_from_what_counted():
    """Issue 27: the Evidence page's chart added passages that did not count (core.verdict.counts) to Supports and
    Refutes; the cards say "Leans supports", and so must the chart, in another colour and pattern."""
    fig = charts.stance_by_source_type({"web": {"supports": 1, "leans supports": 4, "neutral": 2, "leans refutes": 3},
                                        "library": {"refutes": 5}})
    bars = {t.name: dict(zip(t.x, t.y)) for t in fig.data}
    assert bars["✔ Supports (counted)"] == {"Library": 0, "Web": 1} and bars["Leans supports"]["Web"] == 4
    assert bars["✖ Refutes (counted)"] == {"Library": 5, "Web": 0} and bars["Leans refutes"]["Web"] == 3
    assert bars["– Neutral"]["Web"] == 2
    by_name = {t.name: t for t in fig.data}
    for side in ("supports", "refutes"):
        counted, leaning = by_name[f"{theme.stance_text(Stance(side))} (counted)"], by_name[f"Leans {side}"]
        assert counted.marker.color != leaning.marker.color
        assert counted.marker.pattern.shape != leaning.marker.pattern.shape
        assert not any(text.startswith(theme.STANCE_ICONS[Stance(side)]) for text in leaning.text)
    domains = charts.top_domains({"a.example": {"leans supports": 2}, "b.example": {"supports": 1}})
    assert {t.name: sum(t.x) for t in domains.data}["Leans supports"] == 2


def test_evidence_counts_keep_leaning_stances_apart(tmp_path):
    """What the database counts for the chart: a stance that did not count under "leans <stance>"."""
    storage = Storage(tmp_path / "weights.db")
    analysis = make_analysis(n_claims=6, id="a", outlet="Outlet A", url="https://a.example/1")
    storage.save(analysis)
    expected: dict[str, dict[str, int]] = {}
    for claim in analysis.claims:
        for e in claim.evidence:
            key = weighed_stance(e.stance.value, verdict.counts(e, analysis.article))
            expected.setdefault(e.source_type.value, {}).setdefault(key, 0)
            expected[e.source_type.value][key] += 1
    counts = storage.evidence_counts(EvidenceQuery()).by_source_type
    assert counts == expected
    assert any(k.startswith("leans ") for row in counts.values() for k in row)  # the factory has leaning passages


def test_verdicts_by_outlet_counts_claims_not_evidence(tmp_path):
    fig = charts.verdicts_by_outlet(_counts(tmp_path).by_outlet)
    per_outlet = {}
    for trace in fig.data:
        for outlet, value in zip(trace.y, trace.x):
            per_outlet[outlet] = per_outlet.get(outlet, 0) + value
    assert per_outlet == {"Outlet A": 6, "Outlet B": 3}


def test_top_domains_ranks_and_limits(tmp_path):
    counts = _counts(tmp_path).by_domain
    fig = charts.top_domains({**counts, "": {"supports": 99}}, n=2)
    domains = list(fig.data[0].y)
    assert len(domains) == 2 and "" not in domains
    assert all(not d.startswith("www.") for d in domains)
    totals = {d: sum(t.x[i] for t in fig.data) for i, d in enumerate(domains)}
    assert totals[domains[-1]] >= totals[domains[0]]  # most cited on top
    assert evidence_domain("https://WWW.Example.org/x", "Example") == "example.org"
    assert evidence_domain(None, "Pasted outlet") == "Pasted outlet" and evidence_domain(float("nan"), None) == ""


@pytest.mark.parametrize("build", [
    lambda: charts.technique_profile(replace(make_analysis(), techniques=())),
    lambda: charts.verdict_mix(make_analysis(n_claims=0)),
    lambda: charts.compare_techniques([]),
    lambda: charts.compare_verdicts([make_analysis(n_claims=0, id="x"), make_analysis(n_claims=0, id="y")]),
    lambda: charts.technique_heatmap([]),
    lambda: charts.stance_by_source_type({}),
    lambda: charts.verdicts_by_outlet({}),
    lambda: charts.top_domains({}),
])
def test_empty_input_gives_an_annotated_empty_figure(build):
    fig = build()
    assert isinstance(fig, go.Figure)
    assert charts.is_empty(fig)
    assert fig.layout.annotations and fig.layout.annotations[0].text.startswith("No")


def test_untrusted_names_read_literally_in_charts():
    hostile = make_analysis(id="h", title="<b>Bold</b> <a href='https://x.example'>link</a>", outlet="<i>Outlet</i>")
    other = make_analysis(id="o", title="Plain")
    fig = charts.compare_techniques([hostile, other])
    assert fig.data[-1].name.startswith("&lt;b&gt;Bold&lt;/b&gt;") and "<a" not in fig.data[-1].hovertemplate
    outlets = charts.verdicts_by_outlet({"<i>Outlet</i>": {"corroborated": 1}})
    assert list(outlets.data[0].y) == ["&lt;i&gt;Outlet&lt;/i&gt;"]
