"""Keep every visit on app.py's ``st.navigation`` router."""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def use_router() -> None:
    """Hand a direct page run over to the router.

    Because the layout has a ``pages/`` folder, Streamlit starts in its old
    multipage mode and, when the first visit after start-up is to a sub-page
    (say ``/library``), runs ``pages/library.py`` directly instead of
    ``app.py``. Leaving that mode and rerunning makes ``app.py`` route the
    same URL through ``st.navigation``.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
