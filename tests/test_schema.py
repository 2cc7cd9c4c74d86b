"""The schema in graph_builder/models.py is what the pipeline writes and what the README promises.

Validation happens when a node or edge is added to a Graph; these tests pin that it rejects what it
must, that a real seed build uses only declared properties, and that the README's export-contract
table names only declared properties.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph_builder.errors import SchemaError
from graph_builder.models import (EDGE_PROPS, LABELS, NODE_PROPS, REL_TYPES, RESPONSIBLE, UPPER, Edge, Graph, Node,
                                  undeclared)

ROOT = Path(__file__).resolve().parents[1]


def test_unknown_label_or_type_is_rejected_on_add():
    g = Graph()
    with pytest.raises(SchemaError, match="Measurement"):
        g.add_node(Node("x", "Measurement", {}))
    with pytest.raises(SchemaError, match="UPPER_PLAN"):
        g.add_edge(Edge("UPPER_PLAN", "a", "b", {}))


@pytest.mark.parametrize("edge, key", [
    (Edge(RESPONSIBLE, "a", "t", {"role": "lead"}), "role"),
    (Edge(UPPER, "t", "u", {"status": "maybe"}), "status"),
    (Edge(UPPER, "t", "u", {"evidence": "a string, not a list"}), "evidence"),
    (Edge(UPPER, "t", "u", {"flags": ["attribute_mismatch"]}), "flags"),
    (Edge("OVERLAPS", "t", "u", {"kind": "same"}), "kind"),
    (Edge(UPPER, "t", "u", {"score": "0.9"}), "score"),
])
def test_enum_and_type_violations_name_the_property(edge, key):
    with pytest.raises(SchemaError, match=key):
        Graph().add_edge(edge)


def test_node_properties_are_typed_and_flat():
    g = Graph()
    with pytest.raises(SchemaError, match="level"):
        g.add_node(Node("plan:x", "Plan", {"title": "t", "level": "town"}))
    with pytest.raises(SchemaError, match="line"):
        g.add_node(Node("task:x", "Task", {"line": "12"}))
    with pytest.raises(SchemaError, match="extra"):
        g.add_node(Node("task:x", "Task", {"extra": {"nested": 1}}))
    g.add_node(Node("task:x", "Task", {"plan": "plan:x", "title": "t", "line": 3, "local": True, "cites": []}))
    assert g.nodes["task:x"].get("line") == 3


def test_nodes_mapping_is_read_only_so_the_networkx_view_stays_true():
    g = Graph([Node("task:a", "Task", {"title": "a"})])
    assert "task:a" in g.nx()
    with pytest.raises(TypeError):
        g.nodes["task:b"] = Node("task:b", "Task", {})  # type: ignore[index]
    g.add_node(Node("task:b", "Task", {"title": "b"}))
    assert "task:b" in g.nx(), "the view is rebuilt after a change"
    g.remove_node("task:a")
    assert "task:a" not in g.nx()


def test_seed_build_uses_only_declared_properties(seed_graph):
    assert undeclared(seed_graph) == {}
    assert {n.label for n in seed_graph.nodes.values()} <= set(LABELS)
    assert {e.type for e in seed_graph.edges} <= set(REL_TYPES)
    assert {e.type for e in seed_graph.edges} >= {UPPER, RESPONSIBLE, "CONTAINS"}


def test_documented_export_contract_matches_the_schema():
    """The export-contract table (docs/DEVELOPMENT.md, linked from the README) names only declared properties."""
    text = (ROOT / "docs" / "DEVELOPMENT.md").read_text(encoding="utf-8")
    section = text.split("## Export contract")[1].split("\n## ")[0]
    rows = [r for r in section.splitlines() if r.startswith("| ") and not r.startswith("| 标签")]
    seen = set()
    for row in rows:
        label_cell, props_cell = row.strip("|").split("|", 1)
        labels = [w for w in re.findall(r"[A-Za-z]+", label_cell) if w in NODE_PROPS]
        assert labels, f"README row names no schema label: {row}"
        props = set(re.findall(r"\b([a-z_]+)\b", " ".join(re.findall(r"`([^`]*)`", props_cell))))
        for label in labels:
            seen.add(label)
            enum_values = {str(c) for p in NODE_PROPS[label].values() for c in (p.choices or ())}
            extra = props - set(NODE_PROPS[label]) - enum_values
            assert not extra, f"README names undeclared {label} properties: {extra}"
    assert seen == set(LABELS), f"README export contract misses labels: {set(LABELS) - seen}"
    for rel, props in re.findall(r"`([^`\s]+) \{([^}]*)\}`", section):
        names = {p.split(":")[0].strip() for p in props.split(",")}
        assert rel in EDGE_PROPS and names <= set(EDGE_PROPS[rel]), (rel, names)
