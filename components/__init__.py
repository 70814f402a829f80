"""Streamlit building blocks of the dashboard: cached data access, rendering, download buttons.

Charts and colours live in core.figures, which the PDF reports share.
"""
