"""Analyze: URL, pasted text or an uploaded file in; techniques, claims and verdicts out."""
import streamlit as st

from components import coverage_view, data, evidence_cards, exports, jobs_view, render
from core import pipeline
from core.engines import ENGINES, engine_status
from core.errors import CrosscheckError
from core.sources import all_source_status, default_sources

st.title("Analyze an article")
render.disclaimer()

settings = data.settings()
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
    outlet_column, url_column = st.columns(2)
    outlet_column.text_input("Outlet (optional)", key="text_outlet", placeholder="e.g. Reuters",
                             help="Who published this text. Evidence from the same outlet will not count as independent.")
    url_column.text_input("Published at (optional)", key="text_url", placeholder="https://…",
                          help="The address of the original. Its site counts as the outlet when no outlet is given.")

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
    format_func=lambda name: name if source_status[name][0] else f"{name} (not set up)",
)
unready = [name for name in chosen_sources if not source_status[name][0]]
for name in unready:
    sources_column.info(f"Source {name} will be skipped: {source_status[name][1]}.")
fresh = st.checkbox("Ignore cached pages and answers", key="fresh")


def build_input() -> pipeline.SourceInput:
    if mode == "URL":
        return pipeline.UrlInput(st.session_state.get("url", "").strip() or "")
    stated = pipeline.provenance(st.session_state.get("text_outlet"), st.session_state.get("text_url"))
    if mode == "Paste text":
        return pipeline.TextInput(st.session_state.get("paste", ""), stated)
    upload = st.session_state.get("upload")
    if upload is None:
        raise CrosscheckError("No file uploaded yet.", hint="Choose an .html, .htm or .txt file first.")
    return pipeline.FileInput(upload.name, upload.getvalue(), stated)


if st.button("Analyze", type="primary", key="analyze", disabled=not engine_ready):
    try:
        if mode == "URL" and not st.session_state.get("url", "").strip():
            raise CrosscheckError("No URL given.", hint="Paste the address of a news article.")
        with st.spinner("Queueing the analysis…"):
            (job,) = data.queue().submit_analyses([build_input()], engine=engine, evidence_sources=chosen_sources,
                                                  fresh=fresh, retry_transient=False)
    except CrosscheckError as error:
        render.show_error(error)
    else:
        st.query_params.pop("analysis", None)
        st.session_state.pop("analysis_id", None)
        st.query_params["job"] = job.id

followed = st.query_params.get("job")
if followed:
    outcome = jobs_view.follow(followed)
    if outcome is not None and outcome.status == "done" and outcome.analysis_id:
        st.query_params.pop("job", None)
        st.query_params["analysis"] = outcome.analysis_id
        st.session_state["analysis_id"] = outcome.analysis_id

shown_id = st.query_params.get("analysis") or st.session_state.get("analysis_id")
if shown_id:
    try:
        shown = data.analysis(shown_id)
    except CrosscheckError as error:
        render.show_error(error)
    else:
        st.divider()
        if st.query_params.get("passage"):
            evidence_cards.passage_focus(shown, st.query_params["passage"])
        newer = data.storage().crossrefs.new_evidence([shown.id]).get(shown.id)
        if newer:
            st.info("New evidence available: " + render.md_escape("; ".join(f"{t or 'untitled'} ({o or 'unknown outlet'})"
                                                                            for t, o in newer.cited))
                    + " stored since; a re-check against the library is queued.", icon=":material/fiber_new:")
        render.full_analysis(shown, key="analyze")
        exports.download_buttons([shown], key="analyze-download")
        st.markdown("#### Other coverage of this story")
        coverage_view.find_other_coverage(shown, key="analyze-coverage")
