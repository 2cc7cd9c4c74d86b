"""Plan-grouped layout of graph.json, so work on a few plans reads and rewrites only those plans.

graph.json stays one plain JSON document (``{"schema", "gen", "nodes", "edges"}``) that
:meth:`EmbeddedStore.load` parses whole, but its nodes and edges are grouped by *segment*: the plan that
owns them, or the shared segment ``""`` (plans, agencies, regions, measures and the edges among them).
``graph-index.json`` records each segment's byte ranges, a digest of its bytes, the other plan segments
its edges point into and the shared nodes they touch. ``plangraph add`` and the incremental Neo4j load
parse a few segments instead of the national 600 MB and copy the bytes of every other segment.

The index names the ``gen`` written in the file's first bytes: an index that does not match its file
(a crash between the two renames) is ignored, and readers fall back to the whole file.

>>> from graph_builder.models import Graph, Node, Edge
>>> g = Graph([Node("plan:a", "Plan", {"title": "甲"}), Node("task:1", "Task", {"title": "任务", "plan": "plan:a"})])
>>> _ = g.add_edge(Edge("CONTAINS", "plan:a", "task:1"))
>>> sorted((s, len(ns), len(es)) for s, (ns, es) in split(g).items())
[('', 1, 0), ('plan:a', 1, 1)]
"""
from __future__ import annotations

import hashlib
import json
import mmap
import os
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import orjson

from ..errors import StoreError
from ..fileio import atomic_write_text
from ..models import PLAN, SCHEMA, Edge, Graph, Node

INDEX_FILE = "graph-index.json"
LAYOUT = "plangraph-segments/1"
SHARED = ""
_HEAD = b'{"schema":"' + SCHEMA.encode() + b'","gen":"'


def node_segment(n: Node) -> str:
    """Plans and nodes without an owning plan are shared; every other node lives with its plan."""
    return SHARED if n.label == PLAN else (n.props.get("plan") or SHARED)


def split(graph: Graph) -> dict[str, tuple[list[Node], list[Edge]]]:
    """Segment → (nodes, edges), each sorted; an edge lives with its source's plan, else its target's."""
    seg_of = {nid: node_segment(n) for nid, n in graph.nodes.items()}
    parts: dict[str, tuple[list[Node], list[Edge]]] = defaultdict(lambda: ([], []))
    for nid, n in graph.nodes.items():
        parts[seg_of[nid]][0].append(n)
    for e in graph.edges:
        parts[seg_of.get(e.source) or seg_of.get(e.target) or SHARED][1].append(e)
    parts[SHARED]  # always present: it holds the plans
    for nodes, edges in parts.values():
        nodes.sort(key=lambda n: (n.label, n.id))
        edges.sort(key=lambda e: e.key)
    return dict(parts)


@dataclass(slots=True)
class Segment:
    nodes: tuple[int, int]  # byte offset and length of the node run (no brackets, no outer commas)
    edges: tuple[int, int]
    digest: str
    reaches: list[str] = field(default_factory=list)  # other plan segments its edges point into
    refs: list[str] = field(default_factory=list)  # shared nodes its edges touch
    targets: list[str] = field(default_factory=list)  # shared nodes its edges point at


@dataclass(slots=True)
class Layout:
    gen: str
    size: int
    segments: dict[str, Segment]

    def inbound(self) -> dict[str, set[str]]:
        """Plan segment → the other segments with an edge into it."""
        into: dict[str, set[str]] = defaultdict(set)
        for s, seg in self.segments.items():
            for t in seg.reaches:
                into[t].add(s)
        return into

    def plans(self) -> list[str]:
        return [s for s in self.segments if s != SHARED]


def _run(items: list[dict]) -> bytes:
    """The JSON array of *items* without its brackets (orjson; json for what orjson refuses)."""
    try:
        return orjson.dumps(items)[1:-1]
    except TypeError:
        return json.dumps(items, ensure_ascii=False).encode("utf-8")[1:-1]


def _encode(seg: str, nodes: list[Node], edges: list[Edge], seg_of) -> tuple[bytes, bytes, dict]:
    nb, eb = _run([n.to_json() for n in nodes]), _run([e.to_json() for e in edges])
    reaches, refs, targets = set(), set(), set()
    for e in edges:
        for nid, is_target in ((e.source, False), (e.target, True)):
            s = seg_of(nid)
            if s is None:
                continue
            if s == SHARED:
                refs.add(nid)
                if is_target:
                    targets.add(nid)
            elif s != seg:
                reaches.add(s)
    meta = {"digest": hashlib.blake2b(nb + b"\0" + eb, digest_size=16).hexdigest(),
            "reaches": sorted(reaches), "refs": sorted(refs), "targets": sorted(targets)}
    return nb, eb, meta


class _Writer:
    """Assembles graph.json from node and edge runs, recording each run's offset."""

    def __init__(self, fh, gen: str):
        self.fh, self.pos = fh, 0
        self._put(_HEAD + gen.encode() + b'","nodes":[')
        self.first = True

    def _put(self, b) -> None:
        self.fh.write(b)
        self.pos += len(b)

    def run(self, b) -> tuple[int, int]:
        if not len(b):
            return (self.pos, 0)
        if not self.first:
            self._put(b",")
        self.first = False
        start = self.pos
        self._put(b)
        return (start, len(b))

    def between(self) -> None:
        self._put(b'],"edges":[')
        self.first = True

    def end(self) -> None:
        self._put(b"]}")


