"""A read-only, indexed view of the extracted graph for the linkers (built once per link run)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..models import Graph, Node
from .text import norm

LINK_TYPES = ("上级规划", "OVERLAPS", "MEASURES", "SAME_MEASURE")  # SAME_MEASURE: cleared from older stores
ITEM_LABELS = ("Task", "Project")


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

    @classmethod
    def build(cls, graph: Graph) -> "GraphView":
        v = cls(graph)
        for e in graph.edges_of("CONTAINS"):
            v.parent_of[e.target] = e.source
        loaded = {p.id for p in graph.by_label("Plan") if p.get("loaded", True) is not False}
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
        seen = 0
        cur = self.parent_of.get(node_id)
        while cur is not None and seen < 20:
            n = self.graph.nodes.get(cur)
            if n is not None and n.label == "Section":
                return cur
            cur, seen = self.parent_of.get(cur), seen + 1
        return None


def item_text(n: Node) -> str:
    """Title + body in matching form (the body usually omits the lead sentence)."""
    title, body = norm(n.title), norm(n.get("text") or "")
    if body.startswith(title):
        return body
    return title + body
