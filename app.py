"""Crosscheck dashboard: the router. Every page lives in pages/."""
import streamlit as st

st.set_page_config(page_title="Crosscheck", page_icon=":material/fact_check:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/analyze.py", title="Analyze", icon=":material/search:", default=True),  # served at /
        st.Page("pages/library.py", title="Library", icon=":material/local_library:", url_path="library"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
        st.Page("pages/evidence.py", title="Evidence", icon=":material/fact_check:", url_path="evidence"),
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:", url_path="settings"),
    ]
)
navigation.run()
