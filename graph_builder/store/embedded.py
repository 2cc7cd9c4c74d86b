"""Embedded store: the graph as a JSON file under a directory, loaded into networkx; no server needed.

Writes go to a temporary file that is fsync'ed and renamed over the old one, so an interrupted
build always leaves the previous graph intact.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import networkx as nx

from ..errors import StoreError
from ..models import SCHEMA, Edge, Graph, Node

GRAPH_FILE = "graph.json"


def owner_plan(node: Node) -> str | None:
    """The plan a node belongs to (None for shared nodes: Agency, Region, Plan)."""
    return node.props.get("plan") if node.label != "Plan" else node.id


def atomic_write_text(path: Path, text: str) -> None:
    """Write *text* to *path* all-or-nothing (temp file + fsync + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class EmbeddedStore:
    """Default store. ``nx`` gives a networkx MultiDiGraph view for analysis."""

    backend = "embedded"

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._graph: Graph | None = None
        self._nx: nx.MultiDiGraph | None = None
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
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"无法读取图存储 {self.file}: {exc}") from exc
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            found = data.get("schema") if isinstance(data, dict) else type(data).__name__
            raise StoreError(f"{self.file}: 不支持的格式 {found!r}（需要 {SCHEMA}）")
        try:
            graph = Graph.from_json(data)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise StoreError(f"{self.file}: 图数据损坏（{type(exc).__name__}: {exc}），请重新运行 plangraph build") from exc
        self._graph, self._mtime, self._nx = graph, mtime, None
        return self._graph

    @property
    def nx(self) -> nx.MultiDiGraph:
        g = self.load()
        if self._nx is None:
            m = nx.MultiDiGraph()
            for n in g.nodes.values():
                m.add_node(n.id, label=n.label, **n.props)
            for e in g.edges:
                m.add_edge(e.source, e.target, key=e.type, type=e.type, **e.props)
            self._nx = m
        return self._nx

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
        from ..queries import run_embedded

        return run_embedded(self, name, **params)

    # ---------------------------------------------------------------- writing
    def replace_all(self, graph: Graph) -> None:
        try:
            atomic_write_text(self.file, json.dumps(graph.to_json(), ensure_ascii=False, indent=0))
        except OSError as exc:
            raise StoreError(f"无法写入图存储 {self.file}: {exc}") from exc
        self._graph, self._nx, self._mtime = None, None, None

    def replace_plans(self, graph: Graph, plan_ids: Iterable[str]) -> None:
        drop = set(plan_ids)
        merged = Graph(n for n in self.load().nodes.values() if owner_plan(n) not in drop)
        for e in self.load().edges:
            if e.source in merged.nodes and e.target in merged.nodes:
                merged.add_edge(e)
        merged.merge(graph)
        self.replace_all(merged)
