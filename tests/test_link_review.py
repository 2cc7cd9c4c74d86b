"""Review decisions: accept/reject/add survive re-linking; a changed text makes the link suspect; local marks."""
from __future__ import annotations

import csv

from graph_builder.analyse import orphans
from graph_builder.traversal import trace_chain
from graph_builder.cli import main
from graph_builder.link import link_graph
from graph_builder.models import Node
from graph_builder.review import load_decisions, record
from graph_builder.store import EmbeddedStore
from tests.fixtures.three_level import load_fixture


def _edge(g, a, b):
    return g.edge("上级规划", a, b)


def _edit_text(g, node_id, extra):
    n = g.nodes[node_id]
    g.set_node(Node(n.id, n.label, {**n.props, "text": n.get("text") + extra}))


def test_accept_then_text_change_makes_link_suspect(tmp_path):
    path = tmp_path / "review.csv"
    g, ids = load_fixture()
    link_graph(g)
    record(path, g, "accept", ids["C1"], ids["P1"], note="核对无误")
    g2, _ = load_fixture()
    link_graph(g2, decisions_path=path)
    assert _edge(g2, ids["C1"], ids["P1"]).get("status") == "accepted"
    # mid-term revision: the province rewords its task → the decision no longer vouches for the link
    g3, _ = load_fixture()
    _edit_text(g3, ids["P1"], "新增示例登记事项。")
    summary = link_graph(g3, decisions_path=path)
    assert _edge(g3, ids["C1"], ids["P1"]).get("status") == "suspect"
    assert (ids["C1"], ids["P1"]) in summary.suspect


def test_links_keep_the_nearest_level(tmp_path):
    g, ids = load_fixture()
    link_graph(g)
    assert _edge(g, ids["C1"], ids["P1"]) is not None and _edge(g, ids["P1"], ids["N1"]) is not None
    assert _edge(g, ids["C1"], ids["N1"]) is None  # implied by city → province → nation
    down = {r["id"]: r["depth"] for r in trace_chain(g, ids["N1"], "down")}
    assert down[ids["C1"]] == 2


def test_redundant_links_are_the_edges_a_transitive_reduction_drops():
    """The shortcut (only items with several upper links) must agree with networkx on level-shaped DAGs."""
    import random

    import networkx as nx

    from graph_builder.link.nearest import redundant_links

    rng = random.Random(7)
    for _ in range(200):
        levels = [[f"L{lv}-{k}" for k in range(rng.randint(1, 5))] for lv in range(4)]  # county … nation
        links = {(a, rng.choice(levels[hi])) for lv, low in enumerate(levels[:-1]) for a in low
                 for hi in rng.sample(range(lv + 1, 4), rng.randint(1, 3 - lv))}
        g = nx.DiGraph(sorted(links))
        expected = set(g.edges) - set(nx.transitive_reduction(g).edges)
        assert redundant_links(sorted(links)) == expected
    assert redundant_links([("a", "b"), ("b", "a"), ("a", "c")]) == set()  # a cycle: keep everything


def test_reject_hides_link_from_trace_and_survives_rebuild(tmp_path):
    path = tmp_path / "review.csv"
    g, ids = load_fixture()
    link_graph(g)
    record(path, g, "reject", ids["C1"], ids["P1"])
    g2, _ = load_fixture()
    link_graph(g2, decisions_path=path)
    assert _edge(g2, ids["C1"], ids["P1"]).get("status") == "rejected"
    assert ids["C1"] not in {r["id"] for r in trace_chain(g2, ids["P1"], "down")}
    # with the province link rejected, the direct city → nation link is no longer implied and stays
    assert _edge(g2, ids["C1"], ids["N1"]) is not None
    assert {r["id"]: r["depth"] for r in trace_chain(g2, ids["N1"], "down")}[ids["C1"]] == 1


def test_add_manual_link(tmp_path):
    path = tmp_path / "review.csv"
    g, ids = load_fixture()
    link_graph(g)
    record(path, g, "add", ids["W2"], ids["N4"], note="渔港冷链品牌")
    g2, _ = load_fixture()
    link_graph(g2, decisions_path=path)
    e = _edge(g2, ids["W2"], ids["N4"])
    assert e.get("status") == "accepted" and e.get("method") == "manual"


def test_local_on_purpose_flow(tmp_path):
    path = tmp_path / "review.csv"
    g, ids = load_fixture()
    link_graph(g)
    reasons = {r["id"]: r["reason"] for r in orphans(g, "no_upper")}
    assert reasons[ids["C2"]] == "no_match"
    assert reasons[ids["W2"]] == "upper_not_loaded"  # 丁省's plan is not in the corpus
    record(path, g, "local", ids["C2"], note="本地特色：三送暖企")
    g2, _ = load_fixture()
    link_graph(g2, decisions_path=path)
    reasons = {r["id"]: r["reason"] for r in orphans(g2, "no_upper")}
    assert reasons[ids["C2"]] == "local"
    # removing the decision removes the mark on the next link
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    link_graph(g2, decisions_path=path)
    assert {r["id"]: r["reason"] for r in orphans(g2, "no_upper")}[ids["C2"]] == "no_match"


def test_decision_file_is_sorted_and_one_row_per_pair(tmp_path):
    path = tmp_path / "review.csv"
    g, ids = load_fixture()
    link_graph(g)
    record(path, g, "accept", ids["P3"], ids["N3"])
    record(path, g, "reject", ids["C1"], ids["P1"])
    record(path, g, "accept", ids["C1"], ids["P1"])  # replaces the earlier rejection
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["source"], r["action"]) for r in rows] == sorted((r["source"], r["action"]) for r in rows)
    assert sum(1 for r in rows if r["source"] == ids["C1"]) == 1
    assert all(len(r["source_fp"]) == 12 and len(r["target_fp"]) == 12 for r in rows)
    assert len(load_decisions(path)) == 2


def test_cli_review_and_report(tmp_path, capsys):
    g, ids = load_fixture()
    link_graph(g)
    store = EmbeddedStore(tmp_path / "store")
    store.replace_all(g)
    dec = tmp_path / "review.csv"
    common = ["--store", str(store.directory), "--decisions", str(dec)]
    assert main(["review", "local", ids["C2"], *common]) == 0
    assert main(["review", "reject", ids["C1"], ids["P1"], *common]) == 0
    assert main(["review", "accept", ids["W2"], ids["N4"], *common]) == 4  # no such link: use add
    assert main(["link", *common]) == 0
    assert store.load().nodes[ids["C2"]].get("local") is True
    out = tmp_path / "orphans.csv"
    assert main(["report", "orphans", "--kind", "no_upper", "--format", "csv", "--out", str(out), "--store",
                 str(store.directory)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "本地特色" in text and ids["C2"] in text
    assert main(["trace", ids["N1"], "--down", "--store", str(store.directory)]) == 0
    assert "推进示例登记便利化" in capsys.readouterr().out
