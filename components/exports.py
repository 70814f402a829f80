"""Download buttons for reports; files are built only when a button is clicked."""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from components import data
from core.compare import MAX_ANALYSES
from core.records import Analysis
from core.reports.exports import FILE_SUFFIXES, MIME_TYPES, export_bytes
from core.reports.images import shared_renderer

LABELS = {"pdf": "PDF", "json": "JSON", "csv": "CSV (zip)", "md": "Markdown"}


def _file_stem(analyses: Sequence[Analysis]) -> str:
    if len(analyses) == 1:
        return f"crosscheck-{analyses[0].id}"
    return "crosscheck-comparison-" + "-".join(a.id[:6] for a in analyses)


def download_buttons(analyses: Sequence[Analysis], *, key: str) -> None:
    """PDF, JSON, CSV and Markdown downloads for one analysis or a comparison of up to six, with analysts' reviews."""
    analyses = list(analyses)
    if not analyses:
        return
    reviews = data.storage().reviews.get_many([a.id for a in analyses])
    formats = [f for f in LABELS if f != "pdf" or len(analyses) <= MAX_ANALYSES]
    stem = _file_stem(analyses)
    st.caption("Download" + ("" if len(analyses) == 1 else f" ({len(analyses)} analyses)"))
    for column, fmt in zip(st.columns(len(formats)), formats):
        column.download_button(
            LABELS[fmt], icon=":material/download:", file_name=stem + FILE_SUFFIXES[fmt], mime=MIME_TYPES[fmt],
            data=lambda fmt=fmt: export_bytes(analyses, fmt, renderer=shared_renderer() if fmt == "pdf" else None,
                                              reviews=reviews, storage=data.storage()),
            key=f"{key}-{fmt}", on_click="ignore", width="stretch",
        )
