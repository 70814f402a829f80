"""Cached access to core from the pages: one storage handle, cached reads."""
from __future__ import annotations

import streamlit as st

from core.errors import ModelError
from core.ml.reference import NewsReference
from core.models import Analysis
from core.settings import Settings, get_settings
from core.storage import AnalysisSummary, Storage


def settings() -> Settings:
    return get_settings()


@st.cache_resource(show_spinner=False)
def _storage(path: str) -> Storage:
    return Storage(path)


def storage() -> Storage:
    return _storage(str(settings().db_path))


@st.cache_data(show_spinner=False, max_entries=256)
def load_analysis(db_path: str, analysis_id: str) -> Analysis:
    """Stored analyses never change, so a cached copy stays right until deletion."""
    return _storage(db_path).get(analysis_id)


def analysis(analysis_id: str) -> Analysis:
    return load_analysis(str(settings().db_path), analysis_id)


# Keyed by the storage revision, which any save or delete (from any session or
# process) changes, so the cached lists are never stale.
@st.cache_data(show_spinner=False, max_entries=4)
def _summaries(db_path: str, revision: int) -> list[AnalysisSummary]:
    return _storage(db_path).summaries()


@st.cache_data(show_spinner=False, max_entries=4)
def _evidence(db_path: str, revision: int) -> list[dict]:
    return _storage(db_path).evidence_table()


def summaries() -> list[AnalysisSummary]:
    return _summaries(str(settings().db_path), storage().revision())


def evidence_rows() -> list[dict]:
    return _evidence(str(settings().db_path), storage().revision())


def analysis_deleted() -> None:
    """A deleted analysis must not be served from the cache any more."""
    load_analysis.clear()


@st.cache_resource(show_spinner=False)
def news_reference() -> NewsReference | None:
    """The local engine's reference of ordinary news, for the cut-offs the gauges draw (None if it is not installed)."""
    try:
        return NewsReference()
    except ModelError:
        return None


def found_cutoff(analysis: Analysis, technique_name: str) -> float | None:
    """The strength at which a technique of this analysis is found, where the local engine's reference decided it."""
    reference = news_reference() if analysis.engine.name == "local" else None
    return reference.cutoff(technique_name) if reference is not None else None
