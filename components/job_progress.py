"""Jobs in the dashboard: following one job live, and the list of jobs with their progress."""
from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import streamlit as st

from components import data, render
from core.errors import CrosscheckError
from core.pipeline import STAGE_TITLES
from core.job_status import DONE, FAILED, QUEUED, RUNNING
from core.storage.jobs import Job
from core.text import shorten

# Seconds between two looks at a running job; the page around it is not re-run.
REFRESH_SECONDS = 1.0
STATUS_LABELS = {QUEUED: "⏳ Queued", RUNNING: "▶ Running", DONE: "✔ Done", FAILED: "✖ Failed"}
KIND_LABELS = {"analyze": "analysis", "recheck": "re-check", "poll_feed": "feed poll"}


def follow(job_id: str) -> Job | None:
    """Show the job's progress until it ends; returns the job once it has ended (None while it runs)."""
    try:
        job = data.storage().jobs.get(job_id)
    except CrosscheckError as error:
        render.show_error(error)
        return None
    if job.status == FAILED:
        show_failure(job)
        return job
    if job.status == DONE:
        return job
    _live_progress(job_id)
    return None


def finished_analysis(job_id: str | None) -> str | None:
    """The analysis a job stored, once it is done; None while it runs, when it failed or is unknown."""
    if not job_id:
        return None
    try:
        job = data.storage().jobs.get(job_id)
    except CrosscheckError:
        return None
    return job.analysis_id if job.status == DONE else None


@st.fragment(run_every=REFRESH_SECONDS)
def _live_progress(job_id: str) -> None:
    job = data.storage().jobs.get(job_id)
    if job.finished:
        st.rerun(scope="app")
    progress_line(job)
    st.caption("The analysis runs in the background: you can leave this page and come back, "
               "or follow it on the Jobs page. This address shows it until it is done.")


def progress_line(job: Job) -> None:
    stage = STAGE_TITLES.get(job.stage, "")
    if job.status == QUEUED:
        text = "Queued: waiting for a worker" + (f" ({job.message})" if job.message else "")
    else:
        # A stage's message often is its title ("Saving the analysis"): said once.
        text = " · ".join(dict.fromkeys(part for part in (stage, job.message) if part)) or "Starting"
    st.progress(min(1.0, max(0.0, job.fraction or 0.0)), text=render.md_escape(f"{readable_label(job.label)} — {text}"))


def readable_label(label: str, limit: int = 80) -> str:
    """What a job works on, as a person reads it: an address as its site and the words of its path
    ("metro-post.example › harbour tram line costs double"), anything else shortened."""
    if not label.startswith(("http://", "https://")):
        return shorten(label, limit)
    parts = urlsplit(label)
    host = (parts.hostname or "").removeprefix("www.")
    words = [segment for segment in parts.path.split("/") if segment and not segment.isdigit()]
    slug = re.sub(r"\.(html?|php|aspx?)$", "", words[-1]) if words else ""
    slug = " ".join(re.split(r"[-_+]+", unquote(slug))).strip()
    return shorten(f"{host} › {slug}" if slug else host or label, limit)


def show_failure(job: Job) -> None:
    """The failure's message and hint, expanded, with a button to try again."""
    st.error(f"**{render.md_escape(job.error or 'The job failed.')}**" + (f"  \n{render.md_escape(job.hint)}" if job.hint else ""),
             icon=":material/error:")
    if st.button("Try again", key=f"retry-{job.id}", icon=":material/refresh:"):
        data.queue().retry(job.id)
        st.rerun()
