"""The Neo4j commands end to end: load-neo4j, query on both backends, neo4j status."""
from __future__ import annotations

import json

import pytest

from graph_builder.cli.neo4j_cmds import parse_params
from graph_builder.errors import ConfigError
from graph_builder.store import EmbeddedStore
from tests.neo4j_fixtures import item_id, neo4j_store, same_graph, synthetic_graph  # noqa: F401
from tests.test_neo4j_faults import cli

pytestmark = pytest.mark.neo4j


def test_parse_params():
    assert parse_params(["id=task:1", "max_depth=3", "min_score=0.5", "kind=null", "text=a=b", "flag=true"]) == {
        "id": "task:1", "max_depth": 3, "min_score": 0.5, "kind": None, "text": "a=b", "flag": True}
    assert parse_params(["text=nan", "text2= 1"]) == {"text": "nan", "text2": " 1"}
    with pytest.raises(ConfigError):
        parse_params(["novalue"])


def test_load_neo4j_then_query_both_backends(neo4j_store, tmp_path):  # noqa: F811
    g = synthetic_graph()
    emb = EmbeddedStore(tmp_path / "store")
    emb.replace_all(g)
    r = cli("load-neo4j", "--store", str(emb.directory))
    assert r.returncode == 0, r.stderr
    assert "行/秒" in r.stdout and "上级规划" in r.stdout and f"已写入 {len(g.nodes)} 个节点" in r.stdout
    same_graph(g, neo4j_store.load())
    assert neo4j_store.load_status()["status"] == "complete"

    n1 = item_id(g, "深入推进商事制度改革")
    out = {}
    for backend in ("embedded", "neo4j"):
        r = cli("query", "trace_down", "--param", f"id={n1}", "--param", "max_depth=3", "--backend", backend,
                "--format", "json", "--store", str(emb.directory))
        assert r.returncode == 0, r.stderr
        out[backend] = json.loads(r.stdout)
    assert out["embedded"] == out["neo4j"] and [row["depth"] for row in out["neo4j"]] == [1, 2]

    r = cli("query", "responsibility", "--param", "plan=plan:city", "--backend", "neo4j")
    assert r.returncode == 0 and "荆门市教育局" in r.stdout and "3 行" in r.stdout
    r = cli("query", "no_such_query", "--backend", "neo4j")
    assert r.returncode == 4 and "未知查询" in r.stderr


def test_missing_embedded_store_is_one_line(tmp_path):
    r = cli("load-neo4j", "--store", str(tmp_path / "nothing"))
    assert r.returncode == 4 and "plangraph build" in r.stderr and "Traceback" not in r.stderr


def test_neo4j_status_reports_running(neo4j_store):  # noqa: F811
    from tests.test_neo4j_faults import _local_server

    if not _local_server(neo4j_store):
        pytest.skip("the local server is not managed by scripts/neo4j.sh here")
    r = cli("neo4j", "status")
    assert r.returncode == 0 and "正在运行" in r.stderr
    assert "NEO4J_PASSWORD" not in r.stdout + r.stderr
