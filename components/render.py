"""Streamlit rendering of analyses. Article and evidence text is untrusted: it is
always HTML-escaped before ``st.html`` and Markdown-escaped (components.escape) everywhere else."""
from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from components import data, evidence_cards, review_panels
from components.escape import md_code, md_escape, md_link
from core.errors import CrosscheckError
from core.figures import charts, theme
from core.persuasion import genre_caveat, persuasion_drivers, persuasion_gap
from core.presentation import percentile_text
from core.records import Analysis, Claim, Span, Technique
from core.techniques_catalogue import FOUND_RULE, TECHNIQUE_LABELS
from core.review import Review
from core.source_lines import OFFLINE_HINT, other_warnings, source_lines, unreachable
from core.text import count_noun, shorten

def highlighted_html(text: str, techniques: Sequence[Technique]) -> str:
    """``text`` escaped, each technique's passages marked in its colour and labelled with its name where they start.

    Where passages of several techniques overlap, the region is coloured as the most confident one.
    """
    strength = {t.name: t.confidence for t in techniques}
    spans = [(max(0, s.start), min(len(text), s.end), t.name) for t in techniques for s in t.spans if s.end > s.start]
    cuts = sorted({0, len(text)} | {p for start, end, _ in spans for p in (start, end)})
    # Pieces between consecutive cuts, each with the techniques covering it; neighbours covered alike merge.
    regions: list[tuple[int, int, frozenset[str]]] = []
    for left, right in zip(cuts, cuts[1:]):
        names = frozenset(name for start, end, name in spans if start <= left and right <= end)
        if regions and regions[-1][2] == names:
            regions[-1] = (regions[-1][0], right, names)
        else:
            regions.append((left, right, names))
    # A passage is labelled once, where it starts: labels on every overlap piece would bury the text.
    starts = {(start, name) for start, _end, name in spans}
    return "".join(_region_html(text[left:right], names, strength, {n for n in names if (left, n) in starts})
                   for left, right, names in regions)


def _region_html(fragment: str, names: frozenset[str], strength: dict[str, float], starting: set[str]) -> str:
    if not names:
        return html.escape(fragment)
    ordered = sorted(names, key=lambda n: (-strength[n], n))
    label = ""
    if starting:
        label = (f'<span class="technique-label" style="font-size:0.7rem;font-weight:600;border:1px solid #555;'
                 f'border-radius:0.3rem;padding:0 0.2rem;margin-right:0.2rem;background:#fff">'
                 f'{html.escape(" · ".join(TECHNIQUE_LABELS[n] for n in ordered if n in starting))}</span>')
    return (f'<mark class="technique" style="background:{theme.TECHNIQUE_HIGHLIGHTS[ordered[0]]};padding:0 0.1rem">'
            f"{label}{html.escape(fragment)}</mark>")


def technique_legend_html(techniques: Sequence[Technique]) -> str:
    """A swatch and the name of each technique whose passages are marked."""
    items = [
        f'<span style="display:inline-block;margin:0 0.8rem 0.3rem 0"><span style="display:inline-block;width:0.9rem;'
        f'height:0.9rem;vertical-align:middle;border:1px solid #555;background:{theme.TECHNIQUE_HIGHLIGHTS[t.name]}"></span> '
        f"{html.escape(t.label)}</span>"
        for t in techniques if t.spans
    ]
    return f'<div class="technique-legend" style="font-size:0.85rem">{"".join(items)}</div>' if items else ""


def passage_html(text: str, span: Span, *, context: int = 80) -> str:
    """One passage with a little surrounding context, escaped, the passage marked."""
    left = max(0, span.start - context)
    right = min(len(text), span.end + context)
    before = ("…" if left > 0 else "") + html.escape(text[left:span.start])
    after = html.escape(text[span.end:right]) + ("…" if right < len(text) else "")
    return (
        f'<div style="font-size:0.92rem;line-height:1.45;margin:0.2rem 0 0.5rem 0">{before}'
        f'<mark style="background:#FFE08A">{html.escape(span.text)}</mark>{after} '
        f'<span style="color:#555;font-size:0.8rem">({span.confidence:.0%})</span></div>'
    )


def verdict_badge(claim: Claim) -> str:
    verdict = claim.verdict
    return (
        f'<span style="background:{theme.VERDICT_COLORS[verdict]};color:#fff;border-radius:0.8rem;'
        f'padding:0.1rem 0.6rem;font-weight:600;font-size:0.85rem">{theme.VERDICT_ICONS[verdict]} '
        f"{theme.VERDICT_LABELS[verdict]}</span>"
    )


