"""Embedded implementations of ``trace_down``, ``trace_up``, ``responsibility`` and ``search``.

They mirror ``cypher/NAME.cypher`` line by line (differential tests compare the rows), so the choices
that Cypher forces are made here too: depth is capped at :data:`MAX_DEPTH` (a Cypher quantifier
cannot be a parameter), edges whose endpoint is not a node are ignored (Neo4j cannot hold them), and
``search`` sorts a missing plan last, like Cypher's ``ORDER BY``.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from .errors import ConfigError
from .models import Graph, Node
from .queries import query

LINK = "上级规划"
MAX_DEPTH = 10
SEARCH_LABELS = ("Task", "Project", "Indicator")


def _graph(store) -> Graph:
    return store.load() if hasattr(store, "load") else store


def _depth(max_depth: Any) -> int:
    try:
        depth = int(max_depth)
    except (TypeError, ValueError):
        raise ConfigError(f"参数 max_depth 必须是整数：{max_depth!r}") from None
    if not 0 <= depth <= MAX_DEPTH:
        raise ConfigError(f"max_depth 必须在 0 到 {MAX_DEPTH} 之间")
    return depth


def _row(n: Node, depth: int) -> dict[str, Any]:
    return {"id": n.id, "label": n.label, "plan": n.get("plan"), "title": n.title, "depth": depth}


def _trace(store, node_id: str, max_depth: Any, down: bool) -> list[dict[str, Any]]:
    """Breadth-first search over non-rejected 上级规划 links: the first visit is the minimum depth."""
    g = _graph(store)
    depth_cap = _depth(max_depth)
    node_id = str(node_id)
    if node_id not in g.nodes:
        return []
    step: dict[str, list[str]] = defaultdict(list)
    for e in g.edges_of(LINK):
        if e.get("status") == "rejected" or e.source not in g.nodes or e.target not in g.nodes:
            continue
        if down:
            step[e.target].append(e.source)
        else:
            step[e.source].append(e.target)
    seen = {node_id}
    frontier = [node_id]
    rows: list[dict[str, Any]] = []
    for depth in range(1, depth_cap + 1):
        nxt: list[str] = []
        for cur in frontier:
            for other in step.get(cur, ()):
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
                    rows.append(_row(g.nodes[other], depth))
        if not nxt:
            break
        frontier = nxt
    rows.sort(key=lambda r: (r["depth"], r["id"]))
    return rows


@query("trace_down")
def trace_down(store, id: str, max_depth: int = 6) -> list[dict[str, Any]]:  # noqa: A002 - spec name
    """Everything that breaks *id* down (lower plans' items), transitively, at minimum depth."""
    return _trace(store, id, max_depth, down=True)


@query("trace_up")
def trace_up(store, id: str, max_depth: int = 6) -> list[dict[str, Any]]:  # noqa: A002 - spec name
    """Everything *id* implements (upper plans' items), transitively, at minimum depth."""
    return _trace(store, id, max_depth, down=False)


@query("responsibility")
def responsibility(store, plan: str | None = None) -> list[dict[str, Any]]:
    """Agency × item matrix: one row per 责任 edge (optionally of one plan's items)."""
    g = _graph(store)
    rows = []
    for e in g.edges_of("责任"):
        a, t = g.nodes.get(e.source), g.nodes.get(e.target)
        if a is None or t is None or (plan is not None and t.get("plan") != plan):
            continue
        rows.append({"agency": a.id, "agency_name": a.get("name"), "target": t.id, "target_title": t.title,
                     "plan": t.get("plan"), "role": e.get("role")})
    rows.sort(key=lambda r: (r["agency"], r["target"]))
    return rows


@query("search")
def search(store, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Task/Project/Indicator whose title, text or name contains *text* (case-insensitive)."""
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise ConfigError(f"参数 limit 必须是整数：{limit!r}") from None
    if limit < 0:
        raise ConfigError("limit 不能为负数")
    needle = str(text or "").strip().lower()
    if not needle:
        return []
    g = _graph(store)
    rows = []
    for n in g.nodes.values():
        if n.label not in SEARCH_LABELS:
            continue
        if any(v is not None and needle in str(v).lower() for v in (n.get("title"), n.get("text"), n.get("name"))):
            rows.append({"id": n.id, "label": n.label, "plan": n.get("plan"), "title": n.title})
    rows.sort(key=lambda r: (r["plan"] is None, r["plan"] or "", r["id"]))
    return rows[:limit]
