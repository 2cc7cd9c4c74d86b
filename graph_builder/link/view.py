"""A read-only, indexed view of the extracted graph for the linkers (built once per link run)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from ..models import CONTAINS, ITEM_LABELS, MEASURES, OVERLAPS, PLAN, SAME_MEASURE, SECTION, UPPER, Graph, Node, is_loaded
from .text import norm

LINK_TYPES = (UPPER, OVERLAPS, MEASURES, SAME_MEASURE)  # SAME_MEASURE: cleared from older stores


@dataclass(slots=True)
class Item:
    """A Task/Project in matching form."""

    idx: int
    id: str
    label: str
    plan: str
    title: str
    text: str  # normalised title + text
    title_norm: str
    section: str | None  # nearest enclosing Section id
    section_title: str = ""


@dataclass(slots=True)
class GraphView:
    graph: Graph
    items: list[Item] = field(default_factory=list)
    items_by_plan: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    parent_of: dict[str, str] = field(default_factory=dict)  # CONTAINS child -> parent
    #: CONTAINS edges reversed (child → parent), for walking up the outline with networkx.
    up_tree: nx.DiGraph = field(default_factory=nx.DiGraph)

    @classmethod
    def build(cls, graph: Graph) -> "GraphView":
        v = cls(graph)
        # a plain DiGraph, not a filtered view of graph.nx(): BFS on a view counts the view's nodes per call
        v.parent_of = {e.target: e.source for e in graph.edges_of(CONTAINS)}
        v.up_tree.add_edges_from(v.parent_of.items())
        loaded = {p.id for p in graph.by_label(PLAN) if is_loaded(p)}
        nodes = sorted((n for n in graph.nodes.values() if n.label in ITEM_LABELS and n.get("plan") in loaded),
                       key=lambda n: (n.get("plan"), n.get("line") or 0, n.id))
        for n in nodes:
            sec = v.section_of(n.id)
            it = Item(len(v.items), n.id, n.label, n.get("plan"), n.title, item_text(n), norm(n.title), sec,
                      graph.nodes[sec].title if sec else "")
            v.items.append(it)
            v.items_by_plan[it.plan].append(it.idx)
        return v

    def section_of(self, node_id: str) -> str | None:
        """The nearest enclosing Section (breadth-first up the CONTAINS tree)."""
        if node_id not in self.up_tree:
            return None
        for _, anc in nx.bfs_edges(self.up_tree, node_id, depth_limit=20):
            n = self.graph.nodes.get(anc)
            if n is not None and n.label == SECTION:
                return anc
        return None


def item_text(n: Node) -> str:
    """Title + body in matching form (the body usually omits the lead sentence)."""
    title, body = norm(n.title), norm(n.get("text") or "")
    if body.startswith(title):
        return body
    return title + body
