"""Library: every stored analysis, with search, filters, open, re-run, delete and compare."""
import pandas as pd
import streamlit as st

from components import data, exports, render
from core.figures import theme
from core import pipeline
from core.engines import ENGINES, engine_status
from core.errors import CrosscheckError
from core.models import Verdict
from core.text import count_noun
from core.sources import SOURCES

st.title("Library")
render.disclaimer()

summaries = data.summaries()
if not summaries:
    st.info("No analyses yet. Analyse an article on the **Analyze** page and it will appear here.")
    st.page_link("views/analyze.py", label="Go to Analyze", icon=":material/search:")
    st.stop()

search_column, outlet_column, engine_column, verdict_column = st.columns([2, 1, 1, 1])
query = search_column.text_input("Search title, outlet or URL", key="library_search").strip().lower()
outlets = sorted({s.outlet for s in summaries if s.outlet})
chosen_outlets = outlet_column.multiselect("Outlet", outlets, key="library_outlets")
chosen_engines = engine_column.multiselect("Engine", sorted({s.engine for s in summaries}), key="library_engines")
chosen_verdicts = verdict_column.multiselect(
    "Has a claim that is", [v.value for v in theme.VERDICT_ORDER], key="library_verdicts",
    format_func=lambda v: theme.verdict_text(Verdict(v)),
)


def matches(summary) -> bool:
    if query and not any(query in field.lower() for field in (summary.title, summary.outlet, summary.url)):
        return False
    if chosen_outlets and summary.outlet not in chosen_outlets:
        return False
    if chosen_engines and summary.engine not in chosen_engines:
        return False
    return not chosen_verdicts or any(summary.verdicts.get(v, 0) for v in chosen_verdicts)


shown = [s for s in summaries if matches(s)]
st.caption(f"{len(shown)} of {count_noun(len(summaries), 'article')} (latest analysis of each)")
table = pd.DataFrame(
    [
        {
            "Title": s.title or "(untitled)", "Outlet": s.outlet, "Published": s.published,
            "Analysed": s.created_at[:16].replace("T", " "), "Engine": s.engine + (" · partial" if s.partial else ""),
            "Techniques found": s.techniques_found, "Top technique": s.top_technique,
            "Persuasion": (f"{s.persuasion_percentile:.0%}".replace("%", " %") if s.persuasion_percentile is not None
                           else "–"),
            "Claims": s.claims,
            **{theme.verdict_text(v): s.verdicts[v.value] for v in theme.VERDICT_ORDER},
            "Runs": s.history, "id": s.id,
        }
        for s in shown
    ]
)
st.dataframe(table, hide_index=True, width="stretch", key="library_table")
if not shown:
    st.info("No stored analysis matches these filters. Clear the search or the filters.")
    st.stop()

labels = {s.id: f"{s.title or '(untitled)'} — {s.outlet or 'unknown outlet'} ({s.id})" for s in shown}
selected = st.multiselect("Select articles", list(labels), format_func=labels.get, key="library_selected",
                          help="Pick one to open, re-run or delete; two to six to compare.")

open_column, rerun_column, delete_column, compare_column = st.columns(4)
if open_column.button("Open", key="library_open", disabled=len(selected) != 1, width="stretch"):
    st.query_params.clear()
    st.session_state["analysis_id"] = selected[0]
    st.switch_page("views/analyze.py")
if compare_column.button("Compare", key="library_compare", disabled=not 2 <= len(selected) <= 6, width="stretch"):
    st.session_state["compare_ids"] = list(selected)
    st.switch_page("views/compare.py")
if delete_column.button("Delete…", key="library_delete", disabled=not selected, width="stretch"):
    st.session_state["confirm_delete"] = list(selected)

pending = st.session_state.get("confirm_delete")
if pending:
    st.warning(f"Delete {len(pending)} stored analysis(es)? This cannot be undone.")
    yes, no = st.columns(2)
    if yes.button("Yes, delete", key="library_delete_confirm", type="primary"):
        for analysis_id in pending:
            try:
                data.storage().delete(analysis_id)
            except CrosscheckError as error:
                render.show_error(error)
        st.session_state.pop("confirm_delete")
        data.analysis_deleted()
        st.rerun()
    if no.button("Cancel", key="library_delete_cancel"):
        st.session_state.pop("confirm_delete")
        st.rerun()

with rerun_column.popover("Re-run…", disabled=len(selected) != 1, width="stretch"):
    settings = data.settings()
    engine = st.selectbox("Engine", ENGINES.names(), key="library_rerun_engine")
    ready, reason = engine_status(engine, settings)
    if not ready:
        st.warning(reason)
    sources = st.multiselect("Sources", SOURCES.names(), default=list(settings.source_names()), key="library_rerun_sources")
    if st.button("Run again", key="library_rerun", disabled=not ready):
        try:
            original = data.analysis(selected[0])
            with st.spinner("Analysing again…"):
                result = pipeline.analyze(pipeline.ArticleInput(original.article), engine=engine, sources=sources,
                                          settings=settings, storage=data.storage())
        except CrosscheckError as error:
            render.show_error(error)
        else:
            st.success(f"New analysis {result.id} stored; the earlier one stays in the history.")

if len(selected) >= 1:
    exports.download_buttons([data.analysis(i) for i in selected], key="library-download")
