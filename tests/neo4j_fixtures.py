"""Shared Neo4j test fixtures: a real server (never a mock), the synthetic three-level graph, helpers.

Import with ``from tests.neo4j_fixtures import *`` in a test module. The server comes from NEO4J_URI /
NEO4J_USER / NEO4J_PASSWORD, or from the local server's state in .neo4j/ (scripts/neo4j.sh start).
Under CI=true an unreachable server fails the tests; elsewhere they are skipped.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from graph_builder.errors import StoreError
from graph_builder.models import Edge, Graph, Node, stable_id

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"Neo4j is required under CI=true but not reachable: {reason}", pytrace=False)
    pytest.skip(f"Neo4j not reachable ({reason}); run: bash scripts/neo4j.sh start")


_LOCK: list = []  # the open lock file, held by this process until it exits


def hold_server_lock(uri: str) -> None:
    """Serialise test sessions that share one server (several people run pytest in the same tree).

    Community edition has a single user database, so concurrent sessions would overwrite each other's
    graph. The lock is per process (fixtures imported into several modules share it) and is released
    when the process ends.
    """
    import fcntl
    import hashlib
    import tempfile

    if _LOCK:
        return
    name = hashlib.sha1(uri.encode()).hexdigest()[:12]
    fh = open(Path(tempfile.gettempdir()) / f"plangraph-neo4j-tests-{name}.lock", "w")  # noqa: SIM115
    deadline = time.monotonic() + float(os.environ.get("PLANGRAPH_NEO4J_LOCK_WAIT", "900"))
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise TimeoutError("another test session has held the Neo4j test lock for too long")
            time.sleep(0.5)
    _LOCK.append(fh)


@pytest.fixture(scope="session")
def neo4j_store():
    """A connected Neo4jStore (session-wide; tests that write must reset the graph themselves)."""
    from graph_builder.store import open_neo4j

    try:
        store = open_neo4j()
        store.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server"
        _unavailable(str(exc))
    try:
        hold_server_lock(store.settings.uri)
    except TimeoutError as exc:
        pytest.fail(str(exc), pytrace=False)
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture()
def neo4j_empty(neo4j_store):
    """The Neo4j store with no plangraph data in it."""
    neo4j_store.replace_all(Graph())
    return neo4j_store


# ---------------------------------------------------------------- the synthetic graph


def synthetic_graph() -> Graph:
    """Three levels (national → province → city) exercising every query of the library.

    Built from models.Node/Edge only, so it does not depend on extraction.
    """
    g = Graph()
    plans = [("plan:nat", "全国市场监管十四五规划", "national", None, True),
             ("plan:prov", "安徽省市场监管十四五规划", "province", "plan:nat", True),
             ("plan:city", "荆门市市场监管十四五规划", "city", "plan:prov", True),
             ("plan:city2", "苏州市市场监管十四五规划", "city", "plan:ghost", True),
             ("plan:ghost", "江苏省市场监管十四五规划", "province", None, False)]
    for pid, title, level, _up, loaded in plans:
        g.add_node(Node(pid, "Plan", {"title": title, "region": title[:2], "level": level, "issuer": None,
                                       "date": "2021-12-01", "source": f"{pid}.txt", "loaded": loaded,
                                       "doc_no": None, "cites": []}))
    for pid, _t, _l, up, _ld in plans:
        if up:
            g.add_edge(Edge("上级规划", pid, up, {"score": 1.0, "method": "cites", "evidence": ["引用"],
                                                 "status": "accepted"}))
    items = {}

    def item(plan: str, sec: str, title: str, label: str = "Task", **extra) -> str:
        sid = stable_id("section", plan, sec)
        if sid not in g.nodes:
            g.add_node(Node(sid, "Section", {"plan": plan, "title": sec, "path": [sec], "line": 1,
                                              "kind": "task", "page": None}))
            g.add_edge(Edge("CONTAINS", plan, sid, {}))
        iid = stable_id(label.lower(), plan, sec, title)
        props = {"plan": plan, "title": title, "text": f"{title}。推进相关工作。", "path": [sec, title],
                 "line": len(items) + 2, "page": None, "deadline": None, "cites": []}
        if label == "Project":
            props["box"] = "专栏1"
        props.update(extra)
        g.add_node(Node(iid, label, props))
        g.add_edge(Edge("CONTAINS", sid, iid, {}))
        items[(plan, title)] = iid
        return iid

    n1 = item("plan:nat", "一、深化商事制度改革", "深入推进商事制度改革")
    n2 = item("plan:nat", "一、深化商事制度改革", "全面实施市场准入负面清单制度")
    n3 = item("plan:nat", "二、强化质量安全", "加强食品安全监管")
    n4 = item("plan:nat", "二、强化质量安全", "智慧监管平台建设工程", "Project")
    p1 = item("plan:prov", "（一）优化营商环境", "深化商事制度改革，推进证照分离")
    p2 = item("plan:prov", "（一）优化营商环境", "落实市场准入负面清单")
    p3 = item("plan:prov", "（二）守牢安全底线", "强化食品安全全链条监管")
    p4 = item("plan:prov", "（二）守牢安全底线", "推进皖北地区特色产业质量提升", local=True)
    c1 = item("plan:city", "1. 营商环境", "推进“证照分离”改革全覆盖")
    c2 = item("plan:city", "1. 营商环境", "实施市场准入负面清单管理")
    c3 = item("plan:city", "2. 食品安全", "开展校园食品安全守护行动")
    c4 = item("plan:city", "2. 食品安全", "Smart监管 pilot “5G+食品”")
    s1 = item("plan:city2", "一、重点任务", "推进商事登记便利化")

    def link(a: str, b: str, score: float, status: str = "suggested") -> None:
        g.add_edge(Edge("上级规划", a, b, {"score": score, "method": "tfidf", "evidence": ["相似"], "status": status}))

    link(p1, n1, 0.91234567, "accepted")
    link(p2, n2, 0.8, "suggested")
    link(p3, n3, 0.77, "accepted")
    link(c1, p1, 0.85, "accepted")
    link(c2, p2, 0.7, "suggested")
    link(c2, n2, 0.6, "suggested")           # shortcut: n2 is reached at depth 1 and 2 → min depth 1
    link(c3, p3, 0.66, "rejected")           # rejected: ignored everywhere
    link(c4, p3, 0.55, "suspect")

    ind_n = Node(stable_id("ind", "plan:nat", "市场主体总量"), "Indicator",
                 {"plan": "plan:nat", "name": "市场主体总量", "unit": "亿户", "baseline": "1.4", "target": "2",
                  "attribute": "预期性", "cumulative": False, "category": "营商环境", "source": "table",
                  "line": 3, "seq": "1", "page": None, "task": None, "quote": None})
    ind_p = Node(stable_id("ind", "plan:prov", "市场主体总量"), "Indicator",
                 {**ind_n.props, "plan": "plan:prov", "unit": "万户", "target": "800", "line": 4})
    ind_c = Node(stable_id("ind", "plan:city", "食品抽检合格率"), "Indicator",
                 {**ind_n.props, "plan": "plan:city", "name": "食品抽检合格率", "unit": "%", "target": "98",
                  "line": 5})
    for n in (ind_n, ind_p, ind_c):
        g.add_node(n)
    g.add_edge(Edge("CONTAINS", "plan:nat", ind_n.id, {}))
    g.add_edge(Edge("CONTAINS", "plan:prov", ind_p.id, {}))
    g.add_edge(Edge("CONTAINS", "plan:city", ind_c.id, {}))
    g.add_edge(Edge("上级规划", ind_p.id, ind_n.id,
                    {"score": 0.95, "method": "name", "evidence": [], "status": "accepted",
                     "flags": ["unit_mismatch", "period_mismatch", "unit_mismatch"],
                     "reasons": ["万户 vs 亿户", "预期性", "重复"]}))
    g.add_edge(Edge("上级规划", ind_c.id, ind_p.id,
                    {"score": 0.3, "method": "name", "evidence": [], "status": "suggested",
                     "flags": ["missing_baseline"], "reasons": []}))

    regions = [("region:cn", "中国", "national", None), ("region:ah", "安徽省", "province", "region:cn"),
               ("region:jm", "荆门市", "city", "region:ah")]
    for rid, name, level, parent in regions:
        g.add_node(Node(rid, "Region", {"name": name, "level": level, "parent": parent}))
        if parent:
            g.add_edge(Edge("WITHIN", rid, parent, {}))
    for pid, rid in (("plan:nat", "region:cn"), ("plan:prov", "region:ah"), ("plan:city", "region:jm")):
        g.add_edge(Edge("COVERS", pid, rid, {}))
    agencies = [("agency:samr", "国家市场监督管理总局", None), ("agency:ah", "安徽省市场监督管理局", "安徽省"),
                ("agency:jm", "荆门市市场监督管理局", "荆门市"), ("agency:jm-edu", "荆门市教育局", "荆门市")]
    for aid, name, region in agencies:
        g.add_node(Node(aid, "Agency", {"name": name, "region": region, "aliases": [name[-5:]], "kind": "body"}))
    for a, t, role in (("agency:samr", n1, "牵头"), ("agency:samr", n3, "主责"), ("agency:ah", p1, "牵头"),
                       ("agency:ah", p3, "牵头"), ("agency:jm", c1, "牵头"), ("agency:jm", c3, "牵头"),
                       ("agency:jm-edu", c3, "配合"), ("agency:ah", ind_p.id, "主责")):
        g.add_edge(Edge("责任", a, t, {"role": role, "evidence": "（省市场监管局牵头）"}))

    g.add_edge(Edge("OVERLAPS", p1, p2, {"score": 0.41235, "kind": "within_plan", "evidence": ["商事"]}))
    g.add_edge(Edge("OVERLAPS", c1, s1, {"score": 0.72, "kind": "peer", "evidence": ["证照"]}))
    g.add_edge(Edge("OVERLAPS", c2, s1, {"score": 0.72, "kind": "peer", "evidence": ["准入"]}))
    g.add_edge(Edge("OVERLAPS", c3, c4, {"score": 0.5, "kind": "within_plan", "evidence": ["食品"]}))
    g.add_node(Node("measure:total", "Measure", {"name": "市场主体总量", "unit_kind": "count", "keys": ["市场主体"]}))
    for n in (ind_n, ind_p):
        g.add_edge(Edge("MEASURES", n.id, "measure:total", {"key": "市场主体"}))
    return g


def scaled_graph(provinces: int = 31, cities: int = 10, sections: int = 30, tasks_per_section: int = 20,
                 indicators: int = 10, seed: int = 1) -> Graph:
    """A large national → province → city graph with the seed graph's shape (benchmarks, crash tests).

    Defaults give ≈ 220k nodes and ≈ 780k relationships. Ids depend only on position, so two seeds give
    overlapping graphs with different links, properties and a few different items (stale-data tests).
    """
    import random

    rnd = random.Random(seed)
    g = Graph()
    words = "市场 监管 质量 安全 食品 药品 标准 计量 认证 信用 价格 竞争 知识产权 消费 维权 执法 数字 智慧 营商 环境".split()
    plans: list[tuple[str, str | None, str]] = [("plan:n", None, "national")]
    for p in range(provinces):
        plans.append((f"plan:p{p}", "plan:n", "province"))
        for c in range(cities):
            plans.append((f"plan:p{p}c{c}", f"plan:p{p}", "city"))
    agencies = [f"agency:{i}" for i in range(provinces * (cities + 1) + 1)]
    for i, a in enumerate(agencies):
        g.add_node(Node(a, "Agency", {"name": f"第{i}市场监督管理局", "region": None, "aliases": [f"局{i}"],
                                      "kind": "body"}))
    g.add_node(Node("region:cn", "Region", {"name": "中国", "level": "national", "parent": None}))
    tasks_of: dict[str, list[str]] = {}
    for k, (pid, up, level) in enumerate(plans):
        g.add_node(Node(pid, "Plan", {"title": f"{pid} 市场监管十四五规划", "region": pid, "level": level,
                                      "issuer": None, "date": "2021-12-01", "source": f"{pid}.txt",
                                      "loaded": True, "doc_no": None, "cites": []}))
        rid = f"region:{pid[5:]}"
        if rid != "region:n":
            g.add_node(Node(rid, "Region", {"name": rid, "level": level, "parent": None}))
            g.add_edge(Edge("WITHIN", rid, "region:cn" if level == "province" else f"region:{up[5:]}", {}))
            g.add_edge(Edge("COVERS", pid, rid, {}))
        if up:
            g.add_edge(Edge("上级规划", pid, up, {"score": 1.0, "method": "cites", "evidence": [], "status": "accepted"}))
        ids = []
        for s_ in range(sections):
            sid = f"section:{pid[5:]}:{s_}"
            g.add_node(Node(sid, "Section", {"plan": pid, "title": f"第{s_}节", "path": [f"第{s_}节"], "line": s_,
                                             "kind": "task", "page": None}))
            g.add_edge(Edge("CONTAINS", pid, sid, {}))
            for t in range(tasks_per_section):
                if (t + 3 * s_ + 5 * seed) % 17 == 0:  # a few items exist only in some seeds
                    continue
                tid = f"task:{pid[5:]}:{s_}:{t}"
                title = "推进" + "".join(rnd.choice(words) for _ in range(3)) + f"工作{t}"
                g.add_node(Node(tid, "Task", {"plan": pid, "title": title, "text": title + "，加快建设。",
                                              "path": [f"第{s_}节", title], "line": t, "page": None,
                                              "deadline": None, "cites": []}))
                g.add_edge(Edge("CONTAINS", sid, tid, {}))
                pool = [agencies[(k + j) % len(agencies)] for j in range(6)]
                for a in set(rnd.sample(pool, rnd.choice((1, 2)))):
                    g.add_edge(Edge("责任", a, tid, {"role": rnd.choice(("牵头", "配合")), "evidence": "部门"}))
                ids.append(tid)
        for i in range(indicators):
            iid = f"ind:{pid[5:]}:{i}"
            g.add_node(Node(iid, "Indicator", {"plan": pid, "name": f"指标{i}", "unit": "%", "baseline": "1",
                                               "target": str(rnd.randint(2, 99)), "attribute": "预期性",
                                               "cumulative": False, "category": None, "source": "table",
                                               "line": i, "seq": str(i), "page": None, "task": None,
                                               "quote": None}))
            g.add_edge(Edge("CONTAINS", pid, iid, {}))
            if up:
                g.add_edge(Edge("上级规划", iid, f"ind:{up[5:]}:{i}",
                                {"score": 0.9, "method": "name", "evidence": [], "status": "accepted",
                                 "flags": ["unit_mismatch"] if i % 3 == 0 else [], "reasons": ["单位"] if i % 3 == 0 else []}))
        tasks_of[pid] = ids
        if up:
            upper = tasks_of[up]
            for tid in ids:
                for target in rnd.sample(upper, rnd.choice((1, 1, 1, 2))):
                    g.add_edge(Edge("上级规划", tid, target, {"score": round(rnd.random(), 4), "method": "tfidf",
                                                             "evidence": ["相似"], "status": rnd.choice(
                                                                 ("suggested", "accepted", "rejected", "suggested"))}))
        for _ in range(len(ids) // 20):
            a, b = rnd.sample(ids, 2)
            g.add_edge(Edge("OVERLAPS", a, b, {"score": round(rnd.random(), 4), "kind": "within_plan", "evidence": []}))
    return g


SYN = {"n1": "深入推进商事制度改革", "p1": "深化商事制度改革，推进证照分离", "c1": "推进“证照分离”改革全覆盖"}


def item_id(g: Graph, title: str) -> str:
    return next(n.id for n in g.nodes.values() if n.get("title") == title)


def same_graph(a: Graph, b: Graph) -> None:
    """Assert two graphs are equal node by node and edge by edge (clear diff on failure)."""
    assert sorted(a.nodes) == sorted(b.nodes)
    for nid, n in a.nodes.items():
        assert b.nodes[nid] == n, nid
    assert sorted(e.key for e in a.edges) == sorted(e.key for e in b.edges)
    for e in a.edges:
        assert b.edge(*e.key) == e, e.key


__all__ = ["neo4j_store", "neo4j_empty", "synthetic_graph", "scaled_graph", "item_id", "same_graph", "SYN", "IN_CI", "ROOT",
           "StoreError"]
