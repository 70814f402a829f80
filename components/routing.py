"""Keeps every page behind the router (app.py), even for the first visitor of a freshly started server.

Once ``st.navigation`` has run, Streamlit no longer discovers the pages/ folder, but that switch is
one flag per server process (``PagesManager.uses_pages_directory``, Streamlit 1.67): it starts
true when a pages/ folder sits beside app.py, and only ``st.navigation`` turns it off. Until then
a script run takes Streamlit's old multipage path, which runs a page found by its file name alone:
a fresh server whose first visitor opens ``/library`` directly (a bookmark, or a tab reconnecting
after a restart) would show pages/library.py without app.py, so without the page config and with
the folder's own sidebar (app, analyze, compare, ...). tests/test_pages.py opens each page so.
"""
import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

ROUTER = Path(__file__).resolve().parent.parent / "app.py"


def require_router() -> None:
    """Called first by every page: when Streamlit ran this page without app.py, run app.py instead, in this same run.

    In this same run, not in a re-run, so that a click that started it is not lost.
    """
    if PagesManager.uses_pages_directory:
        # What st.navigation does; done first so that this page, when the router runs it, goes on.
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(ROUTER))
        st.stop()
