"""The schema (labels, relationship types, typed properties, enums) and the generic graph the stores hold.

This module is the single source of truth for the ``plangraph/1`` export contract: readers import the
names below (``UPPER``, ``RESPONSIBLE``, ``TASK`` ...) instead of writing string literals, and
:class:`Graph` validates every node and edge against :data:`NODE_PROPS` / :data:`EDGE_PROPS` when it is
added. Extraction produces typed records (:class:`Plan`, :class:`Task`, ...); each turns into a
:class:`Node` with :meth:`to_node`. The README's export contract is checked against this table by a test.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator, Mapping

from .errors import SchemaError

if TYPE_CHECKING:  # networkx is imported lazily: most stages never need the view
    import networkx as nx

SCHEMA = "plangraph/1"

# ---------------------------------------------------------------- labels and relationship types
PLAN, SECTION, TASK, PROJECT, INDICATOR, AGENCY, REGION, MEASURE = (
    "Plan", "Section", "Task", "Project", "Indicator", "Agency", "Region", "Measure")
LABELS = (PLAN, SECTION, TASK, PROJECT, INDICATOR, AGENCY, REGION, MEASURE)
ITEM_LABELS = (TASK, PROJECT)  # what 上级规划 links, orphans and coverage count
SEARCH_LABELS = (TASK, PROJECT, INDICATOR)

CONTAINS, RESPONSIBLE, COVERS, WITHIN, UPPER, OVERLAPS, MEASURES = (
    "CONTAINS", "责任", "COVERS", "WITHIN", "上级规划", "OVERLAPS", "MEASURES")
SAME_MEASURE = "SAME_MEASURE"  # legacy: older stores hold it; linking clears it (MEASURES replaced it)
REL_TYPES = (CONTAINS, RESPONSIBLE, COVERS, WITHIN, UPPER, OVERLAPS, MEASURES, SAME_MEASURE)
EXTRACTED_TYPES = (CONTAINS, RESPONSIBLE, COVERS, WITHIN)  # written by extraction (linking adds the rest)

# ---------------------------------------------------------------- enums
LEVELS = ("national", "province", "city", "county")
LEVEL_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}
ROLES = ("牵头", "配合", "主责")
LINK_STATUSES = ("linked", "suggested", "accepted", "rejected", "suspect")  # linked: confident; suggested: awaits review
REJECTED = "rejected"
PLAN_KINDS = ("special", "general")
SECTION_KINDS = ("task", "context", "goals", "safeguard")
INDICATOR_SOURCES = ("table", "prose")
AGENCY_KINDS = ("body", "generic")
UNIT_KINDS = ("percent", "ratio", "amount", "duration", "score", "count", "")  # Measure.unit_kind
REGION_SOURCES = ("title", "issuer", "doc_no", "cites", "body", "manifest")  # evidence a plan's region came from
OVERLAP_KINDS = ("within_plan", "same_region", "peer")
ORPHAN_KINDS = ("no_upper", "not_picked_up", "no_agency")
#: Consistency flags on Indicator→Indicator 上级规划 / SAME_MEASURE (graph_builder.link.indicators writes them).
INDICATOR_FLAGS = ("unit_mismatch", "period_mismatch", "missing_baseline", "weaker_target")
ORPHAN_REASONS = ("local", "pending_review", "upper_not_loaded", "no_match", "not_broken_down", "no_agency")
#: Deepest trace (a Cypher quantifier cannot be a parameter: it is the literal bound in trace_*.cypher).
MAX_DEPTH = 10


# ---------------------------------------------------------------- typed properties


@dataclass(frozen=True)
class Prop:
    """One property: its Python type(s) and, for enums, the allowed values. ``None`` is always allowed."""

    types: tuple[type, ...]
    choices: tuple[Any, ...] | None = None
    doc: str = ""

    def check(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool) and bool not in self.types:
            return f"应为 {self._tname()}，实际是布尔值"
        if not isinstance(value, self.types):
            return f"应为 {self._tname()}，实际是 {type(value).__name__}"
        if list in self.types and isinstance(value, list) and any(isinstance(x, (list, dict)) for x in value):
            return "列表元素必须是扁平值"
        if self.choices is not None:
            bad = [v for v in (value if isinstance(value, list) else [value]) if v not in self.choices]
            if bad:
                return f"取值 {bad[0]!r} 不在 {'|'.join(map(str, self.choices))} 中"
        return None

    def _tname(self) -> str:
        return "|".join(t.__name__ for t in self.types)


STR, INT, BOOL, STRS = Prop((str,)), Prop((int,)), Prop((bool,)), Prop((list,))
NUM = Prop((int, float))


def enum(*values: Any) -> Prop:
    return Prop((str,), tuple(values))


_ITEM = {"plan": STR, "title": STR, "text": STR, "path": STRS, "line": INT, "page": INT, "deadline": STR,
         "cites": STRS, "local": BOOL, "local_changed": BOOL, "notes": STRS, "title_raw": STR}
_LINK_REVIEW = {"decision": STR, "decided": STR, "note": STR}

#: Properties per node label (the export contract). Undeclared properties are reported by the schema test.
NODE_PROPS: dict[str, dict[str, Prop]] = {
    PLAN: {"title": STR, "region": STR, "level": enum(*LEVELS), "issuer": STR, "date": STR, "source": STR,
           "loaded": BOOL, "doc_no": STR, "cites": STRS, "kind": enum(*PLAN_KINDS),
           "title_inferred": BOOL, "issuer_inferred": BOOL,
           "region_source": enum(*REGION_SOURCES), "level_source": enum("manifest"), "title_raw": STR},
    SECTION: {"plan": STR, "title": STR, "path": STRS, "line": INT, "page": INT, "kind": enum(*SECTION_KINDS)},
    TASK: dict(_ITEM),
    PROJECT: {**_ITEM, "box": STR},
    INDICATOR: {"plan": STR, "name": STR, "unit": STR, "baseline": STR, "target": STR, "attribute": STR,
                "cumulative": BOOL, "category": STR, "source": enum(*INDICATOR_SOURCES), "line": INT,
                "seq": STR, "page": INT, "task": STR, "quote": STR, "prose_line": INT, "name_raw": STR},
    MEASURE: {"name": STR, "unit_kind": enum(*UNIT_KINDS), "keys": STRS},
    AGENCY: {"name": STR, "region": STR, "aliases": STRS, "kind": enum(*AGENCY_KINDS)},
    REGION: {"name": STR, "level": enum(*LEVELS), "parent": STR},
}

#: Properties per relationship type, with the (source labels, target labels) it may join.
EDGE_PROPS: dict[str, dict[str, Prop]] = {
    CONTAINS: {},
    RESPONSIBLE: {"role": enum(*ROLES), "evidence": STR},
    COVERS: {},
    WITHIN: {},
    UPPER: {"score": NUM, "method": STR, "evidence": STRS, "status": enum(*LINK_STATUSES),
            "kind": enum(*PLAN_KINDS), "flags": Prop((list,), INDICATOR_FLAGS), "reasons": STRS, **_LINK_REVIEW},
    OVERLAPS: {"score": NUM, "kind": enum(*OVERLAP_KINDS), "evidence": STRS},
    MEASURES: {"key": STR},
    SAME_MEASURE: {"score": NUM, "flags": Prop((list,), INDICATOR_FLAGS), "reasons": STRS},
}


def validate_node(node: "Node") -> None:
    """Raise :class:`SchemaError` when *node*'s label or a declared property does not fit the schema."""
    props = NODE_PROPS.get(node.label)
    if props is None:
        raise SchemaError(f"节点 {node.id} 的标签 {node.label!r} 不在模型中（允许：{', '.join(LABELS)}）")
    _check_props(props, node.props, f"节点 {node.id}（{node.label}）")


