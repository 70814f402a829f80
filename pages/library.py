"""Library: every stored analysis, with search and filters; choose rows in the table to open, re-run, delete,
compare, export them or see an article's run history."""
from dataclasses import replace

import pandas as pd
import streamlit as st

from components import coverage_panel, data, exports, history_panel, render, review_panels, routing
from core.compare import MAX_ANALYSES, MIN_ANALYSES
from core.engines import ENGINES, engine_status
from core.errors import CrosscheckError
from core.figures import theme
from core.records import Verdict
from core.sources import SOURCES, default_sources
from core.storage import AnalysisSummary, LibraryQuery
from core.job_status import DONE
from core.text import count_noun

routing.require_router()
st.title("Library")
render.disclaimer()

PAGE_SIZE = 50
storage = data.storage()
total_articles = storage.count()
if not total_articles:
    st.info("No analyses yet. Analyse an article on the **Analyze** page and it will appear here.")
    st.page_link("pages/analyze.py", label="Go to Analyze", icon=":material/search:")
    st.stop()

facets = storage.library_facets()
# The search on its own row: four columns in one leave the filters' placeholders cut at 1024 px.
query = st.text_input("Search title, outlet or URL", key="library_search").strip()
outlet_column, engine_column, verdict_column = st.columns(3)
chosen_outlets = outlet_column.multiselect("Outlet", facets["outlets"], key="library_outlets", placeholder="All outlets")
chosen_engines = engine_column.multiselect("Engine", facets["engines"], key="library_engines", placeholder="All engines")
chosen_verdicts = verdict_column.multiselect(
    "Has a claim that is", [v.value for v in theme.VERDICT_ORDER], key="library_verdicts", placeholder="Any verdict",
    format_func=lambda v: theme.verdict_text(Verdict(v)),
)
filters = LibraryQuery(search=query, outlets=tuple(chosen_outlets), engines=tuple(chosen_engines),
                       verdicts=tuple(chosen_verdicts), limit=PAGE_SIZE)
