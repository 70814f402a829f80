"""Plotly chart builders: pure functions from analyses (or evidence rows) to figures.

The dashboard pages and the PDF reports draw the same figures. Every builder
returns a figure for empty input too, with a note saying what is missing, so
callers never special-case "no data". Verdicts and stances carry icon, label
and pattern besides colour (see ``core.figures.theme``).
"""
from __future__ import annotations

import html

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from ..compare import article_labels
from ..presentation import against_ordinary_news
from ..records import Analysis, Persuasion, SourceType, Stance, Technique, weighed_stance
from ..techniques_catalogue import TECHNIQUES, TECHNIQUE_LABELS
from . import theme

SOURCE_TYPE_LABELS: dict[SourceType, str] = {
    SourceType.LIBRARY: "Library",
    SourceType.WIKIPEDIA: "Wikipedia",
    SourceType.WEB: "Web",
    SourceType.FACTCHECK: "Fact-check",
}


def _plain(texts: Sequence[str]) -> list[str]:
    """Untrusted names (article titles, outlets, domains) as plotly shows them: its text takes some HTML
    (<b>, <a href>, <span style>), so they are escaped to read literally."""
    return [html.escape(text, quote=False) for text in texts]


def _layout(fig: go.Figure, *, title: str | None, height: int, **extra: Any) -> go.Figure:
    fig.update_layout(
        # automargin reserves room for the title, so a legend that wraps pushes the plot down, not onto the title.
        title={"text": title, "x": 0, "xanchor": "left", "yref": "container", "y": 0.99, "yanchor": "top",
               "automargin": True, "pad": {"b": 8}} if title else None,
        height=height,
        margin={"l": 10, "r": 10, "t": 10 if title else 20, "b": 10},
        font={"family": theme.FONT_FAMILY, "size": 12},
        template="plotly_white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0, "title": None},
        **extra,
    )
    return fig


def _marker(color: str | list[str], shape: str | list[str]) -> dict[str, Any]:
    # Sparse patterns keep the count printed inside a bar readable.
    return {"color": color, "pattern": {"shape": shape, "solidity": 0.25, "size": 8}}


