"""Analyze: URL, pasted text or an uploaded file in; techniques, claims and verdicts out."""
import streamlit as st

from components import data, exports, render
from core import pipeline
from core.engines import ENGINES, engine_status
from core.errors import CrosscheckError
from core.sources import all_source_status

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

engine_column, sources_column = st.columns([1, 2])
engines = ENGINES.names()
engine = engine_column.selectbox("Engine", engines, key="engine")
engine_column.caption(ENGINES.get(engine).description)
engine_ready, engine_reason = engine_status(engine, settings)
if not engine_ready:
    engine_column.warning(f"The {engine} engine needs a key: {engine_reason}. The local engine needs none.")

source_status = all_source_status(settings)
default_sources = [s for s in settings.source_names() if source_status.get(s, (False, ""))[0]]
chosen_sources = sources_column.multiselect(
    "Evidence sources", list(source_status), default=default_sources, key="sources",
    format_func=lambda name: name if source_status[name][0] else f"{name} (not set up)",
)
unready = [name for name in chosen_sources if not source_status[name][0]]
for name in unready:
    sources_column.info(f"Source {name} will be skipped: {source_status[name][1]}.")
fresh = st.checkbox("Ignore cached pages and answers", key="fresh")


def build_input() -> pipeline.SourceInput:
    if mode == "URL":
        return pipeline.UrlInput(st.session_state.get("url", "").strip() or "")
    if mode == "Paste text":
        return pipeline.TextInput(st.session_state.get("paste", ""))
    upload = st.session_state.get("upload")
    if upload is None:
        raise CrosscheckError("No file uploaded yet.", hint="Choose an .html, .htm or .txt file first.")
    return pipeline.FileInput(upload.name, upload.getvalue())


if st.button("Analyze", type="primary", key="analyze", disabled=not engine_ready):
    failure: CrosscheckError | None = None
    with st.status("Analysing…", expanded=True) as status:
        progress_line = st.empty()

        def on_stage(event: pipeline.StageEvent) -> None:
            if event.state == "running":
                status.update(label=f"{event.message}…")
                progress_line.empty()
            elif event.state == "progress":
                progress_line.caption(event.message)
            elif event.state == "done":
                status.write(f":material/check_circle: {event.message}")
            elif event.state == "skipped":
                status.write(f":material/skip_next: {event.message}")
            elif event.state == "failed":
                status.write(f":material/error: {pipeline.STAGE_TITLES[event.stage]}")

        try:
            if mode == "URL" and not st.session_state.get("url", "").strip():
                raise CrosscheckError("No URL given.", hint="Paste the address of a news article.")
            result = pipeline.analyze(
                build_input(), engine=engine, sources=chosen_sources, on_stage=on_stage,
                settings=settings, storage=data.storage(), fresh=fresh,
            )
        except CrosscheckError as error:
            failure = error
            status.update(label="Analysis failed", state="error", expanded=False)
        else:
            status.update(label="Analysis complete" + (" (partial)" if result.partial else ""),
                          state="complete", expanded=False)
            st.session_state["analysis_id"] = result.id
            st.query_params["analysis"] = result.id
    if failure is not None:
        # Outside the status box, which folds away: the message and its hint must stay in view.
        render.show_error(failure)

shown_id = st.query_params.get("analysis") or st.session_state.get("analysis_id")
if shown_id:
    try:
        shown = data.analysis(shown_id)
    except CrosscheckError as error:
        render.show_error(error)
    else:
        st.divider()
        render.full_analysis(shown, key="analyze")
        exports.download_buttons([shown], key="analyze-download")