def validate_edge(edge: "Edge") -> None:
    """Raise :class:`SchemaError` when *edge*'s type or a declared property does not fit the schema."""
    props = EDGE_PROPS.get(edge.type)
    if props is None:
        raise SchemaError(f"关系 {edge.source}->{edge.target} 的类型 {edge.type!r} 不在模型中（允许：{', '.join(REL_TYPES)}）")
    _check_props(props, edge.props, f"关系 {edge.type} {edge.source}->{edge.target}")


def _check_props(declared: Mapping[str, Prop], props: Mapping[str, Any], where: str) -> None:
    for k, v in props.items():
        p = declared.get(k)
        problem = p.check(v) if p is not None else _flat(v)
        if problem:
            raise SchemaError(f"{where} 的属性 {k}：{problem}")


def _flat(v: Any) -> str | None:
    if v is None or isinstance(v, (str, int, float, bool)):
        return None
    if isinstance(v, list) and all(x is None or isinstance(x, (str, int, float, bool)) for x in v):
        return None
    return f"不是扁平值（{type(v).__name__}）"


def undeclared(graph: "Graph") -> dict[str, set[str]]:
    """Label/type → property names present in *graph* but not declared in the schema."""
    out: dict[str, set[str]] = {}
    for n in graph.nodes.values():
        extra = set(n.props) - set(NODE_PROPS.get(n.label, {}))
        if extra:
            out.setdefault(n.label, set()).update(extra)
    for e in graph.edges:
        extra = set(e.props) - set(EDGE_PROPS.get(e.type, {}))
        if extra:
            out.setdefault(e.type, set()).update(extra)
    return out


def live(props: Mapping[str, Any]) -> bool:
    """A 上级规划 link counts unless a reviewer rejected it."""
    return props.get("status") != REJECTED


