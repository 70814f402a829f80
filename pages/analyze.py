"""Analyze: URL, pasted text or an uploaded file in; techniques, claims and verdicts out.

The address names what is shown: ``?analysis=ID`` (any run of an article's history),
``&claim=c2`` for one claim, ``?job=ID`` while an analysis runs. A result is shown
first; the input form then waits, folded, below it.
"""
import streamlit as st

from components import coverage_panel, data, evidence_cards, exports, history_panel, job_progress, render, routing
from core import pipeline
from core.engines import ENGINES, engine_status
from core.errors import CrosscheckError
from core.examples import EXAMPLE_OUTLET, example_article_text
from core.sources import all_source_status, default_sources

routing.require_router()
st.title("Analyze an article")
render.disclaimer()

settings = data.settings()
# A job that has finished since the address named it: show its result, laid out as a result.
finished = job_progress.finished_analysis(st.query_params.get("job"))
if finished:
    st.query_params.clear()
    st.query_params["analysis"] = finished
shown_id = st.query_params.get("analysis")
# Filled after the form is read (a click on Analyze changes what is shown) but placed above it.
result_area = st.container()
try_example = False
if shown_id:
    form_area = st.expander("Analyze another article", icon=":material/add:")
else:
    form_area = st.container()
    if not st.query_params.get("job"):
        form_area.markdown(
            "Crosscheck reads a news article critically with you: it marks **persuasion techniques** "
            "(loaded language, appeals to fear, false dilemmas and 11 more), picks out the **check-worthy claims**, "
            "looks for **evidence** for and against each one (your library of earlier articles, Wikipedia, the web, "
            "fact-checks) and gives each claim a **verdict** with its reasons. Paste a URL or a text below, "
            "or try it on a short example article first."
        )
        try_example = form_area.button("Try the example article", key="analyze_example", icon=":material/science:",
                                       help="A short local news story written for Crosscheck, analysed with the local engine.")

with form_area:
    INPUT_MODES = ("URL", "Paste text", "Upload file")
    mode = st.radio("Article", INPUT_MODES, horizontal=True, key="input_mode", label_visibility="collapsed")
    if mode == "URL":
        st.text_input("Article URL", placeholder="https://…", key="url")
    elif mode == "Paste text":
        st.text_area("Article text (first line is the title)", height=220, key="paste")
    else:
        st.file_uploader("HTML or text file", type=["html", "htm", "txt"], key="upload")
    if mode != "URL":
        # Evidence from the article's own outlet never counts; a text says nothing of where it ran.
        outlet_column, url_column, date_column = st.columns([2, 3, 2])
        outlet_column.text_input("Outlet (optional)", key="text_outlet", placeholder="e.g. Reuters",
                                 help="Who published this text. Evidence from the same outlet will not count as independent.")
        url_column.text_input("Original address (optional)", key="text_url", placeholder="https://…",
                              help="The address of the original. Its site counts as the outlet when no outlet is given.")
        date_column.date_input("Date (optional)", value=None, key="text_published", format="YYYY-MM-DD",
                               help="The day the text was published: shown with the analysis, in the Library and in exports, and given with its passages when the library is searched.")

    engine_column, sources_column = st.columns([1, 2])
    engines = ENGINES.names()
    engine = engine_column.selectbox("Engine", engines, key="engine")
    engine_column.caption(ENGINES.get(engine).description)
    engine_ready, engine_reason = engine_status(engine, settings)
    if not engine_ready:
        engine_column.warning(f"The {engine} engine needs a key: {engine_reason}. The local engine needs none.")

    source_status = all_source_status(settings, engine)
    usual_sources = [s for s in default_sources(settings, engine) if source_status.get(s, (False, ""))[0]]
    chosen_sources = sources_column.multiselect(
        "Evidence sources", list(source_status), default=usual_sources, key="sources",
        placeholder="No evidence sources", format_func=lambda name: name if source_status[name][0] else f"{name} (not set up)",
    )
    unready = [name for name in chosen_sources if not source_status[name][0]]
    for name in unready:
        sources_column.info(f"Source {name} will be skipped: {source_status[name][1]}.")
    fresh = st.checkbox("Ignore cached pages and answers", key="fresh")
    analyze_clicked = st.button("Analyze", type="primary", key="analyze", disabled=not engine_ready)


def build_input() -> pipeline.SourceInput:
    if mode == "URL":
        return pipeline.UrlInput(st.session_state.get("url", "").strip() or "")
    stated = pipeline.provenance(st.session_state.get("text_outlet"), st.session_state.get("text_url"),
                                 st.session_state.get("text_published"))
    if mode == "Paste text":
        return pipeline.TextInput(st.session_state.get("paste", ""), stated)
    upload = st.session_state.get("upload")
    if upload is None:
        raise CrosscheckError("No file uploaded yet.", hint="Choose an .html, .htm or .txt file first.")
    return pipeline.FileInput(upload.name, upload.getvalue(), stated)


def queue_analysis(source: pipeline.SourceInput, engine_name: str, sources: list[str]) -> None:
    """Submit one analysis and follow it: the address names the job until its result replaces it."""
    try:
        with st.spinner("Queueing the analysis…"):
            (job,) = data.queue().submit_analyses([source], engine=engine_name, evidence_sources=sources,
                                                  fresh=fresh, retry_transient=False)
    except CrosscheckError as error:
        with result_area:
            render.show_error(error)
    else:
        st.query_params.clear()
        st.query_params["job"] = job.id


if analyze_clicked:
    try:
        if mode == "URL" and not st.session_state.get("url", "").strip():
            raise CrosscheckError("No URL given.", hint="Paste the address of a news article.")
        queue_analysis(build_input(), engine, chosen_sources)
    except CrosscheckError as error:
        with result_area:
            render.show_error(error)
elif try_example:
    # The local engine needs no key; the evidence sources it can use without one are the usual ones.
    local_sources = [s for s in default_sources(settings, "local") if all_source_status(settings, "local").get(s, (False,))[0]]
    queue_analysis(pipeline.TextInput(example_article_text(), pipeline.provenance(EXAMPLE_OUTLET, None)), "local", local_sources)

with result_area:
    followed = st.query_params.get("job")
    if followed:
        outcome = job_progress.follow(followed)
        if outcome is not None and outcome.status == "done" and outcome.analysis_id:
            st.query_params.pop("job", None)
            st.query_params["analysis"] = outcome.analysis_id
            shown_id = outcome.analysis_id
    shown_id = st.query_params.get("analysis")
    if shown_id:
        try:
            shown = data.analysis(shown_id)
        except CrosscheckError as error:
            render.show_error(error)
        else:
            history_panel.older_run_notice(shown.id)
            if st.query_params.get("passage"):
                evidence_cards.passage_focus(shown, st.query_params["passage"])
            newer = data.storage().crossrefs.new_evidence([shown.id]).get(shown.id)
            if newer:
                st.info("New evidence available: " + render.md_escape("; ".join(f"{t or 'untitled'} ({o or 'unknown outlet'})"
                                                                                for t, o in newer.cited))
                        + " stored since; a re-check against the library is queued.", icon=":material/fiber_new:")
            render.full_analysis(shown, key="analyze", linked_claim=st.query_params.get("claim"))
            exports.download_buttons([shown], key="analyze-download")
            st.markdown("#### Other coverage of this story")
            coverage_panel.find_other_coverage(shown, key="analyze-coverage")
            st.divider()
