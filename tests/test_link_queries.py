"""The embedded analysis queries follow the spec in docs/ARCHITECTURE.md (keys, order, meaning)."""
from __future__ import annotations

import pytest

from graph_builder.link import link_graph
from graph_builder.models import Edge, Graph, Plan, Region, Task, stable_id
from graph_builder.store import EmbeddedStore
from tests.fixtures.three_level import load_fixture


@pytest.fixture()
def store(tmp_path):
    g, ids = load_fixture()
    link_graph(g)
    s = EmbeddedStore(tmp_path / "store")
    s.replace_all(g)
    return s, ids


def test_row_keys_and_order(store):
    s, ids = store
    keys = {"orphans": ["id", "label", "plan", "title", "kind", "reason"],
            "coverage": ["lower_plan", "upper_plan", "section", "section_title", "upper_items", "covered", "share"],
            "indicator_flags": ["lower", "upper", "lower_name", "upper_name", "flag", "reason"]}
    for name, expected in keys.items():
        rows = s.query(name, kind="no_upper") if name == "orphans" else s.query(name)
        assert rows and all(list(r) == expected for r in rows), name
    rows = s.query("orphans", kind="not_picked_up")
    assert [(r["plan"], r["id"]) for r in rows] == sorted((r["plan"], r["id"]) for r in rows)
    flags = s.query("indicator_flags")
    assert [(r["lower"], r["upper"], r["flag"]) for r in flags] == sorted((r["lower"], r["upper"], r["flag"]) for r in flags)


def test_orphan_reasons(store):
    s, ids = store
    nu = {r["id"]: r["reason"] for r in s.query("orphans", kind="no_upper")}
    assert nu[ids["P4"]] == "no_match" and nu[ids["W2"]] == "upper_not_loaded"
    assert ids["C1"] not in nu and ids["N1"] not in nu  # the national plan has no upper plan at all
    npu = {r["id"] for r in s.query("orphans", kind="not_picked_up")}
    assert ids["P4"] in npu and ids["P1"] not in npu
    assert all(r["reason"] == "not_broken_down" for r in s.query("orphans", kind="not_picked_up"))
    assert {r["id"] for r in s.query("orphans", kind="no_agency")} >= {ids["C1"], ids["N1"]}


def test_coverage_by_section(store):
    s, ids = store
    rows = s.query("coverage", lower=ids["yi"])
    assert {r["upper_plan"] for r in rows} == {ids["jia"], ids["nat"]}
    by = {(r["upper_plan"], r["section_title"]): r for r in rows}
    r = by[(ids["jia"], "（二）夯实示例质量基础")]
    assert (r["upper_items"], r["covered"], r["share"]) == (2, 1, 0.5)


def test_overlaps_need_discriminative_content(tmp_path):
    """Two peer provinces: shared generic verbs alone never overlap; shared specific content does."""
    g = Graph()
    nat = stable_id("region", "全国")
    g.add_node(Region(nat, "全国", "national", None).to_node())
    texts = {
        "甲省": ["加强示例监管，推进示例改革，强化示例服务，完善示例机制。",
                 "建设示例海岛灯塔计量实验室，研制示例潮汐仪校准装置，开展示例灯塔计量比对。",
                 "推动示例茶叶地理标志保护，建立示例茶园溯源码。"],
        "丁省": ["加强监管执法，推进综合改革，强化政务服务，完善工作机制。",
                 "依托示例海岛灯塔计量实验室，研制示例潮汐仪校准装置，组织示例灯塔计量比对。",
                 "发展示例竹编非遗工坊，培育示例竹编品牌。"],
    }
    for prov, items in texts.items():
        rid, pid = stable_id("region", prov), stable_id("plan", prov)
        g.add_node(Region(rid, prov, "province", nat).to_node())
        g.add_edge(Edge("WITHIN", rid, nat))
        g.add_node(Plan(pid, f"{prov}示例规划", prov, "province", None, None, None).to_node())
        for k, t in enumerate(items):
            tid = stable_id("task", prov, str(k))
            g.add_node(Task(tid, pid, t[:6], t, [], k).to_node())
            g.add_edge(Edge("CONTAINS", pid, tid))
    link_graph(g)
    peer = {(e.source, e.target) for e in g.edges_of("OVERLAPS") if e.get("kind") == "peer"}
    a0, b0 = stable_id("task", "甲省", "0"), stable_id("task", "丁省", "0")
    a1, b1 = stable_id("task", "甲省", "1"), stable_id("task", "丁省", "1")
    assert (a0, b0) not in peer and (b0, a0) not in peer
    assert (a1, b1) in peer or (b1, a1) in peer
    s = EmbeddedStore(tmp_path / "s")
    s.replace_all(g)
    rows = s.query("overlaps", kind="peer")
    assert rows and list(rows[0]) == ["a", "b", "a_plan", "b_plan", "a_title", "b_title", "kind", "score"]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
