"""Streamlit explorer helpers (issue 5): data access with caching, pyvis rendering, tables, exports, styling.

Page scripts under ``pages/`` only lay out widgets; everything they show is computed here or in the
query library, so the same functions serve the tests and the benchmark without a browser.
"""
