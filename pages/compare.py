"""Compare 2 to 6 articles side by side: technique profiles, verdict mix, shared claims.

The address names the comparison: ``/compare?ids=a,b,c`` opens it, and choosing articles updates it.
"""
import html
from urllib.parse import quote

import streamlit as st

from components import data, exports, render, routing
from core.compare import MAX_ANALYSES, MIN_ANALYSES, SharedClaim, shared_claims
from core.errors import CrosscheckError
from core.figures import charts, theme
from core.presentation import percentile_text
from core.records import Analysis, Stance
from core.storage import LibraryQuery

routing.require_router()
st.title("Compare articles")
render.disclaimer()

# Articles offered at once: the newest ones matching the search (a library of thousands would not fit one list).
OFFERED = 100
storage = data.storage()
if storage.count() < MIN_ANALYSES:
    st.info("Comparing needs at least two analysed articles. Analyse more articles on the **Analyze** page.")
    st.page_link("pages/analyze.py", label="Go to Analyze", icon=":material/search:")
    st.stop()

# On arrival the address says what to compare; afterwards the selection does, and the address follows it.
if "compare_select" not in st.session_state:
    from_address = [i for i in (st.query_params.get("ids") or "").split(",") if i][:MAX_ANALYSES]
    st.session_state["compare_select"] = [s.id for s in storage.summaries(latest_only=False, ids=from_address)
                                          if s.id in from_address]
    st.session_state["compare_select"].sort(key=from_address.index)
search = st.text_input("Find articles by title, outlet or URL", key="compare_search").strip()
offered = storage.library_page(LibraryQuery(search=search, limit=OFFERED)).rows
already = list(st.session_state["compare_select"])
summaries = {s.id: s for s in offered + storage.summaries(latest_only=False, ids=already)}
labels = {i: f"{s.title or '(untitled)'} — {s.outlet or 'unknown outlet'} ({s.id})" for i, s in summaries.items()}
chosen = st.multiselect(
    f"Articles to compare ({MIN_ANALYSES} to {MAX_ANALYSES})", list(labels), format_func=labels.get,
    max_selections=MAX_ANALYSES, key="compare_select", placeholder="Choose articles",
)
if chosen:
    st.query_params["ids"] = ",".join(chosen)
else:
    st.query_params.pop("ids", None)
if len(chosen) < MIN_ANALYSES:
    st.info(f"Choose at least {MIN_ANALYSES} articles.")
    st.stop()

try:
    analyses = [data.analysis(i) for i in chosen]
except CrosscheckError as error:
    render.show_error(error)
    st.stop()


@st.cache_data(show_spinner="Matching claims across articles…", max_entries=32)
def cached_comparison(database: str, ids: tuple[str, ...], _analyses: list):
    """Stored analyses never change, so the database and the ids name a comparison. Claims the library index holds
    keep the vectors it stored: a first visit loads no model for them."""
    return shared_claims(_analyses, storage=data.storage())


def source_line(analysis: Analysis) -> str:
    article = analysis.article
    return f"{article.outlet or 'Unknown outlet'} · {article.published or 'undated'} · {analysis.engine.name}"


# At most three cards a row: more would squeeze titles and counts into slivers at 1024 px.
per_row = min(3, len(analyses))
for start in range(0, len(analyses), per_row):
    for column, analysis in zip(st.columns(per_row), analyses[start:start + per_row]):
        with column.container(border=True):
            st.markdown(f"**{render.md_escape(analysis.article.title or 'Untitled')}**")
            st.caption(render.md_escape(source_line(analysis)))
            counts = analysis.verdict_counts()
            st.markdown(f"{len(analysis.claims)} claims: " + ", ".join(
                f"{theme.verdict_text(v)} {counts[v]}" for v in theme.VERDICT_ORDER if counts[v]) if analysis.claims
                else "No check-worthy claims.")
            found = analysis.found_techniques()
            # Percentiles against ordinary news, short: the cards are narrow at 1024 px.
            st.markdown(f"Techniques found: **{len(found)}**" + (" — " + ", ".join(
                f"{render.md_escape(t.label)} ({render.md_escape(percentile_text(t.percentile))})" for t in found[:5])
                if found else ""))
            if analysis.persuasion is not None and analysis.persuasion.percentile is not None:
                st.caption(f"Persuasive language: stronger than {analysis.persuasion.percentile:.0%} of ordinary news"
                           .replace("%", " %"))

# Full width each: side by side, the heat map's technique names and the stacked bars' article names get cut.
st.plotly_chart(charts.compare_verdicts(analyses), width="stretch", key="compare-verdict-bars")
st.plotly_chart(charts.compare_techniques(analyses), width="stretch", key="compare-techniques")
st.plotly_chart(charts.technique_heatmap(analyses), width="stretch", key="compare-heatmap")

st.subheader("Shared claims", anchor=False)
try:
    comparison = cached_comparison(data.settings().database, tuple(chosen), analyses)
except CrosscheckError as error:
    render.show_error(error)
    st.stop()
by_id = {a.id: a for a in analyses}


def shared_group(number: int, group: SharedClaim) -> None:
    """The claim once, in full; beneath it each article's wording and verdict."""
    with st.container(border=True):
        icon = "⚠" if group.figure_conflicts or group.verdicts_differ else "✔" if group.verdicts_agree else "?"
        # Differing figures one a line: joined into the heading, several read as one run-on sentence at 1024 px.
        heading = "figures differ" if group.figure_conflicts else group.agreement
        st.markdown(f"**Shared claim {number}** · {len(group.mentions)} articles · {icon} {render.md_escape(heading)}")
        if group.figure_conflicts:
            st.html('<ul class="figure-conflicts" style="margin:0 0 0.4rem 1.1rem;padding:0;color:'
                    f'{theme.STANCE_COLORS[Stance.REFUTES]}">'
                    + "".join(f"<li>{html.escape(conflict)}</li>" for conflict in group.figure_conflicts) + "</ul>")
        st.markdown(f"> {render.md_escape(group.text)}")
        for mention in group.mentions:
            analysis = by_id[mention.analysis_id]
            wording = "same wording" if mention.text == group.text else f"“{render.md_escape(mention.text)}”"
            link = f"/?analysis={quote(mention.analysis_id)}&claim={quote(mention.claim_id)}"
            st.markdown(f"- **{render.md_escape(analysis.article.title or 'Untitled')}** "
                        f"({render.md_escape(analysis.article.outlet or 'unknown outlet')}): "
                        f"{theme.verdict_text(mention.verdict)} · {wording} · [open claim]({link})")


if comparison.shared:
    differing = sum(1 for g in comparison.shared if g.verdicts_differ)
    figures = sum(1 for g in comparison.shared if g.figure_conflicts)
    st.caption(f"{len(comparison.shared)} claims made by more than one article; verdicts differ on {differing}, "
               f"figures on {figures}. "
               "Verdicts agree only when each article's claim was decided the same way: unverified is not agreement.")
    for number, group in enumerate(comparison.shared, start=1):
        shared_group(number, group)
else:
    st.info("No claim appears in more than one of these articles.")

st.subheader("Claims only one article makes", anchor=False)
for start in range(0, len(analyses), per_row):
    for column, analysis in zip(st.columns(per_row), analyses[start:start + per_row]):
        unique = comparison.unique_for(analysis.id)
        column.markdown(f"**{render.md_escape(analysis.article.title or 'Untitled')}** ({len(unique)})")
        for mention in unique[:20]:
            column.caption(f"{theme.verdict_text(mention.verdict)} · {render.md_escape(mention.text)}")

exports.download_buttons(analyses, key="compare-download")
render.disclaimer()