def _write_file(path: Path, order: list[str], node_run, edge_run, meta: dict[str, dict]) -> Layout:
    """Write graph.json (temp file + fsync + rename) and then its index; returns the new layout."""
    gen = uuid.uuid4().hex
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    offsets: dict[str, list] = {s: [None, None] for s in order}
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as fh:
            w = _Writer(fh, gen)
            for s in order:
                offsets[s][0] = w.run(node_run(s))
            w.between()
            for s in order:
                offsets[s][1] = w.run(edge_run(s))
            w.end()
            fh.flush()
            os.fsync(fh.fileno())
            size = w.pos
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    layout = Layout(gen, size, {s: Segment(tuple(offsets[s][0]), tuple(offsets[s][1]), **meta[s]) for s in order})
    save_index(path.parent, layout)
    return layout


def _order(segs: Iterable[str]) -> list[str]:
    return sorted(set(segs) | {SHARED})  # the shared segment ("") first


def write(path: Path, graph: Graph) -> Layout:
    """The whole graph, grouped by segment."""
    parts = split(graph)
    seg_of = {nid: node_segment(n) for nid, n in graph.nodes.items()}.get
    enc = {s: _encode(s, ns, es, seg_of) for s, (ns, es) in parts.items()}
    return _write_file(Path(path), _order(parts), lambda s: enc[s][0], lambda s: enc[s][1],
                       {s: enc[s][2] for s in parts})


def rewrite(path: Path, layout: Layout, parts: dict[str, tuple[list[Node], list[Edge]]], drop: Iterable[str],
            seg_of, loaded: Iterable[str] | None = None) -> Layout:
    """A new graph.json: the segments in *parts* re-encoded, those in *drop* left out, every other one's
    bytes copied from the current file. *seg_of* maps a node id to its segment (None if not in memory);
    *loaded*: the segments that were in memory (default: *parts*) — an edge of a re-encoded segment into
    any other segment keeps that segment in its ``reaches``."""
    path = Path(path)
    drop = set(drop) - set(parts)
    known = set(parts if loaded is None else loaded) | drop
    enc = {s: _encode(s, ns, es, seg_of) for s, (ns, es) in parts.items()}
    for s, (_, _, m) in enc.items():
        if s in layout.segments:
            m["reaches"] = sorted(set(m["reaches"]) | (set(layout.segments[s].reaches) - known))
    keep = [s for s in layout.segments if s not in drop and s not in enc]
    meta = {s: {"digest": layout.segments[s].digest, "reaches": [r for r in layout.segments[s].reaches if r not in drop],
                "refs": layout.segments[s].refs, "targets": layout.segments[s].targets} for s in keep}
    meta.update({s: m for s, (_, _, m) in enc.items()})
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        def old(s: str, i: int) -> memoryview:
            off, n = (layout.segments[s].nodes, layout.segments[s].edges)[i]
            return memoryview(mm)[off:off + n]

        try:
            return _write_file(path, _order(meta), lambda s: enc[s][0] if s in enc else old(s, 0),
                               lambda s: enc[s][1] if s in enc else old(s, 1), meta)
        finally:
            import gc
            gc.collect()  # release the memoryviews before the mmap closes


def save_index(directory: Path, layout: Layout) -> None:
    data = {"layout": LAYOUT, "gen": layout.gen, "size": layout.size,
            "segments": {s: {"nodes": seg.nodes, "edges": seg.edges, "digest": seg.digest, "reaches": seg.reaches,
                             "refs": seg.refs, "targets": seg.targets} for s, seg in layout.segments.items()}}
    atomic_write_text(Path(directory) / INDEX_FILE, orjson.dumps(data))


def file_gen(path: Path) -> str | None:
    """The gen written at the start of graph.json (None for a file without one, e.g. an older version's)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_HEAD) + 64)
    except OSError:
        return None
    if not head.startswith(_HEAD):
        return None
    end = head.find(b'"', len(_HEAD))
    return head[len(_HEAD):end].decode("ascii", "replace") if end > 0 else None


def load_index(directory: Path) -> Layout | None:
    """The index of the store's graph.json, or None when missing, unreadable or not for the current file."""
    directory = Path(directory)
    graph_file = directory / "graph.json"
    try:
        data = orjson.loads((directory / INDEX_FILE).read_bytes())
        if data.get("layout") != LAYOUT or graph_file.stat().st_size != data["size"] \
                or file_gen(graph_file) != data["gen"]:
            return None
        segs = {s: Segment(tuple(v["nodes"]), tuple(v["edges"]), v["digest"], v["reaches"], v["refs"], v["targets"])
                for s, v in data["segments"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Layout(data["gen"], data["size"], segs)


def read(path: Path, layout: Layout, segs: Iterable[str]) -> Graph:
    """A graph of the given segments only (their nodes and the edges stored with them)."""
    from ..models import Graph as _G

    want = [s for s in dict.fromkeys(segs) if s in layout.segments]
    nodes: list[dict] = []
    edges: list[dict] = []
    try:
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            for s in want:
                seg = layout.segments[s]
                for (off, n), out in ((seg.nodes, nodes), (seg.edges, edges)):
                    if n:
                        out.extend(orjson.loads(b"[" + mm[off:off + n] + b"]"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"无法读取图存储 {path}: {exc}") from exc
    return _G.from_json({"nodes": nodes, "edges": edges}, written_by_us=True)
