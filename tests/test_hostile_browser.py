"""Hostile titles in the explorer (issue 13): real headless Chromium over CDP hovers every node of the trace
view (in the running app) and of the exported HTML. No dialog opens, no injected global is set, and the
payload title is visible as text in the tooltip.

Needs ``bash scripts/browser.sh``; under ``CI=true`` a missing Chromium is a failure, not a skip.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from graph_builder.ui.cdp import CHROMIUM, Browser, free_port, start_app, stop, wait_http
from graph_builder.ui.trace import build_trace_view, render_html

from .hostile_fixtures import BREAKOUT, XSS, build_hostile, payload_nodes

pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("需要 Debian chromium：bash scripts/browser.sh")
    pytest.skip("需要 Debian chromium：bash scripts/browser.sh")


class WatchingBrowser(Browser):
    """Records JavaScript dialogs (alert/confirm/prompt) instead of dropping CDP events, and dismisses them."""

    def __init__(self, *a, **kw):
        self.dialogs: list[str] = []
        super().__init__(*a, **kw)

    def call(self, method: str, **params):
        self._id += 1
        my = self._id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == "Page.javascriptDialogOpening":
                self.dialogs.append(msg["params"].get("message", ""))
                self._id += 1
                self.ws.send(json.dumps({"id": self._id, "method": "Page.handleJavaScriptDialog",
                                         "params": {"accept": False}}))
                continue
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})


# positions (page coordinates) of every drawn node inside the graph document *doc* at offset (ox, oy)
POSITIONS_JS = """((doc, ox, oy) => {
  const w = doc.defaultView, net = w.network; if (!net || !w.pgReady) return null;
  const pos = net.getPositions();
  return Object.keys(pos).map(id => { const p = net.canvasToDOM(pos[id]);
    const r = doc.getElementById('mynetwork').getBoundingClientRect();
    return {id: id, x: ox + r.left + p.x, y: oy + r.top + p.y}; });
})(%s)"""

TOOLTIP_JS = """((doc) => { const t = doc.querySelector('div.vis-tooltip');
  if (!t || t.style.visibility === 'hidden') return null;
  return {text: t.innerText, imgs: t.querySelectorAll('img,script,a,iframe').length}; })(%s)"""

PWNED_JS = """((docs) => docs.map(d => [d.defaultView.pgPwned, d.defaultView.pgPwned2]).flat()
  .concat([window.pgPwned, window.pgPwned2]).filter(v => v !== undefined).length)(%s)"""


def hover_all(b: WatchingBrowser, doc_expr: str, offset_expr: str) -> dict[str, dict]:
    """Move the real mouse over every node; return node id → tooltip seen."""
    nodes = b.wait_js(POSITIONS_JS % f"{doc_expr}, {offset_expr}", timeout=90)
    seen = {}
    for n in nodes:
        b.call("Input.dispatchMouseEvent", type="mouseMoved", x=0, y=0)
        b.call("Input.dispatchMouseEvent", type="mouseMoved", x=n["x"], y=n["y"])
        try:
            seen[n["id"]] = b.wait_js(TOOLTIP_JS % doc_expr, timeout=5)
        except TimeoutError:
            seen[n["id"]] = None
    time.sleep(0.5)
    return seen


def check(b: WatchingBrowser, seen: dict, payload_ids: dict[str, str], docs_expr: str) -> None:
    assert b.dialogs == [], f"a dialog opened: {b.dialogs}"
    assert b.js(PWNED_JS % docs_expr) == 0, "an injected script set a global"
    shown = {i: s for i, s in seen.items() if s}
    assert len(shown) >= len(seen) - 1, f"tooltips appeared on hover: {seen}"
    assert all(s["imgs"] == 0 for s in shown.values()), "no element from document text in a tooltip"
    for title, nid in payload_ids.items():
        if nid in seen:
            assert seen[nid] and title in seen[nid]["text"], (title, seen[nid])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile-browser")
    store, report = build_hostile(d)
    return d, store, payload_nodes(store.load())


def test_exported_trace_html_hover_runs_no_script(hostile, tmp_path):
    _need_chromium()
    _d, store, ids = hostile
    focus = ids[XSS]
    view = build_trace_view(store, focus)
    page = tmp_path / "trace.html"
    page.write_text(render_html(view), encoding="utf-8")
    assert "<img src=x" not in page.read_text(encoding="utf-8")
    b = WatchingBrowser()
    try:
        b.call("Page.navigate", url=page.as_uri())
        seen = hover_all(b, "document", "0, 0")
        assert focus in seen and len(seen) >= 2
        check(b, seen, {XSS: focus}, "[document]")
        assert b.js("document.getElementById('pg-png') !== null && typeof window.network === 'object'")
    finally:
        b.close()


def test_exported_html_survives_script_breakout_title(hostile, tmp_path):
    """A focus title starting with </script> (it names the PNG file) must not end the script block."""
    _need_chromium()
    _d, store, ids = hostile
    view = build_trace_view(store, ids[BREAKOUT])
    page = tmp_path / "breakout.html"
    page.write_text(render_html(view), encoding="utf-8")
    b = WatchingBrowser()
    try:
        b.call("Page.navigate", url=page.as_uri())
        seen = hover_all(b, "document", "0, 0")
        check(b, seen, {BREAKOUT: ids[BREAKOUT]}, "[document]")
        assert b.js("window.pgReady === true"), "the page script (PNG and fit buttons) still ran"
    finally:
        b.close()


FRAME = "[...document.querySelectorAll('iframe')].find(f => f.contentWindow && f.contentWindow.pgReady)"


def test_app_trace_view_hover_runs_no_script(hostile, tmp_path):
    _need_chromium()
    d, store, ids = hostile
    port = free_port()
    server = start_app(store.directory, port, tmp_path / "review.csv")
    b = None
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health")
        b = WatchingBrowser()
        b.call("Page.navigate", url=f"http://127.0.0.1:{port}/trace?id={ids[XSS]}")
        b.wait_js(f"!!({FRAME})", timeout=90)
        doc = f"({FRAME}).contentDocument"
        off = f"({FRAME}).getBoundingClientRect().left, ({FRAME}).getBoundingClientRect().top"
        b.js(f"({FRAME}).scrollIntoView()")
        time.sleep(1.0)
        seen = hover_all(b, doc, off)
        check(b, seen, {XSS: ids[XSS]}, f"[{doc}]")
        body = b.js("document.body.innerText")
        assert "onerror" in body, "the payload title is shown as text on the page"
        assert b.js("document.querySelectorAll('[data-testid=\"stMain\"] img[src=\"x\"]').length") == 0
        # a crafted id parameter is rejected, not echoed as markdown
        b.call("Page.navigate", url=f"http://127.0.0.1:{port}/trace?id=%5B%E9%87%8D%E6%96%B0%E7%99%BB%E5%BD%95%5D(http://evil.example)")
        b.wait_js("document.body.innerText.includes('格式不正确')", timeout=60)
        assert b.js("document.querySelectorAll('a[href^=\"http://evil\"]').length") == 0
        assert b.dialogs == []
    finally:
        if b is not None:
            b.close()
        stop(server)
