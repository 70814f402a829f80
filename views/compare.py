"""Compare 2 to 6 articles side by side: technique profiles, verdict mix, shared claims."""
import pandas as pd
import streamlit as st

from components import data, exports, render
from core.figures import charts, theme
from core.compare import MAX_ANALYSES, MIN_ANALYSES, shared_claims
from core.errors import CrosscheckError
from core.storage import LibraryQuery
from core.models import against_ordinary_news

st.title("Compare articles")
render.disclaimer()

# Articles offered at once: the newest ones matching the search (a library of thousands would not fit one list).
OFFERED = 100
storage = data.storage()
if storage.count() < MIN_ANALYSES:
    st.info("Comparing needs at least two analysed articles. Analyse more articles on the **Analyze** page.")
    st.page_link("views/analyze.py", label="Go to Analyze", icon=":material/search:")
    st.stop()

preselected = list(st.session_state.get("compare_ids", []))
search = st.text_input("Find articles by title, outlet or URL", key="compare_search").strip()
offered = storage.library_page(LibraryQuery(search=search, limit=OFFERED)).rows
already = [i for i in st.session_state.get("compare_select", preselected)]
summaries = {s.id: s for s in offered + storage.summaries(latest_only=False, ids=already)}
labels = {i: f"{s.title or '(untitled)'} — {s.outlet or 'unknown outlet'} ({s.id})" for i, s in summaries.items()}
chosen = st.multiselect(
    f"Articles to compare ({MIN_ANALYSES} to {MAX_ANALYSES})", list(labels), default=[i for i in preselected if i in labels],
    format_func=labels.get, max_selections=MAX_ANALYSES, key="compare_select",
)
if len(chosen) < MIN_ANALYSES:
    st.info(f"Choose at least {MIN_ANALYSES} articles.")
    st.stop()

try:
    analyses = [data.analysis(i) for i in chosen]
except CrosscheckError as error:
    render.show_error(error)
    st.stop()


@st.cache_data(show_spinner="Matching claims across articles…", max_entries=32)
def cached_comparison(ids: tuple[str, ...], _analyses: list):
    return shared_claims(_analyses)


for column, analysis in zip(st.columns(len(analyses)), analyses):
    with column.container(border=True):
        article = analysis.article
        st.markdown(f"**{render.md_escape(article.title or 'Untitled')}**")
        st.caption(render.md_escape(f"{article.outlet or 'Unknown outlet'} · {article.published or 'undated'} · {analysis.engine.name}"))
        st.plotly_chart(charts.verdict_mix(analysis), width="stretch", key=f"compare-verdicts-{analysis.id}",
                        config={"displayModeBar": False})
        found = analysis.found_techniques()
        st.markdown(f"Techniques found: **{len(found)}**" + (" — " + ", ".join(
            f"{render.md_escape(t.label)} ({render.md_escape(against_ordinary_news(t.percentile))})" for t in found[:5])
            if found else ""))
        if analysis.persuasion is not None and analysis.persuasion.percentile is not None:
            st.caption(f"Persuasive language: stronger than {analysis.persuasion.percentile:.0%} of ordinary news".replace("%", " %"))

st.plotly_chart(charts.compare_techniques(analyses), width="stretch", key="compare-techniques")
left, right = st.columns(2)
left.plotly_chart(charts.compare_verdicts(analyses), width="stretch", key="compare-verdict-bars")
right.plotly_chart(charts.technique_heatmap(analyses), width="stretch", key="compare-heatmap")

st.subheader("Shared claims", anchor=False)
try:
    comparison = cached_comparison(tuple(chosen), analyses)
except CrosscheckError as error:
    render.show_error(error)
    st.stop()
if comparison.shared:
    rows = []
    for group in comparison.shared:
        row = {"Claim": group.text, "Articles": len(group.mentions), "Verdicts agree": "yes" if group.verdicts_agree else "NO"}
        for mention in group.mentions:
            row[mention.article] = f"{theme.verdict_text(mention.verdict)}: {mention.text}"
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="compare-shared")
else:
    st.info("No claim appears in more than one of these articles.")

st.subheader("Claims only one article makes", anchor=False)
for column, analysis, label in zip(st.columns(len(analyses)), analyses, comparison.articles):
    unique = comparison.unique_for(analysis.id)
    column.markdown(f"**{render.md_escape(label)}** ({len(unique)})")
    for mention in unique[:20]:
        column.caption(f"{theme.verdict_text(mention.verdict)} · {render.md_escape(mention.text)}")

exports.download_buttons(analyses, key="compare-download")
render.disclaimer()
