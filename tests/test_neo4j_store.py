"""One store test suite, run against both EmbeddedStore and Neo4jStore (real server, no mocks).

The synthetic three-level graph (tests/neo4j_fixtures.py) makes every expectation hand-checkable.
"""
from __future__ import annotations

import pytest

from graph_builder.errors import ConfigError
from graph_builder.models import Edge, Graph, Node
from graph_builder.store import EmbeddedStore
from tests.neo4j_fixtures import item_id, neo4j_store, same_graph, synthetic_graph  # noqa: F401

pytestmark = pytest.mark.neo4j


@pytest.fixture(params=["embedded", "neo4j"])
def store(request, tmp_path):
    """An empty store of each backend."""
    if request.param == "embedded":
        return EmbeddedStore(tmp_path / "store")
    s = request.getfixturevalue("neo4j_store")
    s.replace_all(Graph())
    return s


@pytest.fixture()
def loaded(store):
    g = synthetic_graph()
    store.replace_all(g)
    return store, g


def test_replace_all_round_trip(loaded):
    store, g = loaded
    same_graph(g, store.load())
    # nulls, booleans, ints, floats and lists come back with their types
    n = store.node(item_id(g, "推进皖北地区特色产业质量提升"))
    assert n.props["local"] is True and n.props["page"] is None and n.props["path"][1].startswith("推进皖北")
    assert isinstance(n.props["line"], int)
    ind = store.node(next(i for i, x in g.nodes.items() if x.get("name") == "市场主体总量" and x.get("plan") == "plan:prov"))
    assert ind.props["cumulative"] is False and ind.props["task"] is None
    assert store.node("no-such-id") is None


def test_counts_nodes_edges(loaded):
    store, g = loaded
    c = store.counts()
    assert c["Task"] == 12 and c["Project"] == 1 and c["Indicator"] == 3 and c["Plan"] == 5
    assert c["上级规划"] == 13 and c["责任"] == 8 and c["CONTAINS"] == 23 and c["OVERLAPS"] == 4
    assert sum(c.values()) == len(g.nodes) + len(g.edges)
    city = store.nodes(label="Task", plan="plan:city")
    assert sorted(n.id for n in city) == sorted(n.id for n in g.nodes.values()
                                                if n.label == "Task" and n.get("plan") == "plan:city")
    assert {n.label for n in store.nodes(label="Agency")} == {"Agency"}
    c1 = item_id(g, "推进“证照分离”改革全覆盖")
    assert {(e.type, e.target) for e in store.edges(source=c1)} == {(e.type, e.target) for e in g.edges if e.source == c1}
    assert {e.source for e in store.edges(type_="责任", target=item_id(g, "开展校园食品安全守护行动"))} == \
        {"agency:jm", "agency:jm-edu"}
    assert len(store.edges(type_="WITHIN")) == 2
    e = store.edges(type_="上级规划", source=c1)[0]
    assert e.props == {"score": 0.85, "method": "tfidf", "evidence": ["相似"], "status": "accepted"}


def test_replace_all_is_idempotent_and_drops_stale(store):
    g = synthetic_graph()
    store.replace_all(g)
    store.replace_all(g)
    same_graph(g, store.load())
    smaller = Graph(n for n in g.nodes.values() if n.get("plan") != "plan:city2" and n.id != "plan:city2")
    for e in g.edges:
        if e.source in smaller.nodes and e.target in smaller.nodes and e.type != "OVERLAPS":
            smaller.add_edge(e)
    store.replace_all(smaller)
    same_graph(smaller, store.load())
    assert store.counts().get("OVERLAPS", 0) == 0
    store.replace_all(Graph())
    assert store.counts() == {}


