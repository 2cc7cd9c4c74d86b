"""The explorer on Neo4j: with NEO4J_URI set, every page reads through Neo4jStore (the query library and
per-node look-ups, never the whole graph) and the sidebar names the backend and database.

Uses the real server of tests/neo4j_fixtures.py (fails under CI=true when unreachable, skips elsewhere).
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.synthetic import ids, synthetic_graph
from tests.neo4j_fixtures import neo4j_store  # noqa: F401 - fixture

from .test_app_pages import APP, PAGES, graph_of

pytestmark = pytest.mark.neo4j
I = ids()


@pytest.fixture
def neo4j_app(neo4j_store, monkeypatch, tmp_path):  # noqa: F811
    neo4j_store.replace_all(synthetic_graph())
    monkeypatch.setenv("NEO4J_URI", neo4j_store.settings.uri)
    if neo4j_store.settings.database:
        monkeypatch.setenv("NEO4J_DATABASE", neo4j_store.settings.database)
    monkeypatch.setenv("PLANGRAPH_DECISIONS", str(tmp_path / "review.csv"))
    from graph_builder.store.neo4j_store import Neo4jStore

    monkeypatch.setattr(Neo4jStore, "load", _forbidden)  # the app must never pull the whole graph
    nodes, edges = Neo4jStore.nodes, Neo4jStore.edges

    def filtered_nodes(self, label=None, plan=None):
        assert label or plan, "nodes() without a filter reads the whole graph"
        return nodes(self, label=label, plan=plan)

    def filtered_edges(self, type_=None, source=None, target=None):
        assert source or target, "edges() without an end reads every edge of a type"
        return edges(self, type_=type_, source=source, target=target)

    monkeypatch.setattr(Neo4jStore, "nodes", filtered_nodes)
    monkeypatch.setattr(Neo4jStore, "edges", filtered_edges)
    yield neo4j_store


def _forbidden(*_a, **_k):
    raise AssertionError("the explorer pulled the whole graph from Neo4j")


def _open(page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page != "overview":
        at.switch_page(f"graph_builder/ui/pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_neo4j(neo4j_app, page):
    at = _open(page)
    side = "\n".join(c.value for c in at.sidebar.caption)
    assert "Neo4j" in side and "数据库" in side
    assert not at.error, [e.value for e in at.error]


def test_trace_on_neo4j(neo4j_app):
    at = _open("trace", id=I["安徽省:深入推进商事制度改革"])
    _, nodes, edges = graph_of(at)
    assert {n["region"] for n in nodes} >= {"安徽省", "宿州市", "砀山县"}
    assert {e["label"] for e in edges} >= {"0.93"}
