"""The CLI's ``plangraph trace`` (traversal.trace_chain) reaches exactly the nodes, at the depths, of the
``trace_up``/``trace_down`` queries — on the seed build, for every linked node, both directions."""
from __future__ import annotations

import pytest

from graph_builder.cli import main
from graph_builder.models import UPPER, live
from graph_builder.traversal import trace_chain


@pytest.mark.parametrize("direction", ["up", "down"])
def test_trace_chain_matches_the_trace_queries(seed_store, direction):
    g = seed_store.load()
    ends = sorted({x for e in g.edges_of(UPPER) if live(e.props) for x in (e.source, e.target)})
    assert len(ends) > 50
    compared = 0
    for node_id in ends:
        for depth in (1, 6):
            chain = [(r["id"], r["depth"]) for r in trace_chain(g, node_id, direction, depth)]
            rows = [(r["id"], r["depth"]) for r in seed_store.query(f"trace_{direction}", id=node_id, max_depth=depth)]
            assert chain == rows, (node_id, direction, depth)
            compared += bool(rows)
    assert compared > 50


def test_trace_chain_reports_the_edge_that_reached_each_node(seed_store):
    g = seed_store.load()
    top = max(g.by_label("Plan"), key=lambda p: len(seed_store.query("trace_down", id=p.id)))
    for r in trace_chain(g, top.id, "down", 6):
        e = g.edge(UPPER, r["id"], r["via"])
        assert e is not None and live(e.props) and r["status"] == e.get("status")


def test_cli_trace_prints_as_many_items_as_the_query(seed_store, capsys):
    g = seed_store.load()
    node = next(e.target for e in g.edges_of(UPPER) if g.nodes.get(e.target) and g.nodes[e.target].label == "Task")
    want = len(seed_store.query("trace_down", id=node))
    assert main(["trace", node, "--down", "--store", str(seed_store.directory)]) == 0
    assert f"向下追溯：{want} 项" in capsys.readouterr().out
