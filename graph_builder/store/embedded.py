"""Embedded store: the graph as a JSON file under a directory, loaded into networkx; no server needed.

Writes go to a temporary file that is fsync'ed and renamed over the old one, so an interrupted
build always leaves the previous graph intact.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import networkx as nx
import orjson

from ..errors import StoreError
from ..fileio import atomic_write_text
from ..models import PLAN, SCHEMA, Edge, Graph, Node
from ..progress import Progress, ProgressEvent, null_progress
from ..queries import run_embedded
from . import segments
from .base import LoadStats

GRAPH_FILE = "graph.json"


def owner_plan(node: Node) -> str | None:
    """The plan a node belongs to (None for shared nodes: Agency, Region, Plan)."""
    return node.props.get("plan") if node.label != PLAN else node.id


def _loads(raw: bytes) -> Any:
    """Parse graph.json with orjson (several times faster on the national graph); json only for what
    orjson rejects but json accepts (NaN written by an older version)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw.decode("utf-8"))


class EmbeddedStore:
    """Default store: a JSON file; queries run on the graph's networkx view (:meth:`Graph.nx`)."""

    backend = "embedded"

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._graph: Graph | None = None
        self._mtime: float | None = None

    @property
    def file(self) -> Path:
        return self.directory / GRAPH_FILE

    def exists(self) -> bool:
        return self.file.exists()

    def describe(self) -> str:
        return f"嵌入式存储 {self.directory}"

    # ---------------------------------------------------------------- reading
    def load(self) -> Graph:
        if not self.file.exists():
            return Graph()
        mtime = self.file.stat().st_mtime
        if self._graph is not None and self._mtime == mtime:
            return self._graph
        try:
            data = _loads(self.file.read_bytes())
        except (OSError, ValueError) as exc:
            raise StoreError(f"无法读取图存储 {self.file}: {exc}") from exc
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            found = data.get("schema") if isinstance(data, dict) else type(data).__name__
            raise StoreError(f"{self.file}: 不支持的格式 {found!r}（需要 {SCHEMA}）")
        try:
            graph = Graph.from_json(data, written_by_us=True)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise StoreError(f"{self.file}: 图数据损坏（{type(exc).__name__}: {exc}），请重新运行 plangraph build") from exc
        self._graph, self._mtime = graph, mtime
        return self._graph

    @property
    def nx(self) -> nx.MultiDiGraph:
        """The stored graph as a networkx MultiDiGraph (edge key = relationship type)."""
        return self.load().nx()

    def load_status(self) -> dict[str, Any]:
        """Same shape as Neo4j's: ``status`` is ``complete`` when a graph is stored (writes are atomic), else None;
        ``gen`` changes with every write, so caches keyed on it never outlive a rebuild."""
        if not self.file.exists():
            return {"status": None, "gen": None, "finished": None}
        st = self.file.stat()
        return {"status": "complete", "gen": str(st.st_mtime_ns), "finished": st.st_mtime}

    def close(self) -> None:
        """Nothing to release (present so callers treat both stores alike)."""

    def __enter__(self) -> "EmbeddedStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def node(self, node_id: str) -> Node | None:
        return self.load().nodes.get(node_id)

    def nodes(self, label: str | None = None, plan: str | None = None) -> list[Node]:
        return [n for n in self.load().nodes.values()
                if (label is None or n.label == label) and (plan is None or n.props.get("plan") == plan)]

    def edges(self, type_: str | None = None, source: str | None = None, target: str | None = None) -> list[Edge]:
        return [e for e in self.load().edges
                if (type_ is None or e.type == type_) and (source is None or e.source == source)
                and (target is None or e.target == target)]

    def counts(self) -> dict[str, int]:
        g = self.load()
        c: Counter[str] = Counter(n.label for n in g.nodes.values())
        c.update(e.type for e in g.edges)
        return dict(sorted(c.items()))

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        return run_embedded(self.load(), name, **params)

    # ---------------------------------------------------------------- writing
    def replace_all(self, graph: Graph, progress: Progress = null_progress) -> LoadStats:
        t0 = time.perf_counter()
        progress(ProgressEvent("store", str(self.file), 0, 1, "写入"))
        try:
            segments.write(self.file, graph)  # grouped by plan, with graph-index.json (see segments.py)
        except OSError as exc:
            raise StoreError(f"无法写入图存储 {self.file}: {exc}") from exc
        self._graph, self._mtime = None, None
        progress(ProgressEvent("store", str(self.file), 1, 1, "完成"))
        return LoadStats(nodes=len(graph.nodes), rels=len(graph.edges), seconds=time.perf_counter() - t0)

    def replace_plans(self, graph: Graph, plan_ids: Iterable[str], progress: Progress = null_progress) -> LoadStats:
        drop = set(plan_ids)
        merged = Graph(n for n in self.load().nodes.values() if owner_plan(n) not in drop)
        for e in self.load().edges:
            if e.source in merged.nodes and e.target in merged.nodes:
                merged.add_edge(e)
        merged.merge(graph)
        return self.replace_all(merged, progress)