def is_loaded(node: "Node | None") -> bool:
    """A plan is loaded unless it is an unloaded placeholder (``loaded: false``)."""
    return node is not None and node.props.get("loaded", True) is not False


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
        self._nodes: dict[str, Node] = {}
        self._nodes_view = MappingProxyType(self._nodes)  # a live read-only view, made once (hot in linking)
        self._edges: dict[tuple[str, str, str], Edge] = {}
        self._nx: "nx.MultiDiGraph | None" = None
        for n in nodes:
            self.add_node(n)
        for e in edges:
            self.add_edge(e)

    def copy(self) -> "Graph":
        """A shallow copy (nodes and edges are immutable and already validated, so nothing is checked again)."""
        g = Graph()
        g._nodes.update(self._nodes)
        g._edges.update(self._edges)
        return g

    def __getstate__(self) -> dict:  # the read-only view cannot be pickled (worker processes send graphs back)
        return {"nodes": self._nodes, "edges": self._edges}

    def __setstate__(self, state: dict) -> None:
        self._nodes, self._edges, self._nx = state["nodes"], state["edges"], None
        self._nodes_view = MappingProxyType(self._nodes)

    def add_node(self, node: Node) -> Node:
        """Add or merge a node (validated): later properties win, list properties (aliases) are unioned."""
        validate_node(node)
        self._nx = None
        old = self._nodes.get(node.id)
        if old is not None:
            merged = dict(old.props)
            for k, v in node.props.items():
                if isinstance(v, list) and isinstance(merged.get(k), list):
                    merged[k] = sorted(set(merged[k]) | set(v))
                elif v is not None or k not in merged:
                    merged[k] = v
            node = Node(node.id, node.label, merged)  # both parts were validated; a merge keeps their types
        self._nodes[node.id] = node
        return node

    @property
    def nodes(self) -> Mapping[str, Node]:
        """Read-only id → node view; change nodes with add_node/set_node/remove_node (keeps the nx view true)."""
        return self._nodes_view

    def pop_node(self, node_id: str) -> None:
        """Drop a node only (the caller removes its edges, e.g. in one pass for many nodes)."""
        self._nx = None
        self._nodes.pop(node_id, None)

    def remove_node(self, node_id: str) -> None:
        """Drop a node and every edge touching it."""
        self._nx = None
        self._nodes.pop(node_id, None)
        for key in [k for k in self._edges if node_id in (k[1], k[2])]:
            del self._edges[key]

    def add_edge(self, edge: Edge) -> Edge:
        validate_edge(edge)
        self._nx = None
        self._edges[edge.key] = edge
        return edge

    def remove_edge(self, key: tuple[str, str, str]) -> None:
        self._nx = None
        self._edges.pop(key, None)

    def set_node(self, node: Node) -> Node:
        """Replace a node outright (no merge), validated."""
        validate_node(node)
        self._nx = None
        self._nodes[node.id] = node
        return node

    def nx(self) -> "nx.MultiDiGraph":
        """This graph as a networkx MultiDiGraph (edge key = relationship type), rebuilt after each change.

        Node attributes are ``label`` plus the properties; edge attributes are the properties. Edges
        whose endpoints are not nodes appear with attribute-less endpoints (walks filter them out).
        """
        if self._nx is None:
            import networkx as nx

            m = nx.MultiDiGraph()
            m.add_nodes_from((n.id, {"label": n.label, **n.props}) for n in self._nodes.values())
            m.add_edges_from((e.source, e.target, e.type, e.props) for e in self._edges.values())
            self._nx = m
        return self._nx

    @property
    def edges(self) -> list[Edge]:
        return list(self._edges.values())

    def edge(self, type_: str, source: str, target: str) -> Edge | None:
        return self._edges.get((type_, source, target))

    def by_label(self, label: str) -> Iterator[Node]:
        return (n for n in self._nodes.values() if n.label == label)

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
    def from_json(cls, data: dict[str, Any], *, written_by_us: bool = False) -> "Graph":
        """A graph from its JSON form, every node and edge validated.

        *written_by_us*: the embedded store's own file, whose nodes and edges were validated when they were
        added before it was written; only labels and types are checked again (a property-by-property check
        is a third of loading the national graph). Duplicate ids still merge as :meth:`add_node` does.
        """
        if not written_by_us:
            g = cls()
            for raw in data.get("nodes", []):
                raw = dict(raw)
                g.add_node(Node(raw.pop("id"), raw.pop("label"), raw))
            for raw in data.get("edges", []):
                raw = dict(raw)
                g.add_edge(Edge(raw.pop("type"), raw.pop("source"), raw.pop("target"), raw))
            return g
        g = cls()
        nodes = g._nodes
        for raw in data.get("nodes", []):
            raw = dict(raw)
            node = Node(raw.pop("id"), raw.pop("label"), raw)
            if node.label not in NODE_PROPS or node.id in nodes:
                g.add_node(node)  # the full check: an unknown label raises, a duplicate merges
            else:
                nodes[node.id] = node
        edges = g._edges
        for raw in data.get("edges", []):
            raw = dict(raw)
            edge = Edge(raw.pop("type"), raw.pop("source"), raw.pop("target"), raw)
            if edge.type not in EDGE_PROPS:
                validate_edge(edge)
            edges[edge.key] = edge
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
