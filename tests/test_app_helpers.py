"""The explorer's helpers without a browser: capped trace views, exports, shared-passage highlighting."""
from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from graph_builder.models import Edge, Graph, Node, stable_id
from graph_builder.store import EmbeddedStore
from graph_builder.ui import tables
from graph_builder.ui.export import chromium_path, html_to_png, to_xlsx
from tests.synthetic import ids, synthetic_graph
from graph_builder.ui.trace import build_trace_view, render_html


def fan_out(n_children: int) -> tuple[Graph, str]:
    """One national task that *n_children* county tasks implement (synthetic), to exercise the cap."""
    g = Graph()
    nat = g.add_node(Node("plan:n", "Plan", {"title": "国家规划（合成）", "level": "national", "region": None, "loaded": True}))
    top = g.add_node(Node(stable_id("task", "n", "top"), "Task", {"plan": nat.id, "title": "总任务", "text": "总任务正文"}))
    for i in range(n_children):
        p = g.add_node(Node(f"plan:c{i % 7}", "Plan", {"title": f"县规划{i % 7}（合成）", "level": "county",
                                                      "region": f"县{i % 7}", "loaded": True}))
        t = g.add_node(Node(stable_id("task", "c", str(i)), "Task", {"plan": p.id, "title": f"子任务{i}", "text": "正文"}))
        g.add_edge(Edge("上级规划", t.id, top.id, {"score": 0.5, "status": "suggested", "evidence": ["正文"]}))
    return g, top.id


def test_trace_view_is_capped_and_paged(tmp_path):
    g, top = fan_out(650)
    store = EmbeddedStore(tmp_path)
    store.replace_all(g)
    view = build_trace_view(store, top, cap=300)
    drawn = [n for n in view.nodes.values() if not n.aggregate]
    assert len(drawn) == 300 and view.total == 651
    assert view.pages == 3 and view.hidden == 650 - 299, "the rest is summarised, not drawn"
    aggs = [n for n in view.nodes.values() if n.aggregate]
    assert aggs and all("另有" in n.title for n in aggs)
    last = build_trace_view(store, top, cap=300, page=2)
    assert len([n for n in last.nodes.values() if not n.aggregate]) == 1 + 650 - 2 * 299
    html = render_html(view)
    assert html.count('"id": "agg:') == len(aggs)


def test_rejected_links_are_not_drawn(tmp_path):
    store = EmbeddedStore(tmp_path)
    store.replace_all(synthetic_graph())
    i = ids()
    view = build_trace_view(store, i["安徽省:强化食品安全监管"])
    assert i["宿州市:推进农产品快检"] not in view.nodes, "rejected link ignored"
    assert i["宿州市:推进食品快速检测"] in view.nodes, "suspect link still shown"
    e = next(e for e in view.edges if e.source == i["宿州市:推进食品快速检测"])
    assert e.status == "suspect"


def test_xlsx_roundtrip_keeps_chinese():
    df = pd.DataFrame({"部门": ["宿州市市场监督管理局"], "合计": [3]})
    data = to_xlsx({"部门工作量": df, "空表": pd.DataFrame({"列": []})})
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["部门工作量", "空表"]
    assert [c.value for c in wb["部门工作量"][2]] == ["宿州市市场监督管理局", 3]


def test_highlight_marks_shared_passages_only():
    a = "深化“放管服”改革，持续优化营商环境。打造宿州“464”政务服务品牌。"
    b = "深化“放管服”改革，持续优化营商环境，全面推行证照分离改革。"
    ha, hb, share = tables.highlight_pair(a, b)
    assert '<mark class="pg-shared">深化“放管服”改革，持续优化营商环境</mark>' in ha
    assert "464" in ha and "<mark class=\"pg-shared\">打造" not in ha
    assert 0.4 < share < 0.7
    _, _, none = tables.highlight_pair("完全不同的文字内容", "另外一段没有共同点")
    assert none == 0.0
    assert "&lt;script&gt;" in tables.highlight_pair("<script>x</script>", "y")[0], "text is escaped"


def test_share_colour_scale_runs_red_to_green():
    assert tables.share_colour(0).startswith("background-color: rgb(244,114,102)")
    assert tables.share_colour(100) == "background-color: rgb(99,190,123); color: #111"
    assert tables.share_colour("—") == ""


def test_outline_rows_count_items_per_section(tmp_path):
    store = EmbeddedStore(tmp_path)
    store.replace_all(synthetic_graph())
    rows = tables.outline_rows(store, ids()["plan:宿州市"])
    by_title = {r["标题"]: r for r in rows}
    assert by_title["（二）安全监管创“稳”"]["任务"] == 3
    assert by_title["三、主要目标"]["指标"] == 2


@pytest.mark.browser
def test_png_export_renders_graph(tmp_path):
    if not chromium_path():
        if os.environ.get("CI") == "true":
            pytest.fail("需要 Chromium：bash scripts/browser.sh")
        pytest.skip("no chromium")
    store = EmbeddedStore(tmp_path)
    store.replace_all(synthetic_graph())
    html = render_html(build_trace_view(store, ids()["安徽省:深入推进商事制度改革"]))
    png = html_to_png(html, 1200, 700)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    out = Path(__file__).resolve().parents[1] / "artifacts" / "trace_export.png"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(png)