def disclaimer() -> None:
    st.caption(f":material/warning: {theme.DISCLAIMER}")


def show_error(error: CrosscheckError) -> None:
    st.error(f"**{md_escape(error.message)}**  \n{md_escape(error.hint)}" if error.hint else md_escape(error.message))


def header(analysis: Analysis) -> None:
    article = analysis.article
    st.subheader(md_escape(article.title or "Untitled article"), anchor=False)
    facts = [
        article.outlet or "Unknown outlet",
        f"by {article.author}" if article.author else "author unknown",
        article.published or "date unknown",
    ]
    st.markdown(" · ".join(md_escape(f) for f in facts))
    st.caption(md_escape(article.genre.line), help="What the page itself declares (its schema.org type, section, URL, "
               "title or byline); the genre is never guessed from the text.")
    if article.url:
        st.markdown(md_link(article.url, article.url))
    engine = analysis.engine
    model = f" ({engine.model})" if engine.model else ""
    cost = f" · {md_escape(f'est. cost ${engine.usage.cost_usd:.4f} ({engine.usage.calls} calls)')}" if engine.usage.calls else ""
    st.caption(
        f"Engine **{md_escape(engine.name)}**{md_escape(model)} · sources {md_escape(', '.join(analysis.sources) or 'none')}"
        f" · analysed {md_escape(analysis.analysed_at)} · id {md_code(analysis.id)}{cost}"
    )
    if analysis.partial:
        st.warning("Partial result: some steps failed. See the warnings below.", icon=":material/warning:")
    for warning in other_warnings(analysis):
        st.warning(md_escape(warning))
    source_report(analysis)


SOURCE_STATES = {"skipped": "skipped", "unreachable": "unreachable", "failed": "failed",
                 "partial": "answered only some claims"}


def source_report(analysis: Analysis) -> None:
    """One box, one line per source that was skipped, could not be reached or failed; the offline setting where no
    network was found."""
    lines = source_lines(analysis)
    if not lines:
        return
    text = "  \n".join(f"**{md_escape(line.name)}** {SOURCE_STATES.get(line.state, md_escape(line.state))}: "
                       f"{md_escape(line.detail)}" for line in lines)
    if unreachable(lines):
        text += f"  \n:material/wifi_off: {md_escape(OFFLINE_HINT)}"
    if any(line.state in ("failed", "partial") for line in lines):
        st.warning(text, icon=":material/warning:")
    else:
        st.info(text, icon=":material/info:")


def summary_metrics(analysis: Analysis) -> None:
    counts = analysis.verdict_counts()
    found = analysis.found_techniques()
    persuasion = analysis.persuasion
    read = bool(analysis.techniques or analysis.claims)
    # Each metric as wide as its label, wrapping onto a second line on narrow screens: equal
    # columns cut the labels ("Techniq…", "Corrob…") at 1024 px.
    with st.container(horizontal=True, wrap=True, gap="small"):
        st.metric("Techniques found", len(found) if analysis.techniques else "–", width="content", border=True,
                  help=f"A technique is found when it is {FOUND_RULE}.")
        st.metric(
            "Persuasion",
            "–" if persuasion is None else (f"{persuasion.score:.1f}" if persuasion.percentile is None
                                            else percentile_text(persuasion.percentile)),
            width="content", border=True,
            help=("Stronger than this share of ordinary news: technique passages per 1,000 words, weighted by "
                  "confidence, against a reference of ordinary news articles."),
        )
        st.metric("Claims", len(analysis.claims) if read else "–", width="content", border=True)
        for verdict in theme.VERDICT_ORDER:
            st.metric(theme.verdict_text(verdict), counts[verdict] if read else "–", width="content", border=True)
    # "0 techniques found" beside a high persuasion figure reads as a contradiction on the first screen (issue 28).
    gap = persuasion_gap(analysis.techniques, persuasion)
    if gap:
        st.caption(md_escape(gap))


