"""Keep every visit on app.py's ``st.navigation`` router."""
import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

ROUTER = Path(__file__).resolve().parent.parent / "app.py"


def use_router() -> None:
    """Run this page through the router when Streamlit started it directly.

    Because the layout has a ``pages/`` folder, Streamlit starts in its old
    multipage mode and, when the first visit after start-up is to a sub-page
    (say ``/library``), runs ``pages/library.py`` directly instead of
    ``app.py``. Running ``app.py`` here leaves that mode (``st.navigation``
    turns it off) and renders the same URL's page through the router, in this
    same run, so widget events are not lost; then this direct run stops.
    """
    if PagesManager.uses_pages_directory:
        runpy.run_path(str(ROUTER), run_name="__main__")
        st.stop()
