"""规划任务图谱 explorer: ``streamlit run app.py``. Navigation and sidebar only; pages live in graph_builder/ui/pages."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run from a checkout without installing

import streamlit as st  # noqa: E402

from graph_builder.ui import layout  # noqa: E402
from graph_builder.ui.style import page_icon  # noqa: E402

st.set_page_config(page_title="规划任务图谱", page_icon=page_icon(), layout="wide")
from graph_builder.errors import GraphBuilderError  # noqa: E402

pages = layout.build_pages()
nav = st.navigation(list(pages.values()))
layout.sidebar()
try:
    nav.run()
except GraphBuilderError as exc:  # e.g. Neo4j went away mid-session: one clear line, not a traceback
    st.error(f"读取图谱失败：{exc}")
