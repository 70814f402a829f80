"""Jobs: analyses running in the background, batches of URLs, failures to retry, results to open."""
import csv
import io

import pandas as pd
import streamlit as st

from components import data, job_progress, render, routing
from core.engines import ENGINES
from core.errors import CrosscheckError, InputError
from core.pipeline import UrlInput
from core.sources import all_source_status, default_sources
from core.job_status import DONE, FAILED, QUEUED, RUNNING
from core.storage.jobs import Job
from core.text import count_noun

# Jobs the page lists per status; older ones stay in the database and in `python -m core jobs`.
LISTED = 50

routing.require_router()
st.title("Jobs")
render.disclaimer()
settings = data.settings()


def batch_inputs() -> list[tuple[UrlInput, dict[str, str]]]:
    """The URLs typed one per line and those of the uploaded CSV (columns url, and optionally outlet and title)."""
    found: list[tuple[UrlInput, dict[str, str]]] = []
    for line in st.session_state.get("batch_urls", "").splitlines():
        if line.strip():
            found.append((UrlInput(line.strip()), {}))
    upload = st.session_state.get("batch_csv")
    if upload is not None:
        try:
            rows = list(csv.DictReader(io.StringIO(upload.getvalue().decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"{upload.name} is not a UTF-8 CSV file ({exc}).", hint="Save it as CSV (UTF-8) with a url column.") from None
        if rows and "url" not in {name.strip().lower() for name in rows[0]}:
            raise InputError(f"{upload.name} has no 'url' column.", hint="The first row names the columns: url, outlet, title.")
        for row in rows:
            clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            if clean.get("url"):
                found.append((UrlInput(clean["url"]), {k: clean[k] for k in ("outlet", "title") if clean.get(k)}))
    return found


with st.expander("Analyse a batch of articles", expanded=not data.storage().jobs.counts()[RUNNING]):
    st.text_area("Article URLs, one per line", key="batch_urls", height=140)
    st.file_uploader("…or a CSV file with a url column (outlet and title optional)", type=["csv"], key="batch_csv")
    engine_column, sources_column = st.columns([1, 2])
    engine = engine_column.selectbox("Engine", ENGINES.names(), key="batch_engine")
    source_status = all_source_status(settings, engine)
    chosen_sources = sources_column.multiselect(
        "Evidence sources", list(source_status), key="batch_sources",
        default=[s for s in default_sources(settings, engine) if source_status.get(s, (False, ""))[0]],
    )
    if st.button("Queue the batch", type="primary", key="batch_submit"):
        try:
            wanted = batch_inputs()
            if not wanted:
                raise InputError("No URL given.", hint="Type URLs one per line, or upload a CSV file with a url column.")
            jobs = data.queue().submit_analyses([source for source, _ in wanted], engine=engine,
                                                evidence_sources=chosen_sources,
                                                overrides=[extra for _, extra in wanted])
        except CrosscheckError as error:
            render.show_error(error)
        else:
            unique = len({job.id for job in jobs})
            duplicates = len(jobs) - unique
            st.success(f"Queued {count_noun(unique, 'analysis', 'analyses')}"
                       + (f" ({count_noun(duplicates, 'duplicate URL')}, analysed once)" if duplicates else "") + ".")


@st.fragment(run_every=2.0)
def job_lists() -> None:
    store = data.storage().jobs
    counts = store.counts()
    columns = st.columns(4)
    for column, status in zip(columns, (RUNNING, QUEUED, FAILED, DONE)):
        column.metric(job_progress.STATUS_LABELS[status], counts[status])

    running = store.list(statuses=(RUNNING,), limit=LISTED)
    if running:
        st.subheader("Running", anchor=False)
        for job in running:
            job_progress.progress_line(job)
    queued = store.list(statuses=(QUEUED,), limit=LISTED)
    if queued:
        st.subheader("Queued", anchor=False)
        st.dataframe(pd.DataFrame([{"Article": job_progress.readable_label(j.label),
                                    "Queued at": j.created_at.replace("T", " ")[:19], "Note": j.message, "Job": j.id}
                                   for j in queued]),
                     hide_index=True, width="stretch", key="jobs_queued",
                     column_config={"Article": st.column_config.TextColumn(width=320, help="The address or file it analyses"),
                                    "Queued at": st.column_config.TextColumn(width=140)})
    failed = store.list(statuses=(FAILED,), limit=LISTED)
    if failed:
        st.subheader("Failed", anchor=False)
        for job in failed:
            with st.container(border=True):
                st.markdown(f"**{render.md_escape(job_progress.readable_label(job.label))}** · attempt {job.attempts} · "
                            f"{render.md_escape((job.finished_at or '').replace('T', ' ')[:19])}")
                if job.label.startswith(("http://", "https://")):
                    st.caption(render.md_escape(job.label))
                job_progress.show_failure(job)
    done = store.list(statuses=(DONE,), limit=LISTED)
    if done:
        st.subheader("Finished", anchor=False)
        # An analysed article by its title and outlet, not its address; the result link first, where 1024 px shows it.
        analysed = {s.id: s for s in data.storage().summaries(latest_only=False,
                                                              ids=[j.analysis_id for j in done if j.analysis_id])}

        def article(job: Job) -> str:
            summary = analysed.get(job.analysis_id or "")
            if summary is not None and summary.title:
                return f"{summary.title} ({summary.outlet})" if summary.outlet else summary.title
            return job_progress.readable_label(job.label)

        st.dataframe(
            pd.DataFrame([{"Result": f"/?analysis={j.analysis_id}" if j.analysis_id else "", "Article": article(j),
                           "Kind": job_progress.KIND_LABELS.get(j.kind, j.kind), "Finished": (j.finished_at or "").replace("T", " ")[:16]}
                          for j in done]),
            hide_index=True, width="stretch", key="jobs_done",
            # Widths that add up to the table's width at 1024 px with the sidebar open (about 545).
            column_config={"Result": st.column_config.LinkColumn(display_text="open", width=55),
                           "Article": st.column_config.TextColumn(width=270),
                           "Kind": st.column_config.TextColumn(width=72),
                           "Finished": st.column_config.TextColumn("Finished (UTC)", width=135)},
        )
    if not any(counts.values()):
        st.info("No jobs yet. Analyse an article on the Analyze page, queue a batch above, or follow a feed "
                "(`python -m core feeds add URL`).")


job_lists()
