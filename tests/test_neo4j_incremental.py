"""Incremental Neo4j loads read only what changed: the changed plans' segments of graph.json and the segments
with edges into them, never the whole graph — and the database still equals the embedded store."""
from __future__ import annotations

import re
import shutil

from graph_builder.models import Graph, Node
from graph_builder.store import EmbeddedStore
from tests.neo4j_fixtures import *  # noqa: F401,F403


def _same(a: Graph, b: Graph) -> None:
    assert {k: (n.label, n.props) for k, n in a.nodes.items()} == {k: (n.label, n.props) for k, n in b.nodes.items()}
    assert {e.key: e.props for e in a.edges} == {e.key: e.props for e in b.edges}


def _upper_plan_with_links_into_it(g: Graph) -> str:
    """A loaded plan another plan's tasks link up to (their edges live in the lower plan's segment)."""
    for e in g.edges_of("上级规划"):
        s, t = g.nodes.get(e.source), g.nodes.get(e.target)
        if s is not None and t is not None and s.label == "Task" and t.label == "Task" \
                and s.props.get("plan") != t.props.get("plan"):
            return t.props["plan"]
    raise AssertionError("the seeds have cross-plan task links")


def test_a_changed_upper_plan_is_sent_with_the_lower_links_into_it_and_a_removed_plan_disappears(
        neo4j_store, seed_store, tmp_path, capsys):
    from graph_builder.cli import main
    from graph_builder.store import open_neo4j

    neo4j_store.replace_all(Graph())
    src = tmp_path / "store"
    shutil.copytree(seed_store.directory, src)
    assert main(["load-neo4j", "--full", "--store", str(src)]) == 0
    capsys.readouterr()

    g = EmbeddedStore(src).load().copy()
    upper = _upper_plan_with_links_into_it(g)
    task = next(n for n in g.nodes.values() if n.label == "Task" and n.props.get("plan") == upper)
    g.set_node(Node(task.id, "Task", {**task.props, "title": task.title + "（修订）"}))
    loaded = [p.id for p in g.by_label("Plan") if p.props.get("loaded") is not False and p.id != upper]
    removed = next(p for p in loaded if not any(e.target in g.nodes and g.nodes[e.target].props.get("plan") == p
                                                 for e in g.edges_of("上级规划")))
    gone = {nid for nid, n in g.nodes.items() if n.props.get("plan") == removed} | {removed}
    owner = {nid: (nid if n.label == "Plan" else n.props.get("plan")) for nid, n in g.nodes.items()}
    # plans whose stored edges reach into the removed plan change with it
    expected = {upper, removed} | {owner[e.source] for e in g.edges if e.target in gone and e.source not in gone
                                   and owner.get(e.source)}
    for nid in gone:
        g.pop_node(nid)
    for e in g.edges:
        if e.source in gone or e.target in gone:
            g.remove_edge(e.key)
    EmbeddedStore(src).replace_all(g)

    assert main(["load-neo4j", "--store", str(src)]) == 0
    out = capsys.readouterr().out
    assert f"有变化的 {len(expected)} 份规划" in out
    read = int(re.search(r"读取 (\d+) 个节点", out).group(1))
    assert read < len(g.nodes)  # the unchanged plans without edges into the changed one were not read
    with open_neo4j() as s:
        _same(s.load(), g)
