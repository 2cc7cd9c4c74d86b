"""Linking on the synthetic three-level fixture: plan chain, task links, trace, indicators, idempotence."""
from __future__ import annotations

import json

import pytest

from graph_builder.traversal import trace_chain
from graph_builder.link import link_graph
from tests.fixtures.three_level import load_fixture


@pytest.fixture()
def linked():
    g, ids = load_fixture()
    link_graph(g)
    return g, ids


def uppers(g, node_id, label=None):
    return {e.target for e in g.edges_of("上级规划") if e.source == node_id and e.get("status") != "rejected"
            and (label is None or g.nodes[e.target].label == label)}


def test_plan_chain_follows_regions_and_skips_nothing_it_cannot_see(linked):
    g, ids = linked
    assert ids["jia"] in uppers(g, ids["yi"])
    assert ids["nat"] in uppers(g, ids["jia"])
    # 戊市's province (丁省) has no plan: a placeholder stands in, itself under the national plan
    (ph,) = uppers(g, ids["wu"])
    assert g.nodes[ph].get("loaded") is False and g.nodes[ph].get("region") == "丁省"
    assert uppers(g, ph) == {ids["nat"]}


def test_cited_general_plan_is_a_general_upper(linked):
    g, ids = linked
    kinds = {g.nodes[t].title: g.edge("上级规划", ids["jia"], t).get("kind") for t in uppers(g, ids["jia"])}
    assert kinds["国家示例市场监管规划"] == "special"
    general = [t for t, k in kinds.items() if k == "general"]
    assert general and "纲要" in general[0]


def test_task_links_copy_and_multi_level(linked):
    g, ids = linked
    assert ids["P1"] in uppers(g, ids["C1"])  # copied from the province
    assert ids["N1"] in uppers(g, ids["P1"])
    e = g.edge("上级规划", ids["C1"], ids["P1"])
    assert 0 < e.get("score") <= 1 and e.get("status") in ("linked", "suggested") and e.get("evidence")
    assert any("信用承诺" in p for p in e.get("evidence"))


def test_local_tasks_stay_unlinked(linked):
    g, ids = linked
    for key in ("C2", "P4", "W2"):
        assert not uppers(g, ids[key]), key


def test_trace_down_from_national_reaches_city_and_skips_missing_level(linked):
    g, ids = linked
    down = {r["id"]: r for r in trace_chain(g, ids["N1"], "down")}
    assert ids["P1"] in down and ids["C1"] in down
    # 戊市 has no province plan: its task links straight to the national task (depth 1)
    down4 = {r["id"]: r["depth"] for r in trace_chain(g, ids["N4"], "down")}
    assert down4 == {ids["W1"]: 1}
    up = [r["id"] for r in trace_chain(g, ids["C1"], "up")]
    assert ids["P1"] in up and ids["N1"] in up


def test_indicators_same_measure_and_flags(linked):
    g, ids = linked
    e = g.edge("上级规划", ids["PI1"], ids["NI1"])
    assert e is not None and e.get("score") == 1.0
    assert "weaker_target" in e.get("flags")  # 10 < 12 on a per-10,000-people unit
    e2 = g.edge("上级规划", ids["CI1"], ids["PI1"])
    assert "period_mismatch" in e2.get("flags") and "missing_baseline" in e2.get("flags")
    assert len(e2.get("flags")) == len(e2.get("reasons"))
    e3 = g.edge("上级规划", ids["PI2"], ids["NI2"])
    assert "weaker_target" in e3.get("flags")


def test_relinking_is_idempotent(linked):
    g, _ = linked
    before = json.dumps(g.to_json(), ensure_ascii=False, sort_keys=True)
    link_graph(g)
    assert json.dumps(g.to_json(), ensure_ascii=False, sort_keys=True) == before


def test_loading_missing_upper_plan_later_links_unchanged():
    g, ids = load_fixture(skip=("jia",))
    link_graph(g)
    (ph,) = [t for t in uppers(g, ids["yi"]) if g.nodes[t].get("kind") == "special"]
    assert g.nodes[ph].get("loaded") is False
    assert ids["N1"] in uppers(g, ids["C1"])  # city → national directly while the province is missing
    full, ids2 = load_fixture()
    link_graph(full)
    assert ids2["jia"] in uppers(full, ids2["yi"])
    assert ph not in full.nodes  # the placeholder is gone, no duplicate province
    assert ids2["yi"] == ids["yi"] and ids2["C1"] == ids["C1"]
