"""Find other coverage on the Story page: other outlets' articles the story does not hold yet, and adding chosen ones.

The search is core.stories.coverage (the library, GDELT and web search, as Analyze's "Find other coverage");
the chosen articles are analysed as one batch of background jobs, stored like every analysis, and each joins
the story it fits as it is saved. The panel follows the batch and then says where each article went.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from components import data, job_progress, render
from core.coverage.finder import CoverageBatch, CoverageItem, analyse_coverage
from core.engines import ENGINES
from core.errors import CrosscheckError
from core.job_status import DONE
from core.sources import default_sources
from core.storage.jobs import Job
from core.stories.coverage import StoryCoverage, find_story_coverage
from core.text import count_noun


@dataclass(frozen=True)
class AddedBatch:
    """The articles an analyst chose to add, and the batch of jobs analysing them (one job each, in their order)."""

    urls: tuple[str, ...]
    batch: CoverageBatch


def _found_key(story_id: int) -> str:
    return f"story_coverage_found_{story_id}"


def _batch_key(story_id: int) -> str:
    return f"story_coverage_batch_{story_id}"


def panel(story_id: int) -> None:
    """The "Find other coverage" button of story ``story_id``, what it found, and the batch that adds chosen ones."""
    if st.button("Find other coverage", key="story_coverage_find", icon=":material/travel_explore:",
                 help="Other outlets' articles on this story that it does not hold yet: your library, the GDELT news "
                      "index (one request per 5 s) and web search, asked for the story's first analysed article."):
        try:
            with st.spinner("Looking in the library and asking GDELT and web search for this story…"):
                st.session_state[_found_key(story_id)] = find_story_coverage(data.storage(), story_id,
                                                                             settings=data.settings())
        except CrosscheckError as error:
            render.show_error(error)
    added: AddedBatch | None = st.session_state.get(_batch_key(story_id))
    if added is not None:
        _batch_outcome(story_id, added)
    found: StoryCoverage | None = st.session_state.get(_found_key(story_id))
    if found is not None:
        _candidates(story_id, found, added)


def _search_messages(found: StoryCoverage) -> None:
    """What failed (every search, or some: the list may be incomplete), or that nothing new was found."""
    coverage = found.coverage
    # Each note is a sentence of its own; joined, only the last keeps its full stop.
    failures = "; ".join(render.md_escape(note.rstrip(".")) for note in coverage.notes)
    if coverage.searches_failed:
        st.error(f"**Every search for other coverage failed**, so other outlets' articles are unknown"
                 f"{'' if found.candidates else ', and the library has none on this story that it does not hold'}.  \n"
                 f"{failures}.  \nTry again later.", icon=":material/error:")
    elif coverage.notes:
        st.warning(f"{failures} — the list may be incomplete.", icon=":material/warning:")
    already = (f" ({count_noun(found.left_out, 'article')} found {'is' if found.left_out == 1 else 'are'} in it already)"
               if found.left_out else "")
    if not found.candidates and not coverage.searches_failed:
        st.info(f"No other outlet's article on this story was found that it does not hold{already} "
                f"(searched for: {render.md_escape(coverage.query)}).")
    elif found.candidates:
        st.caption(f"{count_noun(len(found.candidates), 'article')} not in this story{already} · searched for: "
                   f"{render.md_escape(coverage.query)}")


# The Title column's width in pixels, about how many characters a line of it holds, and a line's height.
TITLE_WIDTH = 189
TITLE_LINE_CHARS = 24
LINE_PX = 20
MAX_LINES = 8  # a longer title is cut after these (its cell opens whole when clicked)
WRAPPING_PX = 65  # the table wraps text in rows taller than 64 px only


def title_row_height(titles: list[str]) -> int | None:
    """A row height that shows the longest title whole, wrapped (up to MAX_LINES lines); None (one line, the
    table's own height) when every title fits on one."""
    lines = min(MAX_LINES, max((-(-len(title) // TITLE_LINE_CHARS) for title in titles), default=1))
    return None if lines <= 1 else max(WRAPPING_PX, lines * LINE_PX + 16)


def _link(url: str) -> str | None:
    """A found address as a link only when it is a web page: a search result is untrusted text."""
    return url if url.startswith(("http://", "https://")) else None


def _found_by(item: CoverageItem) -> str:
    """Where an article was found, and that it is stored already when a search (not the library) found it."""
    return item.found_by + (" · in library" if item.stored_id and item.found_by != "library" else "")


def _candidates(story_id: int, found: StoryCoverage, added: AddedBatch | None) -> None:
    _search_messages(found)
    if not found.candidates:
        return
    # Untrusted titles and outlets stay table cells (text, never Markdown or HTML). Widths that add up to the
    # panel's width at 1024 px, so that every column shows there; a search result's title is long: rows tall enough
    # for it to wrap (the table wraps text only in rows over 64 px), so that it is read whole.
    st.dataframe(pd.DataFrame([{
        "Outlet": item.outlet, "Title": item.title or "(no title)", "Date": item.published or "unknown",
        "Found by": _found_by(item),
                # An empty cell, not None (which a table prints as "None").
        "Its story": f"/story?id={found.story_of(item)}" if found.story_of(item) else "",
        "Link": _link(item.url) or (f"/?analysis={item.stored_id}" if item.stored_id else ""),
    } for item in found.candidates]), hide_index=True, width="stretch", key="story_coverage_table",
        row_height=title_row_height([item.title or "(no title)" for item in found.candidates]), column_config={
        "Outlet": st.column_config.TextColumn(width=100),
        "Title": st.column_config.TextColumn(width=TITLE_WIDTH),
        "Date": st.column_config.TextColumn(width=84),
        "Found by": st.column_config.TextColumn(width=70, help="library, gdelt or web (provider); "
                                                                 "“in library”: found by a search and stored already"),
        "Its story": st.column_config.LinkColumn(display_text=r"/story\?id=(\d+)", width=56,
                                                 help="The story of the library an article already stored is in"),
        "Link": st.column_config.LinkColumn(display_text="open", width=46)})
    if any(item.stored_id for item in found.candidates):
        st.caption("Articles already in the library are in another story: open it to move them here or merge it "
                   "(Correct this story).")
    offered = [item for item in found.new if item.url not in (added.urls if added else ())]
    if not offered:
        return
    labels = {item.url: f"{item.outlet} — {item.title[:80] or item.url}" for item in offered}
    chosen = st.multiselect("Articles to analyse and add", list(labels), format_func=labels.__getitem__,
                            key="story_coverage_chosen", placeholder="choose the articles to add")
    engine_column, button_column = st.columns([1, 2])
    engine = engine_column.selectbox("Engine", ENGINES.names(), key="story_coverage_engine")
    if button_column.button(f"Analyse and add {count_noun(len(chosen), 'article')}", type="primary",
                            key="story_coverage_add", disabled=not chosen, icon=":material/playlist_add:"):
        items = [item for item in offered if item.url in chosen]
        try:
            batch = analyse_coverage(items, queue=data.queue(), engine=engine,
                                     sources=default_sources(data.settings(), engine))
        except CrosscheckError as error:
            render.show_error(error)
            return
        st.session_state[_batch_key(story_id)] = AddedBatch(tuple(item.url for item in items), batch)
        st.session_state.pop("story_coverage_chosen", None)
        st.rerun()


def _jobs(added: AddedBatch) -> list[Job]:
    storage = data.storage()
    return [storage.jobs.get(job.id) for job in added.batch.jobs]


def _batch_outcome(story_id: int, added: AddedBatch) -> None:
    """The batch's progress while it runs; then where each analysed article went, and each failure with its reason."""
    try:
        jobs = _jobs(added)
    except CrosscheckError as error:
        render.show_error(error)
        return
    if not all(job.finished for job in jobs):
        _live(added)
        return
    done = [job for job in jobs if job.status == DONE and job.analysis_id]
    landed = data.storage().stories.stories_of([job.analysis_id for job in done if job.analysis_id])
    joined = {job.id for job in done if landed.get(job.analysis_id or "") == story_id}
    if done:
        st.success(f"Batch {added.batch.batch_id}: {count_noun(len(done), 'article')} analysed and stored, "
                   f"{len(joined)} joined this story.", icon=":material/check_circle:")
    for job in done:
        if job.id in joined:
            continue
        elsewhere = landed.get(job.analysis_id or "")
        label = render.md_escape(job_progress.readable_label(job.label))
        if elsewhere is None:
            st.caption(f"{label}: stored, in no story yet (its sentences are not indexed).")
            continue
        st.caption(f"{label} is another event by the clustering's reading: it joined story {elsewhere}. "
                   "Open it to move the article here if it is this story.")
        st.page_link("pages/story.py", label=f"Open story {elsewhere}", query_params={"id": str(elsewhere)},
                     icon=":material/arrow_forward:")
    for job in jobs:
        if job.status != DONE:
            job_progress.show_failure(job)


@st.fragment(run_every=job_progress.REFRESH_SECONDS)
def _live(added: AddedBatch) -> None:
    jobs = _jobs(added)
    if all(job.finished for job in jobs):
        st.rerun(scope="app")  # the timeline above shows the articles that joined
    st.caption(f"Analysing {count_noun(len(jobs), 'article')} in the background: "
               f"{sum(job.finished for job in jobs)} done. You can leave this page; the Jobs page follows them too.")
    for job in jobs:
        job_progress.progress_line(job)
