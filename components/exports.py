"""Download buttons for reports; files are built only when a button is clicked."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from core.models import Analysis
from core.reports import exports as report_exports
from core.reports import pdf as report_pdf


def _file_stem(analyses: Sequence[Analysis]) -> str:
    if len(analyses) == 1:
        return f"crosscheck-{analyses[0].id}"
    return "crosscheck-comparison-" + "-".join(a.id[:6] for a in analyses)


def download_buttons(analyses: Sequence[Analysis], *, key: str) -> None:
    """PDF, JSON, CSV (claims and evidence) and Markdown downloads for one analysis or a comparison."""
    if not analyses:
        return
    analyses = list(analyses)
    stem = _file_stem(analyses)
    pdf: Callable[[], bytes] = (
        (lambda: report_pdf.analysis_pdf(analyses[0])) if len(analyses) == 1 else (lambda: report_pdf.comparison_pdf(analyses))
    )
    files = [
        ("PDF report", pdf, f"{stem}.pdf", "application/pdf"),
        ("JSON", lambda: report_exports.to_json(analyses), f"{stem}.json", "application/json"),
        ("Claims CSV", lambda: report_exports.to_csv_claims(analyses), f"{stem}-claims.csv", "text/csv"),
        ("Evidence CSV", lambda: report_exports.to_csv_evidence(analyses), f"{stem}-evidence.csv", "text/csv"),
        ("Markdown", lambda: report_exports.to_markdown(analyses), f"{stem}.md", "text/markdown"),
    ]
    st.caption("Download")
    for column, (label, build, name, mime) in zip(st.columns(len(files)), files):
        column.download_button(
            label, icon=":material/download:", data=build, file_name=name, mime=mime, key=f"{key}-{label}", on_click="ignore", width="stretch"
        )
