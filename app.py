"""Crosscheck dashboard: the router. Every page lives in views/ (not pages/, which would put Streamlit in its old multipage mode)."""
import streamlit as st

# An emoji favicon is drawn by the browser; a ":material/…:" one is fetched from fonts.gstatic.com on every page.
st.set_page_config(page_title="Crosscheck", page_icon="🔎", layout="wide")

navigation = st.navigation(
    [
        st.Page("views/analyze.py", title="Analyze", icon=":material/search:", default=True),  # served at /
        st.Page("views/library.py", title="Library", icon=":material/local_library:", url_path="library"),
        st.Page("views/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
        st.Page("views/jobs.py", title="Jobs", icon=":material/pending_actions:", url_path="jobs"),
        st.Page("views/evidence.py", title="Evidence", icon=":material/fact_check:", url_path="evidence"),
        st.Page("views/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
    ]
)
navigation.run()
