"""Streamlit settings the project promises: usage statistics off in the project config and in scripts/run.sh,
the supported iframe API (no st.components.v1), and a pinned, tested Streamlit range."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import streamlit

ROOT = Path(__file__).resolve().parents[1]


def test_usage_statistics_off_in_project_config():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["browser"]["gatherUsageStats"] is False
    out = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120).stdout
    assert re.search(r"^gatherUsageStats = false$", out, re.M), "streamlit reads the project config from the repo root"
    assert "--browser.gatherUsageStats false" in (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")


def test_no_deprecated_component_api():
    for f in [ROOT / "app.py", *(ROOT / "graph_builder").rglob("*.py")]:
        text = f.read_text(encoding="utf-8")
        assert "components.v1" not in text and "use_container_width" not in text, f


def test_streamlit_pinned_to_the_tested_range():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    spec = next(d for d in py["project"]["dependencies"] if d.startswith("streamlit"))
    lo, hi = re.fullmatch(r"streamlit>=([\d.]+),<([\d.]+)", spec.split(";")[0].strip()).groups()
    v = tuple(int(x) for x in streamlit.__version__.split(".")[:2])
    assert tuple(int(x) for x in lo.split(".")[:2]) <= v < tuple(int(x) for x in hi.split(".")[:2])
    assert hasattr(streamlit, "iframe"), "st.iframe (1.56+) draws the graphs"
