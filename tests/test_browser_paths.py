"""The three questions of the meeting, each answered in ≤ 3 real mouse clicks from the overview, in headless
Debian Chromium (DevTools protocol) against ``streamlit run app.py`` on the seed build:

1. where did the Anhui task 完善市场监管综合体系 go?
2. which Suzhou tasks have no Anhui source, and which Anhui tasks did Suzhou not pick up?
3. who leads Suzhou's food-safety tasks after a filled 分工方案 is loaded?

Expected answers come from the store's own queries, not from constants. Screenshots go to ``artifacts/``;
``python scripts/readme_figures.py`` copies them into docs/images for the README.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import openpyxl
import pytest

from graph_builder.cli import main
from graph_builder.store import EmbeddedStore
from graph_builder.ui.cdp import CHROMIUM, Browser, Clicker, by_text_js, free_port, page_ready_js, start_app, stop, wait_http

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
GOAL = "完善市场监管综合体系"
LEAD = "市食品安全协调科"

pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    msg = "需要 Debian chromium：bash scripts/browser.sh"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


def _fill_food_rows(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = {c.value: i for i, c in enumerate(ws[2])}
    food = []
    for row in ws.iter_rows(min_row=3):
        keep = "食品" in str(row[col["任务"]].value)
        row[col["牵头单位"]].value = LEAD if keep else None
        row[col["配合单位"]].value = "市教育局" if keep else None
        if keep:
            food.append(row[col["任务"]].value)
    wb.save(path)
    return food


@pytest.fixture(scope="module")
def app(seed_store, tmp_path_factory):
    """The seed build with a filled 分工方案 read back for Suzhou (draft → fill → load, as a bureau does)."""
    _need_chromium()
    tmp = tmp_path_factory.mktemp("paths")
    store_dir = tmp / "store"
    shutil.copytree(seed_store.directory, store_dir)
    draft = tmp / "宿州市分工方案.xlsx"
    assert main(["分工", "draft", "宿州市", "--out", str(draft), "--store", str(store_dir)]) == 0
    food = _fill_food_rows(draft)
    assert main(["分工", "load", str(draft), "--store", str(store_dir)]) == 0
    port = free_port()
    server = start_app(store_dir, port, tmp / "review.csv")
    browser = None
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", 90)
        browser = Browser(width=1500, height=1100)
        yield {"url": f"http://127.0.0.1:{port}/", "browser": browser, "store": EmbeddedStore(store_dir), "food": food}
    finally:
        if browser is not None:
            browser.close()
        stop(server)


def overview(app) -> Clicker:
    b = app["browser"]
    b.call("Page.navigate", url=app["url"])
    b.wait_js(page_ready_js("概览"), 90)
    return Clicker(b)


def text_of(b, selector: str) -> str:
    return b.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); return e ? e.innerText : ''; }})()")


GRAPH_JS = """(() => {
  const f = [...document.querySelectorAll('iframe')].find(f => f.contentWindow && f.contentWindow.pgReady);
  if (!f) return null;
  return f.contentWindow.nodes.get().map(n => ({id: n.id, region: n.region, label: n.label}));
})()"""


def test_path1_where_did_the_anhui_goal_go(app):
    b, store = app["browser"], app["store"]
    goal = next(n for n in store.nodes("Task") if n.title == GOAL and store.node(n.plan).get("region") == "安徽省")
    implementing = {r["id"] for r in store.query("trace_down", id=goal.id)}
    assert implementing, "the seed build links Suzhou items to the goal"
    c = overview(app)
    b.screenshot(ARTIFACTS / "readme_overview.png")
    c.click("document.querySelector('input[aria-label=\"查找目标（任务、项目或指标的标题）\"]')")
    c.type(GOAL)
    c.click(by_text_js("a[data-testid='stPageLink-NavLink']", GOAL))
    nodes = b.wait_js(GRAPH_JS, 90)
    b.wait_js("document.getElementById('pg-goal-summary') !== null", 30)
    drawn = {n["id"] for n in nodes}
    assert goal.id in drawn and implementing <= drawn, "the goal and every implementing item are drawn"
    assert "宿州市" in {n["region"] for n in nodes}
    summary = text_of(b, "#pg-goal-summary")
    assert f"下级承接 {len(implementing)} 项" in summary and "宿州市" in summary
    assert c.clicks <= 3, c.clicks
    time.sleep(1.0)  # vis finishes its first draw
    b.screenshot(ARTIFACTS / "readme_goal.png")


def test_path2_missing_sources_and_not_picked_up(app):
    b, store = app["browser"], app["store"]
    no_match = [r for r in store.query("orphans", kind="no_upper") if r["reason"] == "no_match"]
    not_picked = [r for r in store.query("orphans", kind="not_picked_up")]
    assert no_match and not_picked
    c = overview(app)
    c.click(by_text_js("[data-testid='stSidebarNav'] a", "孤立与重叠"))
    b.wait_js(page_ready_js("孤立与重叠"), 60)
    b.wait_js("document.getElementById('pg-or-not_broken_down') !== null", 60)
    assert text_of(b, "#pg-or-no_match").endswith(f"宿州市 {len(no_match)} 项")
    assert text_of(b, "#pg-or-not_broken_down").endswith(f"安徽省 {len(not_picked)} 项")
    missing = text_of(b, "[data-testid='stMain']")
    assert "上级规划未载入" in missing and "请载入" in missing, "missing upper plans: one line each"
    assert c.clicks <= 3, c.clicks
    b.screenshot(ARTIFACTS / "readme_orphans.png")


def test_path3_who_leads_suzhou_food_safety_after_the_division_table(app):
    b = app["browser"]
    c = overview(app)
    c.click(by_text_js("[data-testid='stSidebarNav'] a", "责任"))
    b.wait_js(page_ready_js("责任分工"), 60)
    b.wait_js("(document.getElementById('pg-rs-summary') || {innerText: ''}).innerText.startsWith('宿州市')", 60)
    c.click("document.querySelector('input[aria-label=\"任务包含\"]')")
    c.type("食品")
    b.wait_js("(document.getElementById('pg-rs-summary') || {innerText: ''}).innerText.includes('食品')", 60)
    summary = text_of(b, "#pg-rs-summary")
    assert f"牵头：宿州{LEAD} {len(app['food'])} 项" in summary, summary
    assert c.clicks <= 3, c.clicks
    time.sleep(0.5)
    b.screenshot(ARTIFACTS / "readme_responsibility.png")


def test_no_request_leaves_the_machine(app):
    """Usage statistics are off (.streamlit/config.toml): loading and using the app requests only 127.0.0.1."""
    b = app["browser"]
    b.call("Network.enable")
    b.events.clear()
    c = overview(app)
    c.click(by_text_js("[data-testid='stSidebarNav'] a", "指标"))
    b.wait_js(page_ready_js("指标对照"), 60)
    time.sleep(2.0)  # a usage-statistics beacon would go out after the page settles
    b.js("1")  # drain events
    urls = [e["params"]["request"]["url"] for e in b.events if e.get("method") == "Network.requestWillBeSent"]
    assert urls, "requests were recorded"
    outside = [u for u in urls if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:"))]
    assert not outside, outside
    b.call("Network.disable")