def _city_v2(g: Graph) -> tuple[Graph, str, str]:
    """A rebuilt plan:city: one task dropped, one renamed (new id), one edited in place, new links."""
    new = Graph()
    dropped = item_id(g, "开展校园食品安全守护行动")
    kept = item_id(g, "实施市场准入负面清单管理")
    for n in g.nodes.values():
        if n.id == "plan:city" or n.get("plan") == "plan:city":
            if n.id == dropped:
                continue
            if n.id == kept:
                n = Node(n.id, n.label, {**n.props, "text": "实施市场准入负面清单管理（修订）", "page": 7})
            new.add_node(n)
    renamed = Node("task:renamed", "Task", {**g.nodes[item_id(g, "Smart监管 pilot “5G+食品”")].props,
                                            "title": "建设食品安全智慧监管平台"})
    new.add_node(renamed)
    new.remove_node(item_id(g, "Smart监管 pilot “5G+食品”"))
    new.add_node(Node("agency:jm", "Agency", {"name": "荆门市市场监督管理局", "region": "荆门市",
                                              "aliases": ["荆门市场监管局"], "kind": "body"}))
    sec = next(n.id for n in new.nodes.values() if n.label == "Section" and n.get("title") == "2. 食品安全")
    new.add_edge(Edge("CONTAINS", sec, "task:renamed", {}))
    for e in g.edges:
        if e.source in new.nodes and e.target in new.nodes and e.type == "CONTAINS":
            new.add_edge(e)
    new.add_edge(Edge("上级规划", "plan:city", "plan:prov", {"score": 1.0, "method": "cites", "evidence": [],
                                                          "status": "accepted"}))
    new.add_edge(Edge("上级规划", "task:renamed", item_id(g, "强化食品安全全链条监管"),
                      {"score": 0.61, "method": "tfidf", "evidence": ["食品"], "status": "suggested"}))
    new.add_edge(Edge("上级规划", kept, item_id(g, "落实市场准入负面清单"),
                      {"score": 0.75, "method": "tfidf", "evidence": ["清单"], "status": "accepted"}))
    new.add_edge(Edge("责任", "agency:jm", "task:renamed", {"role": "牵头", "evidence": "市市场监管局"}))
    return new, dropped, kept


def test_replace_plans_same_as_embedded_idempotent_no_stale(store, tmp_path):
    g = synthetic_graph()
    store.replace_all(g)
    new, dropped, kept = _city_v2(g)
    reference = EmbeddedStore(tmp_path / "reference")
    reference.replace_all(g)
    reference.replace_plans(new, ["plan:city"])
    expected = reference.load()

    store.replace_plans(new, ["plan:city"])
    got = store.load()
    same_graph(expected, got)
    # no stale node or edge of plan:city
    assert dropped not in got.nodes and item_id(g, "Smart监管 pilot “5G+食品”") not in got.nodes
    assert not [e for e in got.edges if dropped in (e.source, e.target)]
    assert got.edge("上级规划", kept, item_id(g, "全面实施市场准入负面清单制度")) is None
    assert got.edge("OVERLAPS", item_id(g, "推进“证照分离”改革全覆盖"), item_id(g, "推进商事登记便利化")) is None
    assert got.nodes[kept].props["page"] == 7
    # shared nodes survive and merge (aliases are unioned like Graph.add_node)
    assert got.nodes["agency:jm"].props["aliases"] == sorted(set(g.nodes["agency:jm"].props["aliases"]) | {"荆门市场监管局"})
    assert "agency:jm-edu" in got.nodes
    # other plans untouched
    for pid in ("plan:nat", "plan:prov", "plan:city2"):
        assert sorted(n.id for n in got.nodes.values() if n.get("plan") == pid) == \
            sorted(n.id for n in g.nodes.values() if n.get("plan") == pid)
    # twice changes nothing
    store.replace_plans(new, ["plan:city"])
    same_graph(expected, store.load())


# ---------------------------------------------------------------- the query library, hand-checked


def test_trace_down_min_depth_ignores_rejected(loaded):
    store, g = loaded
    rows = store.query("trace_down", id=item_id(g, "全面实施市场准入负面清单制度"))
    assert [(r["title"], r["depth"]) for r in rows] == sorted(
        [("落实市场准入负面清单", 1), ("实施市场准入负面清单管理", 1)], key=lambda t: (t[1], item_id(g, t[0])))
    assert list(rows[0]) == ["id", "label", "plan", "title", "depth"]
    n3 = item_id(g, "加强食品安全监管")
    rows = store.query("trace_down", id=n3)
    titles = {r["title"]: r["depth"] for r in rows}
    assert titles == {"强化食品安全全链条监管": 1, "Smart监管 pilot “5G+食品”": 2}  # rejected c3→p3 ignored
    assert store.query("trace_down", id=n3, max_depth=1) == [r for r in rows if r["depth"] == 1]
    assert store.query("trace_down", id=n3, max_depth=0) == []
    assert store.query("trace_down", id="nope") == []
    ind = next(i for i, x in g.nodes.items() if x.get("name") == "市场主体总量" and x.get("plan") == "plan:nat")
    assert [(r["label"], r["depth"]) for r in store.query("trace_down", id=ind)] == [("Indicator", 1), ("Indicator", 2)]
    plans = store.query("trace_down", id="plan:nat")
    assert [(r["id"], r["plan"], r["depth"]) for r in plans] == [("plan:prov", None, 1), ("plan:city", None, 2)]


