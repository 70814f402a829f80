"""Crosscheck dashboard: the router. Every page lives in pages/."""
import streamlit as st

st.set_page_config(page_title="Crosscheck", page_icon="🔎", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/analyze.py", title="Analyze", icon="🔎", url_path="analyze", default=True),
        st.Page("pages/library.py", title="Library", icon="📚", url_path="library"),
        st.Page("pages/compare.py", title="Compare", icon="⚖️", url_path="compare"),
        st.Page("pages/evidence.py", title="Evidence", icon="🧾", url_path="evidence"),
        st.Page("pages/settings.py", title="Settings", icon="⚙️", url_path="settings"),
    ]
)
navigation.run()
