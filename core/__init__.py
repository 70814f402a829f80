"""Crosscheck core: a pure-Python library for analysing news articles (never imports streamlit)."""