def test_trace_up(loaded):
    store, g = loaded
    rows = store.query("trace_up", id=item_id(g, "推进“证照分离”改革全覆盖"))
    assert [(r["title"], r["plan"], r["depth"]) for r in rows] == [
        ("深化商事制度改革，推进证照分离", "plan:prov", 1), ("深入推进商事制度改革", "plan:nat", 2)]
    assert store.query("trace_up", id=item_id(g, "开展校园食品安全守护行动")) == []
    with pytest.raises(ConfigError):
        store.query("trace_up", id="x", max_depth=99)


def test_orphans(loaded):
    store, g = loaded
    no_upper = store.query("orphans", kind="no_upper")
    got = {(r["title"], r["reason"]) for r in no_upper}
    # items whose only upper links are `suggested` (below auto-accept) await review: 待审核, not orphans
    assert got == {("推进皖北地区特色产业质量提升", "local"), ("开展校园食品安全守护行动", "no_match"),
                   ("推进商事登记便利化", "upper_not_loaded"), ("实施市场准入负面清单管理", "pending_review"),
                   ("落实市场准入负面清单", "pending_review")}
    assert [r["plan"] for r in no_upper] == sorted(r["plan"] for r in no_upper)
    assert list(no_upper[0]) == ["id", "label", "plan", "title", "kind", "reason"]
    picked = store.query("orphans", kind="not_picked_up")
    assert {(r["title"], r["reason"]) for r in picked} == {("智慧监管平台建设工程", "not_broken_down"),
                                                          ("推进皖北地区特色产业质量提升", "not_broken_down")}
    no_agency = store.query("orphans", kind="no_agency")
    assert len(no_agency) == 7 and all(r["kind"] == "no_agency" for r in no_agency)
    with pytest.raises(ConfigError):
        store.query("orphans", kind="everything")


def test_overlaps_rounding_and_order(loaded):
    store, g = loaded
    rows = store.query("overlaps")
    assert [r["score"] for r in rows] == [0.72, 0.72, 0.5, 0.4123]  # 0.41235 → Python round
    assert rows[0]["a"] < rows[1]["a"]  # tie on score → a
    assert list(rows[0]) == ["a", "b", "a_plan", "b_plan", "a_title", "b_title", "kind", "score"]
    assert [r["kind"] for r in store.query("overlaps", kind="within_plan", min_score=0.45)] == ["within_plan"]
    assert store.query("overlaps", min_score=0.9) == []


def test_responsibility(loaded):
    store, g = loaded
    rows = store.query("responsibility")
    assert len(rows) == 8 and [(r["agency"], r["target"]) for r in rows] == sorted((r["agency"], r["target"]) for r in rows)
    city = store.query("responsibility", plan="plan:city")
    assert {(r["agency_name"], r["target_title"], r["role"]) for r in city} == {
        ("荆门市市场监督管理局", "推进“证照分离”改革全覆盖", "牵头"), ("荆门市市场监督管理局", "开展校园食品安全守护行动", "牵头"),
        ("荆门市教育局", "开展校园食品安全守护行动", "配合")}
    assert list(city[0]) == ["agency", "agency_name", "target", "target_title", "plan", "role"]


def test_coverage(loaded):
    store, g = loaded
    rows = store.query("coverage", lower="plan:city")
    got = {(r["upper_plan"], r["section_title"]): (r["upper_items"], r["covered"], r["share"]) for r in rows}
    assert got == {("plan:prov", "（一）优化营商环境"): (2, 2, 1.0), ("plan:prov", "（二）守牢安全底线"): (2, 1, 0.5),
                   ("plan:nat", "一、深化商事制度改革"): (2, 1, 0.5), ("plan:nat", "二、强化质量安全"): (2, 0, 0.0)}
    assert list(rows[0]) == ["lower_plan", "upper_plan", "section", "section_title", "upper_items", "covered", "share"]
    everything = store.query("coverage")
    assert {r["lower_plan"] for r in everything} == {"plan:prov", "plan:city"}  # plan:city2's upper is not loaded