def empty_figure(message: str, *, title: str | None = None, height: int = 260) -> go.Figure:
    """A blank chart that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 14, "color": "#555"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title=title, height=height)


def wrap_label(text: str, width: int) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters (a longer word keeps its own line),
    joined with plotly's ``<br>``: plotly never wraps a title or tick label, it cuts it at the figure's edge."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def is_empty(fig: go.Figure) -> bool:
    """True for figures made by ``empty_figure``."""
    return not fig.data


STRENGTH_UNIT = "weighted passages per 1,000 words"
GAUGE_TITLE_CHARS = 16
GAUGE_NOTE_CHARS = 22
# Article names under a stacked bar or a heat-map column, per line: at 1024 px a column is about 80 px wide.
ARTICLE_TICK_CHARS = 14
# Past this many articles a column at 1024 px is too narrow for a wrapped name (six heat-map columns are about
# 45 px each, and the names overlapped): each name is then one slanted line of at most SLANTED_TICK_CHARS.
UPRIGHT_TICKS_MAX = 3
SLANTED_TICK_CHARS = 26
SLANTED_TICK_ANGLE = -40
TECHNIQUE_TICK_CHARS = 24


def technique_gauge(technique: Technique, cutoff: float | None = None) -> go.Figure:
    """One technique card's gauge: its strength, the band of ordinary news below ``cutoff`` (where it is found).

    The number is printed, not only drawn, and the line under the title says where
    the strength stands against ordinary news.
    """
    top = max(technique.strength * 1.15, (cutoff or 0.0) * 1.6, 1.0)
    gauge: dict[str, Any] = {
        "axis": {"range": [0, top], "nticks": 4},
        "bar": {"color": theme.ACCENT if technique.found else theme.MUTED, "thickness": 0.7},
        "bgcolor": "#F2F2F2",
        "borderwidth": 0,
    }
    if cutoff is not None:
        gauge["steps"] = [{"range": [0, cutoff], "color": "#E2E2E2"}]
        gauge["threshold"] = {"line": {"color": "#333", "width": 2}, "thickness": 0.8, "value": cutoff}
    fig = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=round(technique.strength, 2),
            number={"valueformat": ".1f", "font": {"size": 22}},
            # A card is about 175 px wide at 1024 px: long names ("Whataboutism / Straw Man / …") wrap.
            title={"text": f"{wrap_label(technique.label, GAUGE_TITLE_CHARS)}<br><span style='font-size:11px;color:#555'>"
                           f"{wrap_label(against_ordinary_news(technique.percentile), GAUGE_NOTE_CHARS)}</span>",
                   "font": {"size": 13}},
            gauge=gauge,
            domain={"x": [0, 1], "y": [0, 1]},
        )
    )
    fig.update_layout(
        height=235, margin={"l": 35, "r": 35, "t": 110, "b": 5}, font={"family": theme.FONT_FAMILY}, template="plotly_white"
    )
    return fig


def persuasion_gauge(persuasion: Persuasion | None) -> go.Figure:
    """The article's persuasion score against ordinary news: its percentile (0-100), the score printed beneath."""
    title = "Persuasive language"
    if persuasion is None:
        return empty_figure("No persuasion score in this analysis.", title=title, height=190)
    if persuasion.percentile is None:
        indicator = go.Indicator(
            mode="number", value=round(persuasion.score, 2), number={"valueformat": ".1f", "font": {"size": 26}},
            title={"text": f"{title}<br><span style='font-size:11px;color:#555'>"
                           + wrap_label(f"{STRENGTH_UNIT}; no ordinary-news reference for this engine", GAUGE_NOTE_CHARS)
                           + "</span>", "font": {"size": 13}},
        )
    else:
        # Only all of the reference reads "100 %" (as core.presentation.percentile_text): 99.7 reads "> 99 %".
        over_99 = 0.995 <= persuasion.percentile < 1.0
        indicator = go.Indicator(
            mode="gauge+number",
            value=99.0 if over_99 else round(persuasion.percentile * 100, 1),
            number={"prefix": "> " if over_99 else "", "suffix": " %", "valueformat": ".0f", "font": {"size": 22}},
            # Its column is about 180 px wide at 1024 px: the notes wrap rather than run off the figure.
            title={"text": f"{title}<br><span style='font-size:11px;color:#555'>"
                           + wrap_label(against_ordinary_news(persuasion.percentile), GAUGE_NOTE_CHARS) + "<br>"
                           + wrap_label(f"score {persuasion.score:.1f} {STRENGTH_UNIT}", GAUGE_NOTE_CHARS) + "</span>",
                   "font": {"size": 13}},
            gauge={"axis": {"range": [0, 100], "tickvals": [0, 50, 90, 100], "ticksuffix": "%"},
                   "bar": {"color": theme.ACCENT if persuasion.percentile >= 0.9 else theme.MUTED, "thickness": 0.7},
                   "steps": [{"range": [0, 90], "color": "#E2E2E2"}], "bgcolor": "#F2F2F2", "borderwidth": 0},
            domain={"x": [0, 1], "y": [0, 1]},
        )
    fig = go.Figure(indicator)
    fig.update_layout(height=250, margin={"l": 35, "r": 35, "t": 130, "b": 5}, font={"family": theme.FONT_FAMILY},
                      template="plotly_white")
    return fig


