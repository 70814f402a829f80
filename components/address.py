"""Widgets whose values live in the page's address, so a filtered view can be bookmarked and sent on.

A widget is filled from its query parameter when it first appears on the page (an opened
link); after that the widget leads and the address follows it.
"""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st


def seed_choices(key: str, param: str, options: Sequence[str]) -> None:
    """Before a multiselect ``key`` is drawn: take its choices from ``?param=a&param=b`` (unknown values dropped)."""
    if key not in st.session_state:
        st.session_state[key] = [v for v in dict.fromkeys(st.query_params.get_all(param)) if v in options]


def seed_text(key: str, param: str, max_chars: int) -> bool:
    """Before a text input ``key`` is drawn: take its text from ``?param=…``, unless it is longer than ``max_chars``
    (an address can carry far more than a search may hold); whether it was left out for that, so the page can say so."""
    if key in st.session_state:
        return False
    text = st.query_params.get(param, "")
    too_long = len(text) > max_chars
    st.session_state[key] = "" if too_long else text
    return too_long


def show_in_address(param: str, value: str | Sequence[str]) -> None:
    """Write a widget's value to the address; an empty one leaves it out."""
    if value:
        st.query_params[param] = value
    else:
        st.query_params.pop(param, None)