def test_indicator_flags(loaded):
    store, g = loaded
    rows = store.query("indicator_flags")
    assert [(r["lower_name"], r["flag"], r["reason"]) for r in rows if r["lower_name"] == "市场主体总量"] == [
        ("市场主体总量", "period_mismatch", "预期性"), ("市场主体总量", "unit_mismatch", "万户 vs 亿户"),
        ("市场主体总量", "unit_mismatch", "重复")]
    assert [(r["flag"], r["reason"]) for r in rows if r["lower_name"] == "食品抽检合格率"] == [("missing_baseline", "")]


def test_search(loaded):
    store, g = loaded
    rows = store.query("search", text="商事制度")  # pure Han: the cjk full-text index on Neo4j
    assert {r["title"] for r in rows} == {"深入推进商事制度改革", "深化商事制度改革，推进证照分离"}
    assert list(rows[0]) == ["id", "label", "plan", "title"]
    assert [(r["plan"], r["id"]) for r in rows] == sorted((r["plan"], r["id"]) for r in rows)
    assert [r["title"] for r in store.query("search", text="5G")] == ["Smart监管 pilot “5G+食品”"]
    assert [r["title"] for r in store.query("search", text="SMART")] == ["Smart监管 pilot “5G+食品”"]
    assert {r["label"] for r in store.query("search", text="市场主体")} == {"Indicator"}
    assert len(store.query("search", text="食品安全", limit=2)) == 2
    assert store.query("search", text="  ") == []
    assert store.query("search", text="食") != []  # one character: scanned, still found


def test_unknown_query_and_params(loaded):
    store, _ = loaded
    with pytest.raises(ConfigError):
        store.query("drop_everything")
    with pytest.raises((ConfigError, TypeError)):
        store.query("search", text="x", bogus=1)


def test_neo4j_schema(neo4j_store):  # noqa: F811
    """Unique id per label, lookup indexes, and the cjk full-text index on Task/Project/Indicator."""
    from graph_builder.models import LABELS

    info = neo4j_store.schema_info()
    unique = {(tuple(c["labelsOrTypes"]), tuple(c["properties"])) for c in info["constraints"]
              if c["type"] == "UNIQUENESS"}
    for label in (*LABELS, "Plangraph"):
        assert ((label,), ("id",)) in unique
    ft = next(i for i in info["indexes"] if i["name"] == "plangraph_text")
    assert ft["type"] == "FULLTEXT" and set(ft["labelsOrTypes"]) == {"Task", "Project", "Indicator"}
    assert set(ft["properties"]) == {"title", "text", "name"}
    assert ft["options"]["indexConfig"]["fulltext.analyzer"] == "cjk"
    assert all(i["state"] == "ONLINE" for i in info["indexes"])


def test_interrupted_replace_plans_is_repaired_by_rerun(neo4j_store, tmp_path):  # noqa: F811
    """The client dies after some batches committed (no cleanup ran); rerunning gives the clean result."""
    g = synthetic_graph()
    neo4j_store.replace_all(g)
    new, dropped, _kept = _city_v2(g)
    reference = EmbeddedStore(tmp_path / "reference")
    reference.replace_all(g)
    reference.replace_plans(new, ["plan:city"])

    class Crash(Exception):
        pass

    def crash(ev) -> None:
        if ev.item == "rels":
            raise Crash

    workers, neo4j_store.workers = neo4j_store.workers, 1
    try:
        with pytest.raises(Crash):
            neo4j_store.replace_plans(new, ["plan:city"], progress=crash)
    finally:
        neo4j_store.workers = workers
    assert neo4j_store.load_status()["status"] == "loading"
    half = neo4j_store.load()
    assert "task:renamed" in half.nodes and dropped in half.nodes  # new nodes in, stale ones not yet removed
    neo4j_store.replace_plans(new, ["plan:city"])
    same_graph(reference.load(), neo4j_store.load())
    assert neo4j_store.load_status()["status"] == "complete"
