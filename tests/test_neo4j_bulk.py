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
