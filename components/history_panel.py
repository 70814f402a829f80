"""An article's run history: which run is shown, every run with a link, and what changed between two runs."""
from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from components import data, render
from core.figures import theme
from core.history import RunDiff, diff_runs
from core.storage import AnalysisSummary


def _when(summary: AnalysisSummary) -> str:
    return summary.created_at[:16].replace("T", " ")


def run_label(summary: AnalysisSummary, number: int | None = None) -> str:
    """A run as a choice reads: its number in the history, when to the second, the engine, and what it found, so that
    two runs of one minute (an analysis and the re-check right after it) read differently."""
    counts = f"{summary.claims} claims, {summary.verdicts.get('corroborated', 0)} corroborated"
    # What tells two runs apart first: a narrow choice box cuts the end.
    return " · ".join(part for part in (
        f"Run {number}" if number is not None else "", summary.created_at[:19].replace("T", " "), counts,
        summary.engine + (" (partial)" if summary.partial else "")) if part)


def older_run_notice(analysis_id: str) -> None:
    """Say so when ``analysis_id`` is not its article's latest run, with a link to the latest."""
    storage = data.storage()
    (shown,) = storage.summaries(latest_only=False, ids=[analysis_id]) or (None,)
    if shown is None or shown.history < 2:
        return
    latest = storage.summaries(article_key=shown.article_key)[0]
    if latest.id == shown.id:
        return
    st.info(f"This is an older run of this article (analysed {_when(shown)}, {shown.history} runs in all). "
            f"The latest run is from {_when(latest)}.", icon=":material/history:")
    st.page_link("pages/analyze.py", label="Open the latest run", icon=":material/update:",
                 query_params={"analysis": latest.id})


def run_history(article_key: str, *, key: str) -> None:
    """Every run of one article, newest first, each with a link; and the changes between two chosen runs."""
    runs = data.storage().summaries(latest_only=False, article_key=article_key)
    # The link first and the verdict counts last: at 1024 px the table shows about 560 px, and the link was off-screen.
    table = pd.DataFrame([
        {"Open": f"/?analysis={quote(r.id)}", "Run": len(runs) - index, "Analysed": r.created_at[:19].replace("T", " "),
         "Engine": r.engine + (" · partial" if r.partial else ""), "Claims": r.claims,
         "Techniques found": r.techniques_found,
         **{theme.verdict_text(v): r.verdicts[v.value] for v in theme.VERDICT_ORDER}}
        for index, r in enumerate(runs)
    ])
    st.dataframe(table, hide_index=True, width="stretch", key=f"{key}-runs",
                 column_config={"Open": st.column_config.LinkColumn(display_text="open", width=50),
                                "Run": st.column_config.NumberColumn(width=40),
                                "Analysed": st.column_config.TextColumn("Analysed (UTC)", width=140),
                                "Techniques found": st.column_config.NumberColumn("Found", width=50,
                                                                                  help="Techniques found")})
    if len(runs) < 2:
        st.caption("Only one run so far: re-run the article to compare runs.")
        return
    labels = {r.id: run_label(r, len(runs) - index) for index, r in enumerate(runs)}
    older_column, newer_column = st.columns(2)
    older_id = older_column.selectbox("Compare the run of", list(labels)[1:], format_func=labels.get, key=f"{key}-older")
    newer_id = newer_column.selectbox("with the run of", [i for i in labels if i != older_id], format_func=labels.get,
                                      key=f"{key}-newer")
    older, newer = data.analysis(older_id), data.analysis(newer_id)
    if older.created_at > newer.created_at:
        older, newer = newer, older
    show_diff(diff_runs(older, newer))


def show_diff(diff: RunDiff) -> None:
    """The changes from the older run to the newer one, as lists an analyst can read."""
    if diff.unchanged:
        st.success("Both runs found the same techniques and claims, with the same verdicts.")
        return
    sections = (
        ("Techniques now found", diff.techniques_now_found),
        ("Techniques no longer found", diff.techniques_no_longer_found),
        ("Claims added", diff.claims_added),
        ("Claims removed", diff.claims_removed),
    )
    for title, items in sections:
        if items:
            st.markdown(f"**{title}** ({len(items)})\n" + "\n".join(f"- {render.md_escape(item)}" for item in items))
    if diff.verdicts_changed:
        st.markdown(f"**Verdicts changed** ({len(diff.verdicts_changed)})\n" + "\n".join(
            f"- {render.md_escape(change.claim)} — {theme.verdict_text(change.before)} → {theme.verdict_text(change.after)}"
            for change in diff.verdicts_changed))