def technique_profile(analysis: Analysis) -> go.Figure:
    """Horizontal bars of every technique's strength, in the corpus order; found techniques marked."""
    title = "Propaganda techniques: strength"
    by_name = {t.name: t for t in analysis.techniques}
    techniques = [by_name[n] for n in TECHNIQUES if n in by_name]
    if not techniques:
        return empty_figure("No technique scores in this analysis.", title=title)
    # Plotly draws the first category at the bottom; reverse so the list reads top-down.
    techniques.reverse()
    found = [t.found for t in techniques]
    top = max(t.strength for t in techniques)
    fig = go.Figure(
        go.Bar(
            x=[t.strength for t in techniques],
            y=[t.label for t in techniques],
            orientation="h",
            marker=_marker([theme.ACCENT if f else theme.MUTED for f in found], ["" if f else "/" for f in found]),
            text=[f"{t.strength:.1f}" + (" ● found" if f else "") for t, f in zip(techniques, found)],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_xaxes(range=[0, max(1.0, top) * 1.35], title=f"{STRENGTH_UNIT}<br>(● found)")
    return _layout(fig, title=title, height=120 + 24 * len(techniques))


def verdict_mix(analysis: Analysis) -> go.Figure:
    """How many claims got each verdict."""
    title = "Claims by verdict"
    if not analysis.claims:
        return empty_figure("No check-worthy claims in this analysis.", title=title)
    counts = analysis.verdict_counts()
    fig = go.Figure()
    for verdict in theme.VERDICT_ORDER:
        fig.add_bar(
            x=[theme.verdict_text(verdict)],
            y=[counts[verdict]],
            name=theme.verdict_text(verdict),
            marker=_marker(theme.VERDICT_COLORS[verdict], theme.VERDICT_PATTERNS[verdict]),
            text=[counts[verdict]],
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
        )
    fig.update_yaxes(title="claims", rangemode="tozero", dtick=max(1, max(counts.values()) // 5))
    return _layout(fig, title=title, height=300)


def _check_comparable(analyses: Sequence[Analysis]) -> None:
    if len(analyses) > len(theme.SERIES_COLORS):
        raise ValueError(f"at most {len(theme.SERIES_COLORS)} analyses can be compared, got {len(analyses)}")


def compare_techniques(analyses: Sequence[Analysis]) -> go.Figure:
    """Grouped horizontal bars: each technique's strength in each article; found ones marked ●."""
    title = "Techniques by article"
    _check_comparable(analyses)
    if not analyses or not any(a.techniques for a in analyses):
        return empty_figure("No technique scores to compare.", title=title)
    # A page of empty bars says nothing: when no article has a single technique passage, one line says so.
    if not any(t.strength > 0 or t.found for a in analyses for t in a.techniques):
        return empty_figure("No technique passages in any of these articles.", title=title)
    labels = _plain(article_labels(analyses))
    names = [n for n in TECHNIQUES if any(t.name == n for a in analyses for t in a.techniques)]
    names.reverse()
    fig = go.Figure()
    # Plotly stacks grouped horizontal traces bottom-up; adding them in reverse
    # keeps the first article on top within each group, matching the legend.
    for index in reversed(range(len(analyses))):
        by_name = {t.name: t for t in analyses[index].techniques}
        fig.add_bar(
            x=[by_name[n].strength if n in by_name else 0.0 for n in names],
            y=[TECHNIQUE_LABELS[n] for n in names],
            orientation="h",
            name=labels[index],
            marker=_marker(theme.SERIES_COLORS[index], theme.SERIES_PATTERNS[index]),
            text=["●" if n in by_name and by_name[n].found else "" for n in names],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.2f}<extra>" + labels[index].replace("%", "%%") + "</extra>",
        )
    fig.update_xaxes(rangemode="tozero", title=f"{STRENGTH_UNIT}<br>(● found)")
    return _layout(fig, title=title, height=140 + len(names) * (10 + 9 * len(analyses)), barmode="group",
                   legend_traceorder="reversed")


# The smallest count label in a stacked verdict bar (px): the PDF's 0.75 scale still leaves it readable.
VERDICT_LABEL_MIN_SIZE = 11
# A one-claim segment holds its label (the font, its line height and plotly's 3 px pad above and below) in
# about 20 px. The chart grows for long articles until one claim gets that much, up to VERDICT_MAX_GROWTH px;
# about 300 px of the base height are bars, the rest title, legend and article names.
VERDICT_CLAIM_PX = 20
VERDICT_BARS_PX = 300
VERDICT_MAX_GROWTH = 300


def compare_verdicts(analyses: Sequence[Analysis]) -> go.Figure:
    """Stacked bars: claims per verdict, one bar per article."""
    title = "Verdicts by article"
    _check_comparable(analyses)
    if not analyses or not any(a.claims for a in analyses):
        return empty_figure("No claims to compare.", title=title)
    labels, angle = _article_ticks(analyses)
    counts = [a.verdict_counts() for a in analyses]
    fig = go.Figure()
    for verdict in theme.VERDICT_ORDER:
        values = [c[verdict] for c in counts]
        fig.add_bar(
            x=labels,
            y=values,
            name=theme.verdict_text(verdict),
            marker=_marker(theme.VERDICT_COLORS[verdict], theme.VERDICT_PATTERNS[verdict]),
            text=[f"{theme.VERDICT_ICONS[verdict]} {v}" if v else "" for v in values],
            textposition="inside",
            # Centred and level: at the segment's top edge a label ran into the segment above.
            insidetextanchor="middle",
            textangle=0,
        )
    fig.update_yaxes(title="claims")
    fig.update_xaxes(tickangle=angle, automargin=True)
    # The legend of five verdicts wraps onto two or three rows in a half-width column; the bars keep their height.
    # One size for every count: plotly shrank a label to fit a one-claim segment until it was an illegible smudge;
    # a label that does not fit at VERDICT_LABEL_MIN_SIZE is hidden instead (hovering shows it, the axis measures it).
    growth = min(VERDICT_MAX_GROWTH, max(0, VERDICT_CLAIM_PX * max(sum(c.values()) for c in counts) - VERDICT_BARS_PX))
    return _layout(fig, title=title, height=460 + (90 if angle else 0) + growth, barmode="stack", legend_traceorder="normal",
                   uniformtext={"minsize": VERDICT_LABEL_MIN_SIZE, "mode": "hide"})


def technique_heatmap(analyses: Sequence[Analysis]) -> go.Figure:
    """Technique × article grid: how each technique's strength ranks against ordinary news (its percentile).

    Each cell is labelled with the percentage, ● where the technique is found; a
    technique without a reference (another engine) is labelled "n/a".
    """
    title = "Techniques against ordinary news (percentile), by article"
    if not analyses or not any(a.techniques for a in analyses):
        return empty_figure("No technique scores to compare.", title=title)
    labels, angle = _article_ticks(analyses)
    names = [n for n in TECHNIQUES if any(t.name == n for a in analyses for t in a.techniques)]
    by_name = [{t.name: t for t in a.techniques} for a in analyses]
    z = [[(s[n].percentile if n in s else None) for s in by_name] for n in names]

    def cell(technique: Technique | None) -> str:
        if technique is None:
            return ""
        if technique.percentile is None:
            return "n/a" + (" ●" if technique.found else "")
        return f"{technique.percentile:.0%}" + (" ●" if technique.found else "")

    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=[wrap_label(TECHNIQUE_LABELS[n], TECHNIQUE_TICK_CHARS) for n in names],
            zmin=0,
            zmax=1,
            colorscale=theme.CONFIDENCE_SCALE,
            text=[[cell(s.get(n)) for s in by_name] for n in names],
            texttemplate="%{text}",
            hovertemplate="%{y} · %{x}: stronger than %{z:.0%} of ordinary news<extra></extra>",
            colorbar={"tickformat": ".0%", "title": {"text": "pct."}},
            xgap=2,
            ygap=2,
        )
    )
    # automargin: the y labels (up to "Whataboutism / Straw Man / Red Herring") get the room they need
    # instead of being cut at the figure's left edge.
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(tickangle=angle, automargin=True, side="bottom")
    return _layout(fig, title=title, height=180 + 34 * len(names) + (90 if angle else 0))


def _article_ticks(analyses: Sequence[Analysis]) -> tuple[list[str], int]:
    """The articles' names under their columns, and the angle to write them at: upright and wrapped for a few
    articles, slanted and on one line for more, so that neighbouring names never overlap."""
    names = _plain(article_labels(analyses, max_chars=SLANTED_TICK_CHARS if len(analyses) > UPRIGHT_TICKS_MAX else 32))
    if len(analyses) > UPRIGHT_TICKS_MAX:
        return names, SLANTED_TICK_ANGLE
    return [wrap_label(name, ARTICLE_TICK_CHARS) for name in names], 0


# The stacks from the bottom: what counted for a claim, what only leaned its way, then the rest; each side's counted
# and leaning evidence beside each other, so a lean is never added to the counted "Supports" or "Refutes".
WEIGHED_STANCES: tuple[tuple[Stance, bool], ...] = (
    (Stance.SUPPORTS, True), (Stance.SUPPORTS, False), (Stance.NEUTRAL, True), (Stance.REFUTES, False),
    (Stance.REFUTES, True))


def _weighed_series(stance: Stance, counted: bool) -> tuple[str, dict[str, Any], str]:
    """(legend name, marker, icon for the counts in the bars) of a stance by its weight."""
    if stance == Stance.NEUTRAL:
        return theme.stance_text(stance), _marker(theme.STANCE_COLORS[stance], theme.STANCE_PATTERNS[stance]), "–"
    if counted:
        return (f"{theme.stance_text(stance)} (counted)",
                _marker(theme.STANCE_COLORS[stance], theme.STANCE_PATTERNS[stance]), theme.STANCE_ICONS[stance])
    return theme.leaning_text(stance), _marker(theme.LEANING_COLORS[stance], theme.LEANING_PATTERN), ""


def _stacked_by_stance(counts: Mapping[str, Mapping[str, int]], categories: list[str], *, horizontal: bool) -> go.Figure:
    """Counts by weighed stance (records.weighed_stance: "supports", "leans supports", ...) stacked per category."""
    fig = go.Figure()
    for stance, counted in WEIGHED_STANCES:
        key = weighed_stance(stance.value, counted)
        values = [counts[c].get(key, 0) for c in categories]
        bar: dict[str, Any] = {"x": _plain(categories), "y": values}
        if horizontal:
            bar = {"x": values, "y": _plain(categories), "orientation": "h"}
        name, marker, icon = _weighed_series(stance, counted)
        # On a pale tint plotly's own text colour reads grey on the dots: dark text, as on the leaning cards.
        font = {"color": theme.LEANING_TEXT} if marker["color"] in theme.LEANING_COLORS.values() else None
        fig.add_bar(**bar, name=name, marker=marker, text=[f"{icon} {v}".strip() if v else "" for v in values],
                    textposition="inside", textfont=font)
    return fig


# The builders below take counts computed in the database (core.storage.EvidenceCounts):
# {category: {stance or verdict value: count}}, so a page never loads every row to draw them.

def stance_by_source_type(counts: Mapping[str, Mapping[str, int]]) -> go.Figure:
    """Evidence per source type, stacked by the stance it takes on its claim and whether that counted toward the verdict."""
    title = "Evidence stance by source type"
    present = {SOURCE_TYPE_LABELS[SourceType(kind)]: by_stance for kind, by_stance in counts.items() if sum(by_stance.values())}
    if not present:
        return empty_figure("No evidence stored yet.", title=title)
    categories = [SOURCE_TYPE_LABELS[s] for s in SourceType if SOURCE_TYPE_LABELS[s] in present]
    fig = _stacked_by_stance(present, categories, horizontal=False)
    fig.update_yaxes(title="evidence items")
    return _layout(fig, title=title, height=340, barmode="stack", legend_traceorder="normal")


def verdicts_by_outlet(counts: Mapping[str, Mapping[str, int]]) -> go.Figure:
    """Distinct claims per article outlet, stacked by verdict."""
    title = "Claim verdicts by outlet"
    present = {outlet or "unknown outlet": by_verdict for outlet, by_verdict in counts.items() if sum(by_verdict.values())}
    if not present:
        return empty_figure("No checked claims stored yet.", title=title)
    outlets = sorted(present, key=lambda o: (sum(present[o].values()), o))
    fig = go.Figure()
    for verdict in theme.VERDICT_ORDER:
        values = [present[o].get(verdict.value, 0) for o in outlets]
        fig.add_bar(
            x=values,
            y=_plain(outlets),
            orientation="h",
            name=theme.verdict_text(verdict),
            marker=_marker(theme.VERDICT_COLORS[verdict], theme.VERDICT_PATTERNS[verdict]),
            text=[f"{theme.VERDICT_ICONS[verdict]} {v}" if v else "" for v in values],
            textposition="inside",
        )
    fig.update_xaxes(title="claims")
    return _layout(fig, title=title, height=140 + 30 * len(outlets), barmode="stack", legend_traceorder="normal")


def top_domains(counts: Mapping[str, Mapping[str, int]], n: int = 10) -> go.Figure:
    """The ``n`` web domains cited most often as evidence, stacked by stance, counted apart from leaning."""
    title = f"Top {n} evidence domains"
    present = {domain: by_stance for domain, by_stance in counts.items() if domain and sum(by_stance.values())}
    if not present:
        return empty_figure("No evidence with a web address stored yet.", title=title)
    ranked = sorted(present, key=lambda d: (-sum(present[d].values()), d))[:n]
    ranked.reverse()  # most cited on top
    fig = _stacked_by_stance(present, ranked, horizontal=True)
    fig.update_xaxes(title="evidence items")
    return _layout(fig, title=title, height=140 + 28 * len(ranked), barmode="stack", legend_traceorder="normal")
