"""The explorer on a national-shaped tree: a trace from a national task is drawn by region (provinces as boxes
with counts, one opened at a time) and never past the cap; coverage is regions × upper sections with a drill-down.

A small synthetic tree (合成测试数据: 1 national plan, 4 provinces, 3 cities each, every item linked upward)
stands in for the national corpus, with the cap lowered so the same code paths run in a second.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graph_builder.goal import build_goal_view
from graph_builder.models import Edge, Graph, Node
from graph_builder.queries import run_embedded
from graph_builder.store import EmbeddedStore
from graph_builder.ui.goal_view import goal_trace_view
from graph_builder.ui.trace import build_trace_view

ROOT = Path(__file__).resolve().parents[1]
PROVINCES = ("甲省", "乙省", "丙省", "丁省")
SECTIONS = ("一、优化营商环境", "二、强化食品安全")


def national_tree(cities: int = 3) -> Graph:
    """national → 4 provinces → *cities* cities each; per plan two sections of one task each, linked upward
    (the second province's cities skip the food-safety task, so coverage differs by region)."""
    g = Graph()

    def plan(pid: str, region: str | None, level: str, upper: str | None) -> str:
        g.add_node(Node(pid, "Plan", {"title": f"{region or '国家'}市场监管规划（合成测试）", "region": region,
                                      "level": level, "loaded": True}))
        if upper:
            g.add_edge(Edge("上级规划", pid, upper, {"score": 1.0, "status": "accepted", "kind": "special"}))
        for k, title in enumerate(SECTIONS):
            sid, tid = f"section:{pid}:{k}", f"task:{pid}:{k}"
            g.add_node(Node(sid, "Section", {"plan": pid, "title": title, "line": 10 * k + 1, "kind": "task"}))
            g.add_node(Node(tid, "Task", {"plan": pid, "title": f"{region or '国家'}{title[2:]}", "text": "正文", "line": 10 * k + 2}))
            g.add_edge(Edge("CONTAINS", pid, sid))
            g.add_edge(Edge("CONTAINS", sid, tid))
        return pid

    nat = plan("plan:nat", None, "national", None)
    for i, prov in enumerate(PROVINCES):
        p = plan(f"plan:p{i}", prov, "province", nat)
        for k in range(2):
            g.add_edge(Edge("上级规划", f"task:{p}:{k}", f"task:{nat}:{k}", {"score": 0.9, "status": "linked"}))
        for j in range(cities):
            c = plan(f"plan:p{i}c{j}", f"{prov[0]}{j}市", "city", p)
            for k in range(2):
                if i == 1 and k == 1:
                    continue
                g.add_edge(Edge("上级规划", f"task:{c}:{k}", f"task:{p}:{k}", {"score": 0.8, "status": "linked"}))
    return g


@pytest.fixture
def tree_store(tmp_path) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / "store")
    store.replace_all(national_tree())
    return store


def drawn(store, goal: str, cap: int, expand=()) -> dict:
    return goal_trace_view(store, build_goal_view(store, goal, cap=cap, expand=tuple(expand))).nodes


def test_national_goal_is_drawn_as_one_box_per_province_with_counts(tree_store):
    nodes = drawn(tree_store, "task:plan:nat:0", cap=6)
    boxes = {n.plan: n for n in nodes.values() if n.aggregate}
    assert set(boxes) == {f"plan:p{i}" for i in range(4)}, "provinces as boxes, no city drawn"
    assert len(nodes) == 1 + 4 <= 6 + 1, "never more than the cap (plus the goal)"
    assert "下级 3 个规划，3 个已承接" in boxes["plan:p0"].title and boxes["plan:p0"].aggregate == 4


def test_expanding_one_province_opens_its_cities_only(tree_store):
    nodes = drawn(tree_store, "task:plan:nat:0", cap=6, expand=["plan:p2"])
    cities = {n.plan for n in nodes.values() if n.plan and n.plan.startswith("plan:p2c")}
    assert cities == {"plan:p2c0", "plan:p2c1", "plan:p2c2"}, "the opened province shows each city"
    assert not any(n.plan and n.plan.startswith(("plan:p0c", "plan:p1c", "plan:p3c")) for n in nodes.values())
    assert "task:plan:p2:0" in nodes, "and its own implementing item"
    assert len(nodes) <= 1 + 3 + 1 + 3, "other provinces stay one box each"


def test_small_trees_are_drawn_item_by_item(tree_store):
    nodes = drawn(tree_store, "task:plan:nat:0", cap=60)
    assert not any(n.aggregate for n in nodes.values()) and len(nodes) == 1 + 4 + 12


def test_chain_view_summarises_hidden_items_per_province(tmp_path):
    store = EmbeddedStore(tmp_path / "s")
    store.replace_all(national_tree(cities=12))
    view = build_trace_view(store, "task:plan:nat:0", cap=10)
    aggs = [n for n in view.nodes.values() if n.aggregate]
    assert len(view.nodes) - len(aggs) <= 10
    assert {a.plan for a in aggs} <= {f"plan:p{i}" for i in range(4)}, "placeholders per province, not per city"
    assert sum(a.aggregate for a in aggs) == view.total - (len(view.nodes) - len(aggs))


def test_coverage_counts_direct_lower_links(tree_store):
    rows = run_embedded(tree_store.load(), "coverage", lower="plan:p1c0")
    by = {(r["upper_plan"], r["section_title"]): r["covered"] for r in rows}
    assert by[("plan:p1", SECTIONS[0])] == 1 and by[("plan:p1", SECTIONS[1])] == 0
    assert by[("plan:nat", SECTIONS[0])] == 0, "a city covers the national plan only through direct links"


def test_overview_region_matrix_drills_down_one_province(tree_store, monkeypatch, tmp_path):
    monkeypatch.setenv("PLANGRAPH_STORE", str(tree_store.directory))
    monkeypatch.setenv("PLANGRAPH_DECISIONS", str(tmp_path / "review.csv"))
    for k in ("NEO4J_URI", "NEO4J_DATABASE"):
        monkeypatch.delenv(k, raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]

    def matrix():
        frames = [getattr(d.value, "data", d.value) for d in at.dataframe]
        return next(f for f in frames if "地区" in f.columns and "下级数" in f.columns)

    top = matrix()
    assert list(top["地区"]) == sorted(PROVINCES, key=list(top["地区"]).index) and len(top) == 4
    assert set(top[top["地区"] == "乙省"]["覆盖率%"]) == {100.0}
    at.selectbox(key="ov_drill_plan:nat").set_value("plan:p1").run()
    assert not at.exception, [e.value for e in at.exception]
    down = matrix()
    assert list(down["地区"]) == ["乙省", "乙0市", "乙1市", "乙2市"], "the province, then its cities"
    assert set(down["覆盖率%"][1:]) == {0.0}, "cities link to the province, not the national plan"
    at.button(key="ov_cov_up").click().run()
    assert len(matrix()) == 4, "back to the provinces"
