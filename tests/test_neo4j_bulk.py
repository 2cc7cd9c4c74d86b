"""Neo4j at scale: bulk import by neo4j-admin (refuses a non-empty database), later loads send only
changed plans, and the same store works through a routing ``neo4j://`` URI — all on the real local server."""
from __future__ import annotations

import shutil

import pytest

from graph_builder.models import Graph, Node
from graph_builder.store import EmbeddedStore
from tests.neo4j_fixtures import *  # noqa: F401,F403


def _same(a: Graph, b: Graph) -> None:
    assert set(a.nodes) == set(b.nodes)
    assert {k: (n.label, n.props) for k, n in a.nodes.items()} == {k: (n.label, n.props) for k, n in b.nodes.items()}
    assert {e.key: e.props for e in a.edges} == {e.key: e.props for e in b.edges}


@pytest.fixture()
def local_server(neo4j_store):
    from graph_builder.settings import local_uri as _local_uri

    if neo4j_store.settings.uri != _local_uri():
        pytest.skip("bulk import needs the local server of scripts/neo4j.sh (offline import)")
    return neo4j_store


def test_bulk_import_loads_the_graph_then_refuses_a_non_empty_database(local_server, seed_store, tmp_path, capsys):
    from graph_builder.cli import main
    from graph_builder.store import open_neo4j

    local_server.replace_all(Graph())
    src = tmp_path / "store"
    shutil.copytree(seed_store.directory, src)
    assert main(["load-neo4j", "--bulk", "--store", str(src)]) == 0
    assert "批量导入完成" in capsys.readouterr().out
    with open_neo4j() as s:
        _same(s.load(), seed_store.load())
        assert s.load_status()["status"] == "complete"
    assert main(["load-neo4j", "--bulk", "--store", str(src)]) != 0
    assert "已有数据" in capsys.readouterr().err

    # a second load after one plan changed sends that plan only, and the database equals the new graph
    g = EmbeddedStore(src).load()
    task = next(n for n in g.nodes.values() if n.label == "Task")
    g.set_node(Node(task.id, "Task", {**task.props, "title": task.title + "（修订）"}))
    EmbeddedStore(src).replace_all(g)
    assert main(["load-neo4j", "--store", str(src)]) == 0
    assert "有变化的 1 份规划" in capsys.readouterr().out
    with open_neo4j() as s:
        _same(s.load(), g)


def test_a_routing_neo4j_uri_reaches_the_local_server(neo4j_store, seed_store):
    from graph_builder.store import open_neo4j

    port = neo4j_store.settings.uri.rsplit(":", 1)[1]
    if not neo4j_store.counts().get("Plan"):
        neo4j_store.replace_all(seed_store.load())
    with open_neo4j(uri=f"neo4j://127.0.0.1:{port}") as routed:
        routed.ping()
        assert routed.counts() == neo4j_store.counts()
        rows = routed.query("search", text="知识产权", limit=5)
        assert rows and rows == neo4j_store.query("search", text="知识产权", limit=5)


def _awkward_graph() -> Graph:
    """The synthetic graph plus values a CSV cell cannot hold as such: empty strings and lists, a list
    holding an empty string, an int among the floats of a column, quotes, commas and line breaks."""
    from graph_builder.models import Edge
    from tests.neo4j_fixtures import synthetic_graph

    g = synthetic_graph()
    g.add_node(Node("agency:odd", "Agency", {"name": "", "region": None, "aliases": ["", "市监局"], "kind": "body"}))
    g.add_node(Node("measure:odd", "Measure", {"name": "换行\n\"引号\"，逗号, 空格 ", "unit_kind": "", "keys": []}))
    task = next(n for n in g.nodes.values() if n.label == "Task")
    g.add_edge(Edge("责任", "agency:odd", task.id, {"role": "配合", "evidence": ""}))
    other = next(n.id for n in g.nodes.values() if n.label == "Task" and n.id != task.id)
    g.add_edge(Edge("OVERLAPS", task.id, other, {"score": 1, "kind": "peer", "evidence": []}))
    return g


def _stored(store) -> tuple[dict, dict]:
    """Every stored node and relationship with its raw properties, load stamp left out."""
    from graph_builder.store.neo4j_store import cypher

    def raw(props):
        return {k: v for k, v in props.items() if k != "_gen"}

    nodes = {r["id"]: (r["label"], raw(r["props"])) for r in store._read(cypher("get_nodes"), label=None, plan=None)}
    rels = {(r["type"], r["source"], r["target"]): raw(r["props"])
            for r in store._read(cypher("get_edges"), type=None, source=None, target=None)}
    return nodes, rels


def test_bulk_import_stores_exactly_what_the_merge_path_stores(local_server, tmp_path):
    from graph_builder.neo4j_bulk import bulk_import
    from graph_builder.settings import local_state_dir
    from graph_builder.store import open_neo4j
    from tests.neo4j_fixtures import same_graph

    g = _awkward_graph()
    local_server.replace_all(Graph())
    with open_neo4j() as s:
        stats = bulk_import(g, s, local_state_dir() / "dbms", tmp_path, say=lambda _msg: None)
    assert stats.fixups == 2  # the list holding "" and the int among floats; empty lists/strings need none
    with open_neo4j() as s:
        same_graph(g, s.load())
        bulk = _stored(s)
        assert bulk[0]["measure:odd"][1]["_empty"] == ["keys"] and bulk[0]["measure:odd"][1]["unit_kind"] == ""
        s.replace_all(Graph())
        s.replace_all(g)  # into the empty database (CREATE)
        assert _stored(s) == bulk
        s.replace_all(g)  # over the loaded graph (MERGE)
        assert _stored(s) == bulk
        same_graph(g, s.load())
