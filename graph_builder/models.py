"""Typed records passed between pipeline stages, and the generic graph the stores hold.

Extraction produces typed records (:class:`Plan`, :class:`Task`, ...); each turns into a
:class:`Node` with :meth:`to_node`. Stores only know :class:`Node`/:class:`Edge`, so the export
contract (``plangraph/1``) is exactly ``{"id", "label", **props}`` per node.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Iterable, Iterator

SCHEMA = "plangraph/1"

LEVELS = ("national", "province", "city", "county")
LEVEL_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}


def stable_id(prefix: str, *parts: str) -> str:
    """Deterministic id from meaningful parts, so curation survives rebuilds.

    >>> stable_id("task", "anhui", "三、主要任务", "深入推进商事制度改革")
    'task:062d438800b4200e'
    """
    h = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}:{h}"


@dataclass(frozen=True, slots=True)
class Node:
    """A graph node as stored and exported: id, label and flat JSON-able properties."""

    id: str
    label: str
    props: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)

    @property
    def plan(self) -> str | None:
        return self.props.get("plan")

    @property
    def title(self) -> str:
        return str(self.props.get("title") or self.props.get("name") or "")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, **self.props}


@dataclass(frozen=True, slots=True)
class Edge:
    """A directed, typed relationship with flat properties."""

    type: str
    source: str
    target: str
    props: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type, self.source, self.target)

    def get(self, key: str, default: Any = None) -> Any:
        return self.props.get(key, default)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "source": self.source, "target": self.target, **self.props}


class Graph:
    """An in-memory graph of :class:`Node`/:class:`Edge`; edges are unique by (type, source, target)."""

    def __init__(self, nodes: Iterable[Node] = (), edges: Iterable[Edge] = ()):
        self.nodes: dict[str, Node] = {}
        self._edges: dict[tuple[str, str, str], Edge] = {}
        for n in nodes:
            self.add_node(n)
        for e in edges:
            self.add_edge(e)

    def add_node(self, node: Node) -> Node:
        """Add or merge a node: later properties win, list properties (aliases) are unioned."""
        old = self.nodes.get(node.id)
        if old is not None:
            merged = dict(old.props)
            for k, v in node.props.items():
                if isinstance(v, list) and isinstance(merged.get(k), list):
                    merged[k] = sorted(set(merged[k]) | set(v))
                elif v is not None or k not in merged:
                    merged[k] = v
            node = Node(node.id, node.label, merged)
        self.nodes[node.id] = node
        return node

    def add_edge(self, edge: Edge) -> Edge:
        self._edges[edge.key] = edge
        return edge

    def remove_edge(self, key: tuple[str, str, str]) -> None:
        self._edges.pop(key, None)

    @property
    def edges(self) -> list[Edge]:
        return list(self._edges.values())

    def edge(self, type_: str, source: str, target: str) -> Edge | None:
        return self._edges.get((type_, source, target))

    def by_label(self, label: str) -> Iterator[Node]:
        return (n for n in self.nodes.values() if n.label == label)

    def edges_of(self, type_: str) -> Iterator[Edge]:
        return (e for e in self._edges.values() if e.type == type_)

    def merge(self, other: "Graph") -> None:
        for n in other.nodes.values():
            self.add_node(n)
        for e in other.edges:
            self.add_edge(e)

    def to_json(self) -> dict[str, Any]:
        nodes = sorted(self.nodes.values(), key=lambda n: (n.label, n.id))
        edges = sorted(self._edges.values(), key=lambda e: e.key)
        return {"schema": SCHEMA, "nodes": [n.to_json() for n in nodes], "edges": [e.to_json() for e in edges]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Graph":
        g = cls()
        for raw in data.get("nodes", []):
            raw = dict(raw)
            g.add_node(Node(raw.pop("id"), raw.pop("label"), raw))
        for raw in data.get("edges", []):
            raw = dict(raw)
            g.add_edge(Edge(raw.pop("type"), raw.pop("source"), raw.pop("target"), raw))
        return g

    def __len__(self) -> int:
        return len(self.nodes)


# ---------------------------------------------------------------- typed extraction records


@dataclass(slots=True)
class _Record:
    label: ClassVar[str] = ""

    def to_node(self) -> Node:
        d = asdict(self)
        nid = d.pop("id")
        return Node(nid, self.label, d)


@dataclass(slots=True)
class Plan(_Record):
    label: ClassVar[str] = "Plan"
    id: str
    title: str
    region: str | None
    level: str | None
    issuer: str | None
    date: str | None
    source: str | None
    loaded: bool = True
    doc_no: str | None = None


@dataclass(slots=True)
class Section(_Record):
    label: ClassVar[str] = "Section"
    id: str
    plan: str
    title: str
    path: list[str]
    line: int
    kind: str = "task"  # task | context | safeguard | goals
    page: int | None = None


@dataclass(slots=True)
class Task(_Record):
    label: ClassVar[str] = "Task"
    id: str
    plan: str
    title: str
    text: str
    path: list[str]
    line: int
    page: int | None = None
    deadline: str | None = None
    cites: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # footnotes (注：…) attached to the item's paragraphs


@dataclass(slots=True)
class Project(Task):
    """An item of a 专栏 box: a task-like record that also names its box."""

    label: ClassVar[str] = "Project"
    box: str = ""


@dataclass(slots=True)
class Indicator(_Record):
    label: ClassVar[str] = "Indicator"
    id: str
    plan: str
    name: str
    unit: str | None
    baseline: str | None
    target: str | None
    attribute: str | None
    cumulative: bool | None
    category: str | None
    source: str  # table | prose
    line: int
    seq: str | None = None
    page: int | None = None
    task: str | None = None  # prose targets: the Task/Project id they were stated in
    quote: str | None = None
    prose_line: int | None = None  # a table row also stated in the plan's prose: that line (one Indicator)


@dataclass(slots=True)
class Agency(_Record):
    label: ClassVar[str] = "Agency"
    id: str
    name: str
    region: str | None
    aliases: list[str] = field(default_factory=list)
    kind: str = "body"  # body | generic (各级市场监管部门)


@dataclass(slots=True)
class Region(_Record):
    label: ClassVar[str] = "Region"
    id: str
    name: str
    level: str
    parent: str | None
