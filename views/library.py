"""Library: every stored analysis, with search, filters, open, re-run, delete and compare."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from components import coverage_view, data, exports, render
from core.engines import ENGINES, engine_status
from core.errors import CrosscheckError
from core.figures import theme
from core.models import Verdict
from core.sources import SOURCES, default_sources
from core.storage import LibraryQuery
from core.text import count_noun

st.title("Library")
render.disclaimer()

PAGE_SIZE = 50
storage = data.storage()
total_articles = storage.count()
if not total_articles:
    st.info("No analyses yet. Analyse an article on the **Analyze** page and it will appear here.")
    st.page_link("views/analyze.py", label="Go to Analyze", icon=":material/search:")
    st.stop()

facets = storage.library_facets()
search_column, outlet_column, engine_column, verdict_column = st.columns([2, 1, 1, 1])
query = search_column.text_input("Search title, outlet or URL", key="library_search").strip()
chosen_outlets = outlet_column.multiselect("Outlet", facets["outlets"], key="library_outlets")
chosen_engines = engine_column.multiselect("Engine", facets["engines"], key="library_engines")
chosen_verdicts = verdict_column.multiselect(
    "Has a claim that is", [v.value for v in theme.VERDICT_ORDER], key="library_verdicts",
    format_func=lambda v: theme.verdict_text(Verdict(v)),
)
filters = LibraryQuery(search=query, outlets=tuple(chosen_outlets), engines=tuple(chosen_engines),
                       verdicts=tuple(chosen_verdicts), limit=PAGE_SIZE)
matching = storage.library_page(replace(filters, limit=0)).total
pages = max(1, -(-matching // PAGE_SIZE))
page_number = st.number_input("Page", min_value=1, max_value=pages, value=1, step=1, key="library_page_number") if pages > 1 else 1
shown = storage.library_page(replace(filters, offset=(int(page_number) - 1) * PAGE_SIZE)).rows
newer = storage.crossrefs.new_evidence([s.id for s in shown])
st.caption(f"{matching} of {count_noun(total_articles, 'article')} (latest analysis of each)"
           + (f" · page {int(page_number)} of {pages}" if pages > 1 else ""))
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
            "Runs": s.history,
            "New evidence": f"{len(newer[s.id].cited)} newer article(s), re-check queued" if s.id in newer else "",
            "id": s.id,
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
    sources = st.multiselect("Sources", SOURCES.names(), default=list(default_sources(settings, engine)),
                             key="library_rerun_sources")
    if st.button("Run again", key="library_rerun", disabled=not ready):
        try:
            job = data.queue().submit_rerun(selected[0], engine=engine, evidence_sources=sources)
        except CrosscheckError as error:
            render.show_error(error)
        else:
            st.success("Re-run queued; the earlier analysis stays in the history.")
            st.page_link("views/analyze.py", label="Follow the re-run and open its result", icon=":material/open_in_new:",
                         query_params={"job": job.id})

if len(selected) >= 1:
    exports.download_buttons([data.analysis(i) for i in selected], key="library-download")
# The article whose coverage is shown stays chosen when a re-check makes another analysis its latest.
if len(selected) == 1:
    st.session_state["library_coverage_for"] = selected[0]
coverage_for = st.session_state.get("library_coverage_for") if len(selected) <= 1 else None
if coverage_for:
    coverage_view.find_other_coverage(data.analysis(coverage_for), key="library-coverage")