matching = storage.library_page(replace(filters, limit=0)).total
pages = max(1, -(-matching // PAGE_SIZE))
page_number = st.number_input("Page", min_value=1, max_value=pages, value=1, step=1, key="library_page_number") if pages > 1 else 1
shown = storage.library_page(replace(filters, offset=(int(page_number) - 1) * PAGE_SIZE)).rows
newer = storage.crossrefs.new_evidence([s.id for s in shown])
story_of = storage.stories.stories_of([s.id for s in shown])  # the Library browsed by story (issue 31)
# Both on the left: the table's toolbar, shown over the right end of the line above the table, covered the toggle.
with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
    # The columns that fit at 1024 px; the others (date analysed, runs, top technique, verdict counts, engine,
    # date published) on request.
    more_columns = st.toggle("More columns", key="library_more_columns", width="content",
                             help="Show the date analysed, the number of runs, the top technique, the engine, the date "
                                  "published and the claims per verdict.")
    st.caption(f"{matching} of {count_noun(total_articles, 'article')} (latest analysis of each)"
               + (f" · page {int(page_number)} of {pages}" if pages > 1 else ""), width="content")


def row(s: AnalysisSummary) -> dict:
    main = {"Title": s.title or "(untitled)", "Outlet": s.outlet,
            "Techniques found": s.techniques_found,
            "Persuasion": (f"{s.persuasion_percentile:.0%}".replace("%", " %") if s.persuasion_percentile is not None
                           else "–"),
            "Claims": s.claims}
    if newer:
        main["New evidence"] = f"{len(newer[s.id].cited)} newer, re-check queued" if s.id in newer else ""
    if more_columns:
        main |= {"Analysed": s.created_at[:10], "Runs": s.history, "Top technique": s.top_technique, "Engine": s.engine + (" · partial" if s.partial else ""),
                 "Published": s.published, "Story": f"/story?id={story_of[s.id]}" if s.id in story_of else None,
                 **{theme.verdict_text(v): s.verdicts[v.value] for v in theme.VERDICT_ORDER}}
    return main


table = pd.DataFrame([row(s) for s in shown])
# A selection is kept as row positions: when the rows change (a search, a new analysis), the same
# positions would silently name other articles, so the selection starts afresh.
listed = [s.id for s in shown]
if st.session_state.get("library_listed") != listed:
    st.session_state["library_listed"] = listed
    st.session_state["library_table"] = {"selection": {"rows": [], "columns": [], "cells": []}}
event = st.dataframe(
    table, hide_index=True, width="stretch", key="library_table", on_select="rerun", selection_mode="multi-row",
    # Widths in pixels that add up to the table's width at 1024 px with the sidebar open (about 560): the title gets
    # what the date analysed (under More columns) left, about 40 characters.
    column_config={"Title": st.column_config.TextColumn(width=250), "Outlet": st.column_config.TextColumn(width=96),
                   "Analysed": st.column_config.TextColumn(width=88),
                   "Techniques found": st.column_config.NumberColumn("Found", width=52,
                                                                    help="Techniques found: used more strongly than in "
                                                                         "nearly all ordinary news"),
                   "Persuasion": st.column_config.TextColumn(width=78,
                                                             help="Persuasive language: stronger than this share of "
                                                                  "ordinary news"),
                   "Claims": st.column_config.NumberColumn(width=52),
                   "Runs": st.column_config.NumberColumn(width="small"),
                   "Story": st.column_config.LinkColumn(display_text=r"/story\?id=(\d+)")},
)
if not shown:
    st.info("No stored analysis matches these filters. Clear the search or the filters.")
    st.stop()

selected_rows = [shown[i] for i in event.selection.rows if i < len(shown)]
selected = [s.id for s in selected_rows]
if not selected:
    st.caption("Tick one article to open, re-run, delete it or see its run history; two to six to compare them.")
else:
    st.markdown("**Selected:** " + "; ".join(render.md_escape(f"{s.title or '(untitled)'} ({s.outlet or 'unknown outlet'})")
                                             for s in selected_rows))

    if len(selected_rows) == 1 and selected[0] in story_of:
        st.page_link("pages/story.py", label="Its story across outlets", icon=":material/newspaper:",
                     query_params={"id": str(story_of[selected[0]])})

open_column, rerun_column, delete_column, compare_column = st.columns(4)
if open_column.button("Open", key="library_open", disabled=len(selected) != 1, width="stretch", icon=":material/open_in_new:"):
    st.switch_page("pages/analyze.py", query_params={"analysis": selected[0]})
if compare_column.button("Compare", key="library_compare", disabled=not MIN_ANALYSES <= len(selected) <= MAX_ANALYSES,
                         width="stretch", icon=":material/compare_arrows:"):
    st.switch_page("pages/compare.py", query_params={"ids": ",".join(selected)})
if delete_column.button("Delete…", key="library_delete", disabled=not selected, width="stretch", icon=":material/delete:"):
    st.session_state["confirm_delete"] = selected

pending = st.session_state.get("confirm_delete")
if pending and pending != selected:
    st.session_state.pop("confirm_delete")  # the choice changed under the question: ask again
    pending = None
if pending:
    with st.container(border=True):
        single = selected_rows[0] if len(selected_rows) == 1 else None
        whole = True
        if single is not None and single.history > 1:
            scope = st.radio("Delete", [f"the article with all its {single.history} runs",
                                        f"only its latest run (analysed {history_panel.run_label(single)})"],
                             key="library_delete_scope")
            whole = scope.startswith("the article")
        names = "; ".join(f"“{s.title or '(untitled)'}” ({s.outlet or 'unknown outlet'})" for s in selected_rows)
        runs = sum(s.history for s in selected_rows)
        what = (f"{names}, with all {count_noun(runs, 'run')}" if whole
                else f"the latest run of {names}; its {count_noun(single.history - 1, 'earlier run')} stay")
        st.warning(f"Delete {render.md_escape(what)}? This cannot be undone.", icon=":material/delete_forever:")
        yes, no = st.columns(2)
        # The deletion is recorded with who made it (and the review it ends): the signed-in user, or the name set.
        deleter = review_panels.reviewer()
        if deleter is None:
            st.info("Deletions are recorded with who made them: sign in, or give your name here.")
            # Its own key, copied into the analyst's name: a widget's key is forgotten once the widget is not
            # drawn, and it is not drawn once a name is given.
            st.text_input("Your name", key="library_deleter_name", placeholder="recorded with the deletion",
                          on_change=lambda: review_panels.set_name(st.session_state["library_deleter_name"]))
        if yes.button("Yes, delete", key="library_delete_confirm", type="primary", disabled=deleter is None):
            for summary in selected_rows:
                try:
                    if whole:
                        storage.delete_article(summary.article_key, deleted_by=deleter)
                    else:
                        storage.delete(summary.id, deleted_by=deleter)
                except CrosscheckError as error:
                    render.show_error(error)
            st.session_state.pop("confirm_delete")
            st.session_state.pop("library_table", None)  # the deleted rows are not selected any more
            data.analysis_deleted()
            st.rerun()
        if no.button("Cancel", key="library_delete_cancel"):
            st.session_state.pop("confirm_delete")
            st.rerun()

with rerun_column.popover("Re-run…", disabled=len(selected) != 1, width="stretch", icon=":material/refresh:"):
    settings = data.settings()
    engine = st.selectbox("Engine", ENGINES.names(), key="library_rerun_engine")
    ready, reason = engine_status(engine, settings)
    if not ready:
        st.warning(reason)
    sources = st.multiselect("Sources", SOURCES.names(), default=list(default_sources(settings, engine)),
                             key="library_rerun_sources", placeholder="No evidence sources")
    if st.button("Run again", key="library_rerun", disabled=not ready):
        try:
            job = data.queue().submit_rerun(selected[0], engine=engine, evidence_sources=sources)
        except CrosscheckError as error:
            render.show_error(error)
        else:
            st.session_state["library_rerun_job"] = job.id

# The re-run's result, once there; until then the Analyze page follows the job to it.
rerun_job = st.session_state.get("library_rerun_job")
if rerun_job:
    try:
        job = storage.jobs.get(rerun_job)
    except CrosscheckError:
        st.session_state.pop("library_rerun_job")
    else:
        if job.status == DONE and job.analysis_id:
            st.success("Re-run finished; the earlier analysis stays in the history.", icon=":material/check:")
            st.page_link("pages/analyze.py", label="Open the re-run's result", icon=":material/open_in_new:",
                         query_params={"analysis": job.analysis_id})
        else:
            st.success("Re-run queued; the earlier analysis stays in the history.")
            st.page_link("pages/analyze.py", label="Follow the re-run and open its result", icon=":material/open_in_new:",
                         query_params={"job": job.id})

if selected:
    exports.download_buttons([data.analysis(i) for i in selected], key="library-download")
if len(selected_rows) == 1:
    article = selected_rows[0]
    st.markdown(f"#### Run history ({count_noun(article.history, 'run')})")
    history_panel.run_history(article.article_key, key="library-history")
# The article whose coverage is shown stays chosen when a re-check makes another analysis its latest.
if len(selected) == 1:
    st.session_state["library_coverage_for"] = selected[0]
coverage_for = st.session_state.get("library_coverage_for") if len(selected) <= 1 else None
if coverage_for and storage.exists(coverage_for):
    coverage_panel.find_other_coverage(data.analysis(coverage_for), key="library-coverage")
