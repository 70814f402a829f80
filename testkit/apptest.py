"""The dashboard under Streamlit's AppTest, for the page tests: open a page, read what it shows, tick table rows."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.settings import get_settings
from core.storage import Storage

TIMEOUT = 120
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def app(page: str | None = None) -> AppTest:
    """The dashboard run once through app.py, then switched to ``page`` (a path such as "pages/library.py")."""
    test = AppTest.from_file(APP, default_timeout=TIMEOUT)
    test.run()
    if page:
        test.switch_page(page)
        test.run()
    assert not test.exception, test.exception
    return test


def texts(test: AppTest) -> str:
    """Everything the page wrote as text, Markdown escaping undone."""
    parts = [e.value for e in test.markdown] + [e.value for e in test.caption] + [e.value for e in test.info]
    parts += [e.value for e in test.error] + [e.value for e in test.warning] + [e.value for e in test.success]
    parts += [str(e.proto.body) for e in test.get("html")]
    return "\n".join(str(p) for p in parts).replace("\\", "")  # undo markdown escaping


def select_rows(test: AppTest, *rows: int) -> AppTest:
    """Tick rows of the Library table, as clicks in its checkbox column do."""
    test.session_state["library_table"] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    return test.run()


def store(*analyses) -> Storage:
    """Save ``analyses`` in the test's own library and return it."""
    storage = Storage(get_settings().db_path)
    for analysis in analyses:
        storage.save(analysis)
    return storage
