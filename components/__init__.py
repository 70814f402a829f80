"""Streamlit-free building blocks of the dashboard: colour scheme and plotly chart builders."""