def techniques(analysis: Analysis, *, show_all: bool = False) -> None:
    """The found techniques as cards, the persuasion gauge beside them; with ``show_all``, every technique."""
    found = analysis.found_techniques()
    gauge_column, text_column = st.columns([1, 2])
    gauge_column.plotly_chart(charts.persuasion_gauge(analysis.persuasion), width="stretch",
                              key=f"persuasion-{analysis.id}", config={"displayModeBar": False})
    text_column.markdown(
        f"A technique is **found** when it is {FOUND_RULE}: almost every long text has a loaded word somewhere, "
        "so that a technique occurs says little. Each card shows the technique's **strength** (its passages per "
        "1,000 words, weighted by their confidence) against the band of ordinary news, and how likely the "
        "technique is to occur at all."
    )
    caveat = genre_caveat(analysis.article.genre, analysis.persuasion)
    if caveat:
        st.info(md_escape(caveat), icon=":material/info:")
    if found:
        _cards(analysis, found)
    else:
        drivers = persuasion_drivers(analysis.techniques, analysis.persuasion)
        st.info(f"No technique stands out against ordinary news in this article ({FOUND_RULE})."
                + (f" {md_escape(drivers)}" if drivers else "")
                + ("" if show_all else " Switch on 'Show all techniques' to see every technique's figures."))
    if show_all:
        st.markdown("##### All 14 techniques")
        table = technique_table(analysis)
        st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3, key=f"techniques-table-{analysis.id}",
                     # Sized to fit 1024 px with the sidebar open, without scrolling sideways.
                     column_config={"Technique": st.column_config.TextColumn(width=252),
                                    "Found": st.column_config.TextColumn(width=50),
                                    "Against ordinary news": st.column_config.TextColumn(
                                        "Percentile", width=66,
                                        help="Stronger than this share of ordinary news (– : no reference for this engine)"),
                                    "Strength": st.column_config.NumberColumn(width=60, help=charts.STRENGTH_UNIT),
                                    "Occurs": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent",
                                                                              width=72),
                                    "Passages": st.column_config.NumberColumn(width=60)})
        rest = [t for t in analysis.techniques if not t.found and t.spans]
        if rest:
            st.markdown("##### Not found, with passages")
            _cards(analysis, rest)


def technique_table(analysis: Analysis) -> pd.DataFrame:
    """Every technique's figures, found ones first, strongest against ordinary news first."""
    ordered = sorted(analysis.techniques, key=lambda t: (not t.found, -(t.percentile or 0.0), -t.strength, -t.confidence))
    return pd.DataFrame([
        {
            "Technique": t.label,
            "Found": "● found" if t.found else "–",
            "Against ordinary news": percentile_text(t.percentile),
            "Strength": round(t.strength, 2),
            "Occurs": t.confidence,
            "Passages": len(t.spans),
        }
        for t in ordered
    ])


def _cards(analysis: Analysis, shown: Sequence[Technique]) -> None:
    per_row = 3
    for row_start in range(0, len(shown), per_row):
        columns = st.columns(per_row)
        for column, technique in zip(columns, shown[row_start:row_start + per_row]):
            with column.container(border=True):
                _technique_card(analysis, technique)


def _technique_card(analysis: Analysis, technique: Technique) -> None:
    st.plotly_chart(charts.technique_gauge(technique, data.found_cutoff(analysis, technique.name)), width="stretch",
                    key=f"gauge-{analysis.id}-{technique.name}", config={"displayModeBar": False})
    st.caption(f"{technique.strength:.1f} {charts.STRENGTH_UNIT} · occurs: {technique.confidence:.0%}".replace("%", " %"))
    st.caption(md_escape(technique.definition))
    if technique.spans:
        with st.popover(count_noun(len(technique.spans), "passage"), width="stretch"):
            for span in sorted(technique.spans, key=lambda s: -s.confidence)[:12]:
                st.html(passage_html(analysis.article.text, span))
    else:
        st.caption("No single passage stands out.")


CLAIM_LABEL_CHARS = 110


def claims(analysis: Analysis, *, expanded_claim: str | None = None, key: str = "claims",
           review: Review | None = None) -> None:
    """Claim cards: the most check-worthy first (Analysis.top_claims), the others behind a toggle; with ``review``,
    the analyst's decisions beside the machine's and the forms to review each claim."""
    if not analysis.claims:
        st.info("No check-worthy factual claims were found in this article.")
        return
    top = analysis.top_claims()
    shown = top
    if len(top) < len(analysis.claims):
        # A claim linked from elsewhere (?claim=) is shown even when it is not among the top ones.
        linked = any(c.id == expanded_claim for c in analysis.claims if c not in top)
        if st.toggle(f"Show all {len(analysis.claims)} claims (the {len(top)} most check-worthy are shown)",
                     key=f"{key}-show-all-claims", value=linked):
            shown = analysis.claims
    for claim in shown:
        claim_card(analysis, claim, expanded=claim.id == expanded_claim, key=key, review=review)


