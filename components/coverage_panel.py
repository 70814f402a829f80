"""Find other coverage in the dashboard: list other outlets' articles, analyse the chosen ones as a batch, compare."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data, job_progress, render
from core.compare import MAX_ANALYSES
from core.coverage.finder import Coverage, CoverageBatch, analyse_coverage, find_coverage
from core.engines import ENGINES
from core.errors import CrosscheckError
from core.records import Analysis
from core.sources import default_sources
from core.identity import article_key
from core.job_status import DONE

# Rows offered for analysis at once: the first ones by default, as Compare shows six articles at most.
PRESELECTED = MAX_ANALYSES - 1


def find_other_coverage(analysis: Analysis, *, key: str) -> None:
    """The "Find other coverage" button for one stored analysis, its results, the batch and the way to Compare."""
    state = f"coverage-{analysis.id}"
    if st.button("Find other coverage", key=f"{key}-find", icon=":material/travel_explore:",
                 help="Other outlets' articles on this story: your library, the GDELT news index (one request per 5 s) "
                      "and web search."):
        try:
            with st.spinner("Looking in the library and asking GDELT and web search for the same story…"):
                st.session_state[state] = find_coverage(analysis, settings=data.settings(), storage=data.storage())
        except CrosscheckError as error:
            render.show_error(error)
    coverage: Coverage | None = st.session_state.get(state)
    if coverage is None:
        return
    failures = "; ".join(render.md_escape(note) for note in coverage.notes)
    if coverage.searches_failed:
        st.error(f"**Every search for other coverage failed**, so other outlets' articles are unknown"
                 f"{'' if coverage.items else ', and the library has none on this story'}.  \n{failures}  \n"
                 "Try again later.", icon=":material/error:")
    elif coverage.notes:
        st.warning(f"{failures} — the list may be incomplete.", icon=":material/warning:")
    if not coverage.items:
        if not coverage.searches_failed:
            st.info(f"No other outlet's article on this story was found in the library or by the searches "
                    f"(searched for: {render.md_escape(coverage.query)}).")
        return
    st.caption(f"{len(coverage.items)} other outlets · searched for: {render.md_escape(coverage.query)}")
    table = pd.DataFrame([{
        "Outlet": item.outlet, "Title": item.title or "(no title)", "Date": item.published or "unknown",
        "Language": item.language or "unknown", "Found by": item.found_by,
        "In library": "yes" if item.stored_id else "",
        "Link": item.url or (f"/?analysis={item.stored_id}" if item.stored_id else ""),
    } for item in coverage.items])
    st.dataframe(table, hide_index=True, width="stretch", key=f"{key}-table",
                 column_config={"Link": st.column_config.LinkColumn(display_text="open")})
    labels = {item.key: f"{item.outlet} — {item.title[:80] or item.url}" for item in coverage.items}
    chosen = st.multiselect("Articles to analyse and compare", list(labels), format_func=labels.get,
                            default=list(labels)[:PRESELECTED], max_selections=PRESELECTED, key=f"{key}-chosen")
    engine_column, button_column = st.columns([1, 2])
    engine = engine_column.selectbox("Engine", ENGINES.names(), key=f"{key}-engine")
    if button_column.button(f"Analyse {len(chosen)} as a batch", type="primary", key=f"{key}-analyse", disabled=not chosen):
        items = [item for item in coverage.items if item.key in chosen]
        try:
            st.session_state[f"{state}-batch"] = analyse_coverage(
                items, queue=data.queue(), engine=engine, sources=default_sources(data.settings(), engine))
        except CrosscheckError as error:
            render.show_error(error)
    batch: CoverageBatch | None = st.session_state.get(f"{state}-batch")
    if batch is not None:
        _batch_progress(analysis, batch, key=key)


def _batch_progress(analysis: Analysis, batch: CoverageBatch, *, key: str) -> None:
    storage = data.storage()
    jobs = [storage.jobs.get(job.id) for job in batch.jobs]
    if not all(job.finished for job in jobs):
        _live(batch)
        return
    done = [job.analysis_id for job in jobs if job.status == DONE and job.analysis_id]
    for job in jobs:
        if job.status != DONE:
            job_progress.show_failure(job)
    # The story's own article by its latest analysis: the batch may have re-checked it against the newcomers.
    latest = storage.summaries(article_key=article_key(analysis.article))
    compare = [latest[0].id if latest else analysis.id, *batch.stored_ids, *done][:MAX_ANALYSES]
    st.success(f"Batch {batch.batch_id}: {len(done)} analysed, {len(batch.stored_ids)} already in the library.")
    if len(compare) >= 2 and st.button("Open side by side in Compare", key=f"{key}-compare", icon=":material/compare_arrows:"):
        st.session_state.pop("compare_select", None)  # the address, not an earlier choice, says what to compare
        st.switch_page("pages/compare.py", query_params={"ids": ",".join(compare)})


@st.fragment(run_every=job_progress.REFRESH_SECONDS)
def _live(batch: CoverageBatch) -> None:
    storage = data.storage()
    jobs = [storage.jobs.get(job.id) for job in batch.jobs]
    if all(job.finished for job in jobs):
        st.rerun(scope="app")
    for job in jobs:
        job_progress.progress_line(job)
