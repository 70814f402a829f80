"""Figures and their look, shared by the dashboard and the reports: plotly chart builders and one colour scheme.

Pure functions of the analyses: no Streamlit, no I/O.
"""
