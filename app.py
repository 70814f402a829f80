"""Crosscheck dashboard: the router. Every page lives in pages/ and is listed here.

Streamlit stops discovering pages/ on its own once st.navigation has run in the server process;
before that (a fresh server's first visitor opening a page's address) it would run the page alone,
so every page first calls components.routing.require_router, which sends the run back through here.
"""
import streamlit as st

from components import review_panels

# An emoji favicon is drawn by the browser; a ":material/…:" one is fetched from fonts.gstatic.com on every page.
st.set_page_config(page_title="Crosscheck", page_icon="🔎", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/analyze.py", title="Analyze", icon=":material/search:", default=True),  # served at /
        st.Page("pages/library.py", title="Library", icon=":material/local_library:", url_path="library"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
        st.Page("pages/jobs.py", title="Jobs", icon=":material/pending_actions:", url_path="jobs"),
        st.Page("pages/evidence.py", title="Evidence", icon=":material/fact_check:", url_path="evidence"),
        st.Page("pages/story.py", title="Stories", icon=":material/newspaper:", url_path="story"),
        st.Page("pages/outlet.py", title="Outlets", icon=":material/apartment:", url_path="outlet"),
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
    ]
)
navigation.run()
# A name the analyst set on this page is written into the browser's cookie, so that the next visit knows it.
review_panels.remember_name_in_browser()
