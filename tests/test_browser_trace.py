"""Real-browser test of the explorer: headless Debian Chromium (driven over the DevTools protocol with
websocket-client) loads ``streamlit run app.py``, opens the goal view (去向) of an Anhui task that a Suzhou task
implements, finds both plans' nodes in the drawn graph, checks that Chinese renders as glyphs (not the
missing-glyph box), and saves a screenshot under ``artifacts/``.

Needs ``bash scripts/browser.sh`` (chromium, chromium-driver, fonts-noto-cjk). Under ``CI=true`` a missing
Chromium is a failure, not a skip.
"""
from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from graph_builder.models import Graph
from graph_builder.store import EmbeddedStore
from graph_builder.ui.cdp import CHROMIUM, Browser, free_port, start_app, stop, wait_http
from tests.synthetic import ids, synthetic_graph

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    msg = "需要 Debian chromium：bash scripts/browser.sh"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


# canvas renderings of two different ideographs and of an unassigned code point (the missing-glyph box):
# without a CJK font both ideographs draw the same box, so they equal each other and the box.
GLYPH_JS = """(() => {
  const draw = (t) => { const c = document.createElement('canvas'); c.width = 120; c.height = 60;
    const x = c.getContext('2d'); x.fillStyle = '#fff'; x.fillRect(0, 0, 120, 60); x.fillStyle = '#000';
    x.font = '40px "Noto Sans CJK SC", sans-serif'; x.fillText(t, 10, 45); return c.toDataURL(); };
  return {gui: draw('规'), hua: draw('划'), box: draw('\\u0378'), blank: draw('')};
})()"""

NODES_JS = """(() => {
  const f = [...document.querySelectorAll('iframe')].find(f => f.contentWindow && f.contentWindow.pgReady);
  if (!f) return null;
  const w = f.contentWindow;
  return {nodes: w.nodes.get().map(n => ({id: n.id, plan: n.plan, region: n.region, label: n.label})),
          edges: w.edges.get().length};
})()"""


CLICK_JS = """(() => {
  const f = [...document.querySelectorAll('iframe')].find(f => f.contentWindow && f.contentWindow.pgReady);
  const w = f.contentWindow;
  w.network.body.emitter.emit('click', {nodes: [%s], edges: [], pointer: {DOM: {x: 0, y: 0}, canvas: {x: 0, y: 0}}});
  const p = w.document.getElementById('pg-panel');
  return p.style.display === 'block' ? p.innerText : null;
})()"""


def run_trace_check(app: Path, store_dir: Path, focus: str, upper_region: str, lower_region: str, shot: Path,
                    decisions: Path) -> dict:
    """Open /trace?id=FOCUS in Chromium; return what was found (nodes, plans text, glyph images)."""
    port = free_port()
    server = start_app(store_dir, port, decisions, app)
    browser = None
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health")
        browser = Browser()
        browser.call("Page.navigate", url=f"http://127.0.0.1:{port}/trace?id={focus}")
        found = browser.wait_js(NODES_JS, timeout=90)
        browser.wait_js("document.getElementById('pg-goal-summary') && document.getElementById('pg-goal-summary').innerText", 30)
        time.sleep(1.0)  # let vis finish its first draw before the screenshot
        found["plans_text"] = browser.js("document.querySelector('[data-testid=\"stMain\"]').innerText")
        found["panel"] = browser.js(CLICK_JS % json.dumps(focus))  # a click on the focus opens its details
        found["glyphs"] = browser.js(GLYPH_JS)
        found["body_has_title"] = browser.js("document.body.innerText.includes('追溯')")
        browser.screenshot(shot)
        return found
    finally:
        if browser is not None:
            browser.close()
        stop(server)


def assert_trace(found: dict, focus: str, upper_region: str, lower_region: str, shot: Path) -> None:
    nodes = found["nodes"]
    regions = {n["region"] for n in nodes}
    assert any(n["id"] == focus for n in nodes), "the focus node is drawn"
    assert upper_region in regions and lower_region in regions, f"both plans' nodes drawn: {regions}"
    assert found["edges"] >= 1
    assert upper_region in found["plans_text"] and lower_region in found["plans_text"]
    assert found["body_has_title"]
    focus_title = next(n["label"] for n in nodes if n["id"] == focus).split("\n")[-1].rstrip("…")
    assert found["panel"] and focus_title in found["panel"] and "责任单位" in found["panel"], found["panel"]
    g = found["glyphs"]
    assert g["gui"] != g["hua"], "two different ideographs render differently (not the same missing-glyph box)"
    assert g["gui"] != g["box"] and g["hua"] != g["box"], "ideographs do not render as the missing-glyph box"
    assert g["gui"] != g["blank"]
    assert shot.exists() and shot.stat().st_size > 20_000


def test_cjk_font_installed():
    _need_chromium()
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert "Noto" in out and "CJK" in out, "fonts-noto-cjk is installed (bash scripts/browser.sh)"


def test_trace_view_in_chromium_synthetic(tmp_path):
    """Synthetic fixture: 安徽省 task 深入推进商事制度改革 implemented by 宿州市."""
    _need_chromium()
    store_dir = tmp_path / "store"
    EmbeddedStore(store_dir).replace_all(synthetic_graph())
    focus = ids()["安徽省:深入推进商事制度改革"]
    shot = ARTIFACTS / "trace_synthetic.png"
    found = run_trace_check(ROOT / "app.py", store_dir, focus, "安徽省", "宿州市", shot, tmp_path / "review.csv")
    assert_trace(found, focus, "安徽省", "宿州市", shot)


def _anhui_task_suzhou_implements(g: Graph) -> str | None:
    region = {n.id: n.get("region") for n in g.by_label("Plan")}
    best = None
    for e in g.edges_of("上级规划"):
        s, t = g.nodes.get(e.source), g.nodes.get(e.target)
        if not s or not t or s.label not in ("Task", "Project") or e.get("status") == "rejected":
            continue
        if "宿州" in (region.get(s.plan) or "") and "安徽" in (region.get(t.plan) or ""):
            score = float(e.get("score") or 0)
            if best is None or score > best[0]:
                best = (score, t.id)
    return best[1] if best else None


@pytest.fixture(scope="session")
def seed_store_dir(seed_store) -> Path:
    """The seed build from tests/conftest.py (built once per session)."""
    return seed_store.directory


def test_trace_view_in_chromium_seed(seed_store_dir, tmp_path):
    """The real seed build: the best-linked Anhui task that a Suzhou task implements."""
    _need_chromium()
    g = EmbeddedStore(seed_store_dir).load()
    focus = _anhui_task_suzhou_implements(g)
    assert focus, "the seed build links some Suzhou task to an Anhui task"
    plan_region = {n.id: n.get("region") for n in g.by_label("Plan")}
    upper = plan_region[g.nodes[focus].plan]
    lower = next(plan_region[g.nodes[e.source].plan] for e in g.edges_of("上级规划")
                 if e.target == focus and "宿州" in (plan_region.get(g.nodes[e.source].plan) or ""))
    shot = ARTIFACTS / "trace_seed.png"
    found = run_trace_check(ROOT / "app.py", seed_store_dir, focus, upper, lower, shot, tmp_path / "review.csv")
    assert_trace(found, focus, upper, lower, shot)
