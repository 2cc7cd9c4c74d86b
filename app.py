"""规划任务图谱 explorer: ``streamlit run app.py``. Navigation and sidebar only; pages live in graph_builder/ui/pages."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run from a checkout without installing

import streamlit as st  # noqa: E402

from graph_builder.ui import layout  # noqa: E402

st.set_page_config(page_title="规划任务图谱", page_icon=":material/account_tree:", layout="wide")
pages = layout.build_pages()
nav = st.navigation(list(pages.values()))
layout.sidebar()
nav.run()
