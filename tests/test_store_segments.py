"""The plan-grouped layout of graph.json: every plan's nodes and edges in one run, an index that reads a few
plans without the rest, rewrites that copy untouched plans' bytes, and an index a crash left stale is ignored."""
from __future__ import annotations

import shutil

import pytest

from graph_builder.models import Edge, Graph, Node
from graph_builder.store import EmbeddedStore, segments


def _same(a: Graph, b: Graph) -> None:
    assert {k: (n.label, n.props) for k, n in a.nodes.items()} == {k: (n.label, n.props) for k, n in b.nodes.items()}
    assert {e.key: e.props for e in a.edges} == {e.key: e.props for e in b.edges}


@pytest.fixture()
def store(seed_store, tmp_path) -> EmbeddedStore:
    shutil.copytree(seed_store.directory, tmp_path / "s")
    return EmbeddedStore(tmp_path / "s")


def test_each_plan_is_one_segment_and_reading_all_segments_equals_the_whole_file(store, seed_graph):
    layout = segments.load_index(store.directory)
    assert layout is not None
    plans = {p.id for p in seed_graph.by_label("Plan") if p.props.get("loaded") is not False}
    assert set(layout.plans()) == plans
    _same(segments.read(store.file, layout, layout.segments), seed_graph)
    one = sorted(plans)[0]
    part = segments.read(store.file, layout, [one])
    assert part.nodes and all(n.props.get("plan") == one for n in part.nodes.values())
    assert len(part.nodes) == sum(1 for n in seed_graph.nodes.values() if n.props.get("plan") == one)


def test_a_rewrite_copies_untouched_plans_and_equals_a_full_write(store, seed_graph):
    layout = segments.load_index(store.directory)
    plans = sorted(layout.plans())
    changed, dropped = plans[0], plans[1]
    g = seed_graph.copy()
    task = next(n for n in g.nodes.values() if n.label == "Task" and n.props.get("plan") == changed)
    g.set_node(Node(task.id, "Task", {**task.props, "title": task.title + "（修订）"}))
    other = next(n for n in g.nodes.values() if n.label == "Task" and n.props.get("plan") == plans[2])
    g.add_edge(Edge("OVERLAPS", task.id, other.id, {"kind": "peer", "score": 0.9}))
    gone = {nid for nid, n in g.nodes.items() if n.props.get("plan") == dropped}
    for nid in gone:
        g.pop_node(nid)
    for e in g.edges:
        if e.source in gone or e.target in gone:
            g.remove_edge(e.key)
    parts = segments.split(g)
    seg_of = {nid: segments.node_segment(n) for nid, n in g.nodes.items()}.get
    touched = {changed, segments.SHARED} | {s for s in layout.plans() if dropped in layout.segments[s].reaches}
    new = segments.rewrite(store.file, layout, {s: parts.get(s, ([], [])) for s in touched}, {dropped}, seg_of)
    _same(EmbeddedStore(store.directory).load(), g)
    assert segments.load_index(store.directory) == new
    assert dropped not in new.segments
    for s in set(plans) - touched - {dropped}:
        assert new.segments[s].digest == layout.segments[s].digest
    assert new.segments[changed].digest != layout.segments[changed].digest
    assert plans[2] in new.segments[changed].reaches and changed in new.inbound()[plans[2]]
    # and a full write of the same graph gives the same digests: digests depend on content only
    full = segments.write(store.file, g)
    assert {s: v.digest for s, v in full.segments.items()} == {s: v.digest for s, v in new.segments.items()}


def test_an_index_left_stale_by_a_crash_is_ignored(store, seed_graph):
    stale = (store.directory / segments.INDEX_FILE).read_bytes()
    g = seed_graph.copy()
    task = next(n for n in g.nodes.values() if n.label == "Task")
    g.set_node(Node(task.id, "Task", {**task.props, "title": "新的标题"}))
    store.replace_all(g)  # a new graph.json and a new index …
    (store.directory / segments.INDEX_FILE).write_bytes(stale)  # … but the crash kept the old index
    assert segments.load_index(store.directory) is None
    _same(store.load(), g)
