"""Exports from the explorer: any table as .xlsx, the current graph view as HTML, and as PNG.

PNG is made in the browser by the graph's own “下载 PNG” button (the canvas as drawn); when Debian's
Chromium is installed the page can also render it server-side, which is what the tests check.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                  "--hide-scrollbars"]


def to_xlsx(frames: dict[str, pd.DataFrame] | pd.DataFrame, sheet: str = "数据") -> bytes:
    """An .xlsx with one sheet per frame, through the one safe writer (cells are strings, never formulas)."""
    from ..safeout import frame_rows, xlsx_bytes

    if isinstance(frames, pd.DataFrame):
        frames = {sheet: frames}
    return xlsx_bytes({name: frame_rows(df) for name, df in frames.items()})


def chromium_path() -> str | None:
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


def html_to_png(html: str, width: int = 1600, height: int = 900, timeout: float = 60.0) -> bytes:
    """Render self-contained HTML to PNG with headless Chromium (raises RuntimeError when it is missing)."""
    exe = chromium_path()
    if not exe:
        raise RuntimeError("未安装 Chromium，无法在服务器端生成 PNG；请使用图中的“下载 PNG”按钮")
    with tempfile.TemporaryDirectory(prefix="plangraph-png-") as tmp:
        page, out = Path(tmp) / "view.html", Path(tmp) / "view.png"
        clean = html.replace("</head>", "<style>#pg-tools,#pg-panel{display:none!important}</style></head>", 1)
        page.write_text(clean, encoding="utf-8")  # the picture shows the graph, not the in-page buttons
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--window-size={width},{height}",
               "--virtual-time-budget=3000", f"--screenshot={out}", page.as_uri()]
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout)
        if not out.exists():
            raise RuntimeError(f"Chromium 未能生成 PNG（退出码 {proc.returncode}）")
        return out.read_bytes()
