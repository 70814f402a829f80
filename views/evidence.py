"""Evidence: every piece of evidence across the library, filterable, with charts."""
import pandas as pd
import streamlit as st

from components import data, render
from core.figures import charts, theme
from core.models import SourceType, Stance, Verdict
from core.text import count_noun

st.title("Evidence explorer")
render.disclaimer()

rows = data.evidence_rows()
if not rows:
    st.info(
        "No evidence yet. Analyse articles with evidence sources (library, wikipedia, web) on the **Analyze** page; "
        "the library source needs at least two stored articles."
    )
    st.page_link("views/analyze.py", label="Go to Analyze", icon=":material/search:")
    st.stop()

# Pasted and uploaded articles have no URL or outlet: pandas reads those as NaN, which is truthy.
frame = pd.DataFrame(rows).fillna({"url": "", "outlet": "", "title": "", "snippet": ""})
frame["domain"] = [charts.domain_of(url) or (outlet or "") for url, outlet in zip(frame["url"], frame["outlet"])]

c1, c2, c3, c4, c5 = st.columns(5)
source_types = c1.multiselect("Source type", [s.value for s in SourceType], key="evidence_source_type")
stances = c2.multiselect("Stance", [s.value for s in theme.STANCE_ORDER], key="evidence_stance",
                         format_func=lambda s: theme.stance_text(Stance(s)))
verdicts = c3.multiselect("Claim verdict", [v.value for v in theme.VERDICT_ORDER], key="evidence_verdict",
                          format_func=lambda v: theme.verdict_text(Verdict(v)))
domains = c4.multiselect("Outlet / domain", sorted(d for d in frame["domain"].unique() if d), key="evidence_domain")
articles = c5.multiselect("Article", sorted(frame["article"].unique()), key="evidence_article")
text = st.text_input("Search claims and snippets", key="evidence_search").strip().lower()

mask = pd.Series(True, index=frame.index)
for column, chosen in (("source_type", source_types), ("stance", stances), ("verdict", verdicts),
                       ("domain", domains), ("article", articles)):
    if chosen:
        mask &= frame[column].isin(chosen)
if text:
    mask &= frame["claim"].str.lower().str.contains(text, regex=False) | frame["snippet"].str.lower().str.contains(text, regex=False)
shown = frame[mask]
st.caption(f"{len(shown)} of {count_noun(len(frame), 'piece of evidence', 'pieces of evidence')}")

filtered_rows = shown.to_dict("records")
stance_tab, outlet_tab, domain_tab = st.tabs(["Stance by source type", "Verdicts by outlet", "Most-cited domains"])
stance_tab.plotly_chart(charts.stance_by_source_type(filtered_rows), width="stretch", key="evidence-stance-chart")
outlet_tab.plotly_chart(charts.verdicts_by_outlet(filtered_rows), width="stretch", key="evidence-verdict-chart")
domain_tab.plotly_chart(charts.top_domains(filtered_rows), width="stretch", key="evidence-domains-chart")

table = pd.DataFrame(
    {
        "Article": shown["article"],
        "Claim": shown["claim"],
        "Verdict": [theme.verdict_text(Verdict(v)) for v in shown["verdict"]],
        "Source": shown["source_type"],
        "Outlet / domain": shown["domain"],
        "Stance": [theme.stance_text(Stance(s)) for s in shown["stance"]],
        "Confidence": shown["stance_confidence"],
        "Snippet": shown["snippet"],
        "Evidence link": shown["url"],
        "Claim in article": [f"/?analysis={a}&claim={c}" for a, c in zip(shown["analysis_id"], shown["claim_id"])],
    }
)
st.dataframe(
    table, hide_index=True, width="stretch", key="evidence_table",
    column_config={
        "Confidence": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent"),
        "Evidence link": st.column_config.LinkColumn(display_text="open"),
        "Claim in article": st.column_config.LinkColumn(display_text="show claim"),
    },
)