def claim_card(analysis: Analysis, claim: Claim, *, expanded: bool = False, key: str = "claims",
               review: Review | None = None) -> None:
    """One claim: verdict and a one-line label; opened, the whole claim, why, its evidence and, with ``review``,
    the analyst's decisions and the forms to review it."""
    verdict = claim.verdict
    # The label is one line; the whole claim is the first thing in the card's body.
    label = f"{theme.verdict_text(verdict)} · {md_escape(shorten(claim.text, CLAIM_LABEL_CHARS))}"
    label = review_panels.marked_label(label, claim, review)
    confidence = claim.assessment.confidence
    stated = f"confidence {confidence:.0%} · " if confidence is not None else ""
    # Keyed, so that a label the analyst's review changes keeps the card the same card (and open).
    with st.expander(label, expanded=expanded, key=f"{key}-claim-card-{claim.id}"):
        st.html(
            f'<div id="claim-{html.escape(claim.id)}">{verdict_badge(claim)} '
            f'<span style="color:#555">{stated}check-worthiness {claim.checkworthiness:.0%}</span>'
            f'<blockquote style="margin:0.5rem 0;border-left:3px solid #ccc;padding-left:0.6rem">'
            f"{html.escape(claim.text)}</blockquote></div>"
        )
        st.markdown(f"**Why:** {md_escape(claim.assessment.rationale)}")
        evidence_cards.show(claim, analysis.article)
        if review is not None:
            review_panels.claim_panel(analysis, claim, review, key=key)


def full_analysis(analysis: Analysis, *, key: str, linked_claim: str | None = None) -> None:
    """The whole result of one analysis: header, metrics, techniques, claims, disclaimer.

    A claim linked to (``?claim=``) is shown open right under the header, so the link lands on it.
    """
    header(analysis)
    review = review_panels.load(analysis.id)
    # The result comes first, as an analyst reads it; the review of the whole analysis (the reviewed mark, notes,
    # the activity log) follows the claims, with a line here saying where it stands.
    review_panels.status_line(review)
    linked = next((c for c in analysis.claims if c.id == linked_claim), None)
    if linked_claim and linked is None:
        st.warning(f"This analysis has no claim {md_code(linked_claim)}; all its claims are below.")
    if linked is not None:
        st.markdown("#### Linked claim")
        claim_card(analysis, linked, expanded=True, key=f"{key}-linked", review=review)
    # An engine that could not read the article (the local engine on another language, a failed
    # claude read) leaves no techniques: its zero claims are no finding, and say so instead of "0".
    read = bool(analysis.techniques)
    summary_metrics(analysis)
    st.markdown("#### Techniques")
    show_all = False
    if read:
        show_all = st.toggle("Show all techniques", key=f"{key}-show-all",
                             help="Every technique's figures, and all their passages marked in the article text.")
        techniques(analysis, show_all=show_all)
        review_panels.passage_panel(analysis, review, key=key)
    else:
        st.info("This analysis has no technique figures (see the note above).")
    st.markdown("#### Claims")
    if read or analysis.claims:
        claims(analysis, expanded_claim=linked_claim, key=key, review=review)
    else:
        st.info("This analysis has no claims: the engine did not read the article (see the note above).")
    # Keyed, so that switching "Show all techniques" keeps it open.
    with st.expander("Article text with highlighted passages", key=f"{key}-article-text"):
        # The found techniques' passages; with "Show all techniques", every technique's, most of
        # which are no stronger than in ordinary news (the caption says so).
        marked = [t for t in (analysis.techniques if show_all else analysis.found_techniques()) if t.spans]
        if marked:
            st.html(technique_legend_html(marked))
            if show_all:
                st.caption("Passages of every technique the engine saw, found or not: only the found ones stand out "
                           "against ordinary news.")
        elif show_all:
            st.caption("The engine marked no passage in this article.")
        else:
            st.caption("No passage of a found technique to mark. Switch on “Show all techniques” above to see the "
                       "passages of the others.")
        st.html(f'<div style="white-space:pre-wrap;line-height:1.7">{highlighted_html(analysis.article.text, marked)}</div>')
    review_panels.analysis_panel(analysis, review, key=key)
    disclaimer()
