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


# ------------------------------------------------------------------ pages stay bounded on many plans

def with_indicators(g: Graph) -> Graph:
    """One indicator per plan, linked to its upper plan's (丙省's cities set a weaker target: a flag),
    the way the linker records them (flags and reasons on the 上级规划 edge)."""
    level_target = {"national": "98", "province": "97", "city": "96"}
    for p in [n for n in g.nodes.values() if n.label == "Plan"]:
        g.add_node(Node(f"ind:{p.id}", "Indicator", {"plan": p.id, "name": "食品抽检合格率", "unit": "%",
                                                      "target": level_target[p.get("level")], "line": 5}))
    for e in [e for e in g.edges if e.type == "上级规划" and e.source.startswith("plan:") and e.target.startswith("plan:")]:
        weaker = e.source.startswith("plan:p2c")
        g.add_edge(Edge("上级规划", f"ind:{e.source}", f"ind:{e.target}",
                        {"score": 1.0, "status": "linked", "flags": ["weaker_target"] if weaker else [],
                         "reasons": ["目标低于上级（合成测试）"] if weaker else []}))
    return g


@pytest.fixture
def many_plans_app(tmp_path, monkeypatch):
    """The app on a 17-plan tree with the national-scale limits lowered: 4 rows a page, the province asked
    first above 5 plans — the code paths the 3,000-plan graph takes, in a second."""
    from graph_builder.ui import layout

    store = EmbeddedStore(tmp_path / "store")
    store.replace_all(with_indicators(national_tree()))
    monkeypatch.setenv("PLANGRAPH_STORE", str(store.directory))
    monkeypatch.setenv("PLANGRAPH_DECISIONS", str(tmp_path / "review.csv"))
    for k in ("NEO4J_URI", "NEO4J_DATABASE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setattr(layout, "PAGE_ROWS", 4)
    monkeypatch.setattr(layout, "PLAN_PICK_MAX", 5)

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.switch_page(f"graph_builder/ui/pages/{page}.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return store, open_page


def frames_of(at: AppTest) -> list:
    return [getattr(d.value, "data", d.value) for d in at.dataframe]


def test_indicator_group_across_17_plans_is_shown_a_page_at_a_time(many_plans_app):
    store, open_page = many_plans_app
    at = open_page("indicators")
    summary = next(f for f in frames_of(at) if "规划数" in f.columns)
    assert list(summary["规划数"]) == [17] and summary["最高层级规划"].iloc[0] == "国家"
    assert summary["一致性问题"].iloc[0] == 3, "丙省's three cities each carry one flag"
    group = next(f for f in frames_of(at) if "目标值" in f.columns and "层级" in f.columns and "规划数" not in f.columns)
    assert len(group) == 4 and list(group["规划"][:1]) == ["国家"], "one page: the national plan first"
    at.number_input(key="in_gpage_0").set_value(5).run()
    group = next(f for f in frames_of(at) if "目标值" in f.columns and "层级" in f.columns and "规划数" not in f.columns)
    assert len(group) == 1, "17 plans = 4 pages of 4 and one of 1"
    assert all(len(f) <= 4 for f in frames_of(at)), "no table sends more than one page"


def test_plan_indicators_are_picked_by_province_first(many_plans_app):
    store, open_page = many_plans_app
    at = open_page("indicators")
    at.segmented_control(key="in_view").set_value("按规划查看").run()
    region = at.selectbox(key="in_plan_region")
    assert region.options[0].startswith("国家") and len(region.options) == 1 + len(PROVINCES)
    region.set_value("丙省").run()
    plan = at.selectbox(key="in_plan")
    assert len(plan.options) == 1 + 3, "the province's own plan and its three cities"
    plan.set_value("plan:p2c1").run()
    assert not at.exception, [e.value for e in at.exception]
    df = next(f for f in frames_of(at) if "上级指标" in f.columns)
    row = df.iloc[0]
    assert (row["目标值"], row["上级规划"], row["上级目标值"]) == ("96", "丙省", "97")
    assert row["一致性问题"] == "目标弱于上级" and row["同一指标规划数"] == 17


def test_indicator_flags_of_one_plan(many_plans_app):
    store, open_page = many_plans_app
    at = open_page("indicators")
    at.segmented_control(key="in_view").set_value("一致性问题").run()
    counts = next(f for f in frames_of(at) if "条数" in f.columns)
    assert counts.set_index("问题")["条数"].to_dict() == {"目标弱于上级": 3}
    at.toggle(key="in_flag_one").set_value(True).run()
    pick = at.selectbox(key="in_flag_plan")
    assert len(pick.options) == 3, "only the plans that have flags (few: one list, no province step)"
    pick.set_value("plan:p2c2").run()
    flags = next(f for f in frames_of(at) if "下级指标" in f.columns)
    assert list(flags["下级ID"]) == ["ind:plan:p2c2"] and list(flags["上级规划"]) == ["丙省"]


def test_orphans_and_responsibility_narrow_by_province(many_plans_app):
    store, open_page = many_plans_app
    at = open_page("orphans")
    assert all(len(f) <= 4 for f in frames_of(at)), "every orphan table shows one page"
    at.selectbox(key="or_prov").set_value("乙省").run()
    assert not at.exception, [e.value for e in at.exception]
    pivot = next(f for f in frames_of(at) if "合计" in f.columns)
    assert set(pivot["规划"]) <= {"乙省", "乙0市", "乙1市", "乙2市"} and len(pivot)
    rs = open_page("responsibility")
    assert rs.selectbox(key="rs_plan_region").options[0].startswith("国家")


def test_outline_plan_is_picked_by_province_first(many_plans_app):
    store, open_page = many_plans_app
    at = open_page("outline")
    at.selectbox(key="ol_plan_region").set_value("丁省").run()
    assert len(at.selectbox(key="ol_plan").options) == 4
    at.selectbox(key="ol_plan").set_value("plan:p3c0").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("丁0市优化营商环境" in m.value for m in at.markdown), "the chosen city's outline with its tasks"
