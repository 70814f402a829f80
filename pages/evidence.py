"""Evidence: every piece of evidence across the library, filtered, counted and paged in the database.

The filters are in the address (``?stance=refutes&source=web&counted=no&q=budget``), so a filtered view can be sent on.
"""
from dataclasses import replace

import streamlit as st

from components import address, data, evidence_explorer, render, routing
from core.figures import charts, theme
from core.records import SourceType, Stance, Verdict
from core.storage import EvidenceCounts, EvidenceQuery
from core.text import count_noun

PAGE_SIZE = 100
# Longer searches are not sentences anyone types; SQLite refuses LIKE patterns over 50,000 bytes.
MAX_SEARCH_CHARS = 500

routing.require_router()


@st.cache_data(show_spinner=False, max_entries=32)
def evidence_counts(database: str, query: EvidenceQuery, revision: int) -> EvidenceCounts:
    """The charts' counts of a filtered view, once for all its pages, until the library changes (``revision``)."""
    return data.storage().evidence_counts(query)


st.title("Evidence explorer")
render.disclaimer()

storage = data.storage()
everything = storage.evidence_page(EvidenceQuery(limit=0)).total
if not everything:
    st.info(
        "No evidence yet. Analyse articles with evidence sources (library, wikipedia, web) on the **Analyze** page; "
        "the library source needs at least two stored articles."
    )
    st.page_link("pages/analyze.py", label="Go to Analyze", icon=":material/search:")
    st.stop()

domains, articles = storage.evidence_facets(named=st.query_params.get_all("article"))
article_titles = dict(articles)
# Whether a passage counted toward its claim's verdict (?counted=yes or no): both or neither chosen shows all.
WEIGHTS = {"yes": "Counted", "no": "Not counted"}
# (widget key, address parameter, options) of each filter.
FILTERS = (
    ("evidence_source_type", "source", [s.value for s in SourceType]),
    ("evidence_stance", "stance", [s.value for s in theme.STANCE_ORDER]),
    ("evidence_verdict", "verdict", [v.value for v in theme.VERDICT_ORDER]),
    ("evidence_counted", "counted", list(WEIGHTS)),
    ("evidence_domain", "domain", domains),
    ("evidence_article", "article", list(article_titles)),
)
for key, param, options in FILTERS:
    address.seed_choices(key, param, options)
if address.seed_text("evidence_search", "q", MAX_SEARCH_CHARS):
    st.warning(f"The search in this address is longer than {MAX_SEARCH_CHARS} characters, so it was left out: "
               "showing all evidence.")
# Six filters in one row leave each under 100 px at 1024 px, too little for a placeholder: two rows of three.
c1, c2, c3 = st.columns(3)
c4, c5, c6 = st.columns([1, 1, 2])
source_types = c1.multiselect("Source type", FILTERS[0][2], key="evidence_source_type", placeholder="All source types")
stances = c2.multiselect("Stance", FILTERS[1][2], key="evidence_stance", placeholder="Any stance",
                         format_func=lambda s: theme.stance_text(Stance(s)))
verdicts = c3.multiselect("Claim verdict", FILTERS[2][2], key="evidence_verdict", placeholder="Any verdict",
                          format_func=lambda v: theme.verdict_text(Verdict(v)))
weights = c4.multiselect("Counted", FILTERS[3][2], key="evidence_counted", placeholder="Either",
                         format_func=WEIGHTS.get,
                         help="A stance counts toward the claim's verdict when it is decisive and independent of the "
                              "article; the others are shown, leaning, with the reason they did not count.")
chosen_domains = c5.multiselect("Outlet / domain", domains, key="evidence_domain", placeholder="All domains")
chosen_articles = c6.multiselect("Article", list(article_titles), key="evidence_article", placeholder="All articles",
                                 format_func=lambda i: article_titles.get(i) or f"(untitled) {i}")
text = st.text_input("Search claims and snippets", key="evidence_search", max_chars=MAX_SEARCH_CHARS).strip()
for (key, param, _options), chosen in zip(FILTERS, (source_types, stances, verdicts, weights, chosen_domains,
                                                    chosen_articles)):
    address.show_in_address(param, chosen)
address.show_in_address("q", text)

query = EvidenceQuery(source_types=tuple(source_types), stances=tuple(stances), verdicts=tuple(verdicts),
                      domains=tuple(chosen_domains), analysis_ids=tuple(chosen_articles),
                      counted={"yes": True, "no": False}[weights[0]] if len(weights) == 1 else None,
                      search=text, limit=PAGE_SIZE)
# The first page comes with the total (a search counts its matches once a render); another page is read on its own.
counted = storage.evidence_page(query)
matching = counted.total
pages = max(1, -(-matching // PAGE_SIZE))
page_number = st.number_input("Page", min_value=1, max_value=pages, value=1, step=1, key="evidence_page_number") if pages > 1 else 1
st.caption(f"{'More than ' if counted.more else ''}{matching} of {count_noun(everything, 'piece of evidence', 'pieces of evidence')}"
           + (f" · page {int(page_number)} of {pages}" if pages > 1 else ""))
if counted.more:
    # A search counts its matches up to a limit (core.storage.evidence_queries.SEARCH_LIMIT): counting them all would
    # read every one of them at every render.
    st.info(f"The search matches more than {matching:,} pieces of evidence: the pages and the charts below show the "
            f"newest {matching:,}. Add words or filters to narrow it.")

rows = counted.rows if page_number == 1 else storage.evidence_page(replace(query, offset=(int(page_number) - 1) * PAGE_SIZE)).rows
rows = evidence_explorer.in_card_order(evidence_explorer.with_weighed_reasons(rows, data.analysis))
# The passages first: each readable in full under its claim at any width, counted apart from leaning. The table
# holds the same rows one line each (a cell shows the whole passage on hover), for sorting and scanning.
passages_tab, table_tab = st.tabs(["Passages", "Table"])
if rows:
    passages_tab.html(evidence_explorer.passages_html(rows))
else:
    passages_tab.info("No evidence matches these filters.")
table_tab.dataframe(
    evidence_explorer.table(rows), hide_index=True, width="stretch", key="evidence_table",
    column_config={
        "Stance": st.column_config.TextColumn(width=105),
        "Evidence": st.column_config.TextColumn(width=340, help="Hover a cell to read the whole passage"),
        "Claim": st.column_config.TextColumn(width=220, help="Hover a cell to read the whole claim"),
        "Weight": st.column_config.TextColumn(width=200, help="Counted toward the verdict, or why not"),
        "Figures": st.column_config.TextColumn(width=220),
        "Verdict": st.column_config.TextColumn(width=125),
        "Confidence": st.column_config.ProgressColumn(min_value=0.0, max_value=1.0, format="percent"),
        "Evidence link": st.column_config.LinkColumn(display_text="open"),
        "Claim in article": st.column_config.LinkColumn(display_text="show claim"),
    },
)

st.subheader("Across the matching evidence")
counts = evidence_counts(data.settings().database, query, storage.revision())
if counts.newest:
    st.caption(f"Counted over the newest {counts.newest:,} matching pieces of evidence.")
stance_tab, outlet_tab, domain_tab = st.tabs(["Stance by source type", "Verdicts by outlet", "Most-cited domains"])
stance_tab.plotly_chart(charts.stance_by_source_type(counts.by_source_type), width="stretch", key="evidence-stance-chart")
outlet_tab.plotly_chart(charts.verdicts_by_outlet(counts.by_outlet), width="stretch", key="evidence-verdict-chart")
domain_tab.plotly_chart(charts.top_domains(counts.by_domain), width="stretch", key="evidence-domains-chart")

