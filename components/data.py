"""Data access for the pages: one storage handle per database, cached documents, queries run in the database."""
from __future__ import annotations

import streamlit as st

from core.errors import ModelError
from core.jobs.queue import JobQueue, get_queue
from core.ml import loading
from core.ml.reference import NewsReference
from core.records import Analysis
from core.settings import Settings, get_settings
from core.storage import Storage


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner=False)
def _storage(database: str) -> Storage:
    return Storage(database)


def storage() -> Storage:
    return _storage(settings().database)


def queue() -> JobQueue:
    return get_queue(settings(), storage())


@st.cache_data(show_spinner=False, max_entries=256)
def load_analysis(database: str, analysis_id: str) -> Analysis:
    """Stored analyses never change, so a cached copy stays right until deletion."""
    return _storage(database).get(analysis_id)


def analysis(analysis_id: str) -> Analysis:
    return load_analysis(settings().database, analysis_id)


def analysis_deleted() -> None:
    """A deleted analysis must not be served from the cache any more."""
    load_analysis.clear()


def news_reference() -> NewsReference | None:
    """The local engine's reference of ordinary news, for the cut-offs the gauges draw (None if it is not installed)."""
    try:
        return loading.news_reference()
    except ModelError:
        return None


def found_cutoff(analysis: Analysis, technique_name: str) -> float | None:
    """The strength at which a technique of this analysis is found, where the local engine's reference decided it."""
    reference = news_reference() if analysis.engine.name == "local" else None
    return reference.cutoff(technique_name) if reference is not None else None
