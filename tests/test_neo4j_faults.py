"""Faults against the real server: down, wrong password, hostile parameters, and a crash mid-load."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import traceback

import pytest

from graph_builder.errors import ConfigError, StoreError
from graph_builder.models import Edge, Node
from graph_builder.store import EmbeddedStore
from graph_builder.settings import local_password as _local_password
from graph_builder.store import open_neo4j
from graph_builder.store.neo4j_store import Neo4jStore
from tests.neo4j_fixtures import ROOT, neo4j_store, same_graph, scaled_graph, synthetic_graph  # noqa: F401

pytestmark = pytest.mark.neo4j
SCRIPT = ROOT / "scripts" / "neo4j.sh"
RUN_CLI = "import sys; from graph_builder.cli import main; sys.exit(main(sys.argv[1:]))"


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    # COLUMNS: rich wraps at 80 columns when not on a terminal; the message itself must be one line.
    full = {**os.environ, "COLUMNS": "400", **(env or {})}
    return subprocess.run([sys.executable, "-c", RUN_CLI, *args], capture_output=True, text=True,
                          env=full, cwd=ROOT, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def real_password() -> str:
    pw = os.environ.get("NEO4J_PASSWORD") or _local_password()
    assert pw, "no password for the test server"
    return pw


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{text}"
    assert "Traceback" not in text
    return lines[0]


# ---------------------------------------------------------------- server down


def test_server_down_cli_one_line(tmp_path):
    """No server listening: one Chinese line, exit code 3, no traceback — for every Neo4j command."""
    store = EmbeddedStore(tmp_path / "store")
    store.replace_all(synthetic_graph())
    env = {"NEO4J_URI": f"bolt://127.0.0.1:{free_port()}", "NEO4J_PASSWORD": "irrelevant-secret-42"}
    for args in (["load-neo4j", "--store", str(store.directory)],
                 ["query", "search", "--param", "text=市场", "--backend", "neo4j"]):
        r = cli(*args, env=env, timeout=60)
        assert r.returncode == 3, r
        line = one_line(r.stderr)
        assert "无法连接 Neo4j" in line and "plangraph neo4j start" in line
        assert "irrelevant-secret-42" not in r.stdout + r.stderr


def test_server_down_store_error():
    secret = "pw-not-shown-%d" % os.getpid()
    with pytest.raises(StoreError) as ei:
        open_neo4j(uri=f"bolt://127.0.0.1:{free_port()}", password=secret).ping()
    assert ei.value.__cause__ is None and ei.value.__suppress_context__
    assert secret not in "".join(traceback.format_exception(ei.value))


def test_bad_uri_is_a_config_error():
    with pytest.raises(ConfigError):
        open_neo4j(uri="http://127.0.0.1:1", password="x")


# ---------------------------------------------------------------- credentials


def test_wrong_password_clear_error_without_password(neo4j_store, caplog):  # noqa: F811
    secret = "Wr0ng-Secret-%s" % os.getpid()
    bad = open_neo4j(uri=neo4j_store.settings.uri, user=neo4j_store.settings.user, password=secret,
                     database=neo4j_store.settings.database)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StoreError) as ei:
        bad.ping()
    bad.close()
    text = str(ei.value) + repr(ei.value) + "".join(traceback.format_exception(ei.value)) + repr(bad)
    assert "认证失败" in str(ei.value)
    assert secret not in text and secret not in caplog.text
    assert real_password() not in text and real_password() not in caplog.text

    r = cli("query", "search", "--param", "text=市场", "--backend", "neo4j",
            env={"NEO4J_URI": neo4j_store.settings.uri, "NEO4J_PASSWORD": secret})
    assert r.returncode == 3
    assert "认证失败" in one_line(r.stderr)
    assert secret not in r.stdout + r.stderr


def test_password_never_in_repr_or_logs(neo4j_store, caplog):  # noqa: F811
    pw = real_password()
    caplog.set_level(logging.DEBUG, logger="neo4j")
    s = open_neo4j()
    s.ping()
    s.query("search", text="市场")
    assert pw not in repr(s) and pw not in str(vars(s)) and pw not in s.describe()
    assert pw not in caplog.text
    s.close()


# ---------------------------------------------------------------- hostile input

HOSTILE = ["'", '"', "}) DETACH DELETE n //", "'}) MATCH (n) DETACH DELETE n //", "\\", "商事\") OR (\"",
           "*:*", "title:商事~", "$id", "`", "\x00", "x" * 100_000, "商" * 100_000]


def test_hostile_parameters_are_inert(neo4j_store):  # noqa: F811
    g = synthetic_graph()
    victim = Node("task:hostile", "Task", {"plan": "plan:city", "title": "}) DETACH DELETE n // 特别'标题\"",
                                           "text": "'; MATCH (n) DETACH DELETE n; //", "path": [], "line": 1})
    g.add_node(victim)
    g.add_edge(Edge("CONTAINS", "plan:city", victim.id, {}))
    neo4j_store.replace_all(g)
    before = neo4j_store.counts()
    for s in HOSTILE:
        assert isinstance(neo4j_store.query("search", text=s), list)
        assert neo4j_store.query("trace_down", id=s) == []
        assert neo4j_store.query("trace_up", id=s, max_depth=3) == []
        assert neo4j_store.query("responsibility", plan=s) == []
        assert neo4j_store.query("coverage", lower=s) == []
        for name in ("orphans", "overlaps"):  # enum parameters are checked against the spec before any Cypher
            with pytest.raises(ConfigError):
                neo4j_store.query(name, kind=s)
        assert neo4j_store.node(s) is None and neo4j_store.nodes(plan=s) == [] and neo4j_store.edges(source=s) == []
    # hostile text stored as data is found as data
    assert [r["id"] for r in neo4j_store.query("search", text="}) DETACH DELETE n //")] == ["task:hostile"]
    assert [r["id"] for r in neo4j_store.query("search", text="特别'标题\"")] == ["task:hostile"]
    r = cli("query", "search", "--param", "text=}) DETACH DELETE n //", "--backend", "neo4j", "--format", "json")
    assert r.returncode == 0 and '"task:hostile"' in r.stdout, r.stderr
    r = cli("query", "trace_down", "--param", "id='}) MATCH (n) DETACH DELETE n //", "--backend", "neo4j")
    assert r.returncode == 0 and "无结果" in r.stdout
    assert neo4j_store.counts() == before
    same_graph(g, neo4j_store.load())


def test_bad_query_parameters_are_config_errors(neo4j_store):  # noqa: F811
    for name, params in (("trace_down", {"id": "x", "max_depth": "deep"}), ("trace_up", {"id": "x", "max_depth": 11}),
                         ("search", {"text": "x", "limit": -1}), ("nope", {}), ("search", {"text": "x", "bogus": 1})):
        with pytest.raises(ConfigError):
            neo4j_store.query(name, **params)
    r = cli("query", "search", "--param", "oops", "--backend", "neo4j")
    assert r.returncode == 4 and "键=值" in one_line(r.stderr)


# ---------------------------------------------------------------- crash in the middle of a load


def _local_server(store: Neo4jStore) -> bool:
    """Is *store* talking to the server scripts/neo4j.sh manages in this checkout?"""
    from graph_builder.settings import local_state_dir, local_uri

    return (local_state_dir() / "neo4j.pid").exists() and store.settings.uri == local_uri()


def test_server_killed_mid_load_then_rerun_equals_clean_load(neo4j_store):  # noqa: F811
    """SIGKILL the server while relationships are being written; after a restart the rerun repairs it."""
    if not _local_server(neo4j_store):
        pytest.skip("needs the local server managed by scripts/neo4j.sh (it is killed and restarted)")
    old = scaled_graph(provinces=4, cities=3, sections=6, tasks_per_section=12, seed=1)
    new = scaled_graph(provinces=4, cities=3, sections=6, tasks_per_section=12, seed=2)
    assert set(old.nodes) != set(new.nodes) and {e.key for e in old.edges} != {e.key for e in new.edges}
    neo4j_store.replace_all(old)

    crashing = open_neo4j(retry_time=1.0)
    killed: list[int] = []

    def kill_midway(ev) -> None:
        phase, done, total = ev.item, ev.done, ev.total
        if phase == "rels" and done >= total // 3 and not killed:
            subprocess.run(["bash", str(SCRIPT), "kill"], check=True, timeout=60)
            killed.append(done)

    try:
        with pytest.raises(StoreError) as ei:
            crashing.replace_all(new, progress=kill_midway)
    finally:
        crashing.close()
        started = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=300)
    assert killed, "the load finished before the kill"
    assert started.returncode == 0, started.stderr
    assert real_password() not in str(ei.value)

    after = open_neo4j()
    try:
        assert after.load_status()["status"] == "loading"  # the interruption is visible
        half = after.load()
        assert set(half.nodes) != set(new.nodes) or {e.key for e in half.edges} != {e.key for e in new.edges}
        after.replace_all(new)
        same_graph(new, after.load())
        assert after.load_status()["status"] == "complete"
        after.replace_all(new)  # and once more: idempotent
        same_graph(new, after.load())
    finally:
        after.close()
