"""Graph walks over networkx views of a :class:`~graph_builder.models.Graph`.

Every walk in the query library goes through here: a filtered ``subgraph_view`` (only non-rejected
``上级规划`` edges between stored nodes) walked with ``generic_bfs_edges``. BFS visits each node first at
its minimum depth, which is what ``ANY SHORTEST`` means in ``cypher/trace_*.cypher``. Edges whose
endpoint is not a node are ignored (Neo4j cannot hold them).

Functions take a Graph and validated parameters (see :mod:`graph_builder.queries`); they return rows
in any order — the spec orders them.
"""
from __future__ import annotations

from typing import Any, Iterator

import networkx as nx

from .models import ITEM_LABELS, RESPONSIBLE, SEARCH_LABELS, UPPER, Graph, live

Row = dict[str, Any]


def derived(g: Graph, key: Any, build):
    """A structure derived from *g*, built once per version of the graph.

    Kept in the networkx graph's attribute dict: :meth:`Graph.nx` is rebuilt after every change, so a
    cached answer never outlives the graph it was computed from. Queries on the national graph answer
    from these instead of re-filtering a million edges per call.
    """
    cache = g.nx().graph.setdefault("_derived", {})
    try:
        return cache[key]
    except KeyError:
        value = cache[key] = build()
        return value


def _live_links(g: Graph, plans_only: bool) -> nx.DiGraph:
    G = g.nx()
    nodes = G.nodes
    D = nx.DiGraph()
    for n, data in nodes(data=True):
        label = data.get("label")
        if label is not None and (not plans_only or label == "Plan"):
            D.add_node(n)
    for u, v, k, d in G.edges(keys=True, data=True):
        if k == UPPER and live(d) and u in D and v in D:
            D.add_edge(u, v, **d)
    return D


def links_view(g: Graph, *, plans_only: bool = False) -> nx.DiGraph:
    """Non-rejected 上级规划 links between stored nodes (lower → upper) as a networkx DiGraph.

    With *plans_only*, only Plan→Plan links (the plan hierarchy). Built once per graph version
    (:func:`derived`); callers must not modify it.
    """
    return derived(g, ("links", plans_only), lambda: _live_links(g, plans_only))


def bfs_depths(view: nx.DiGraph, source: str, max_depth: int, *, reverse: bool = False) -> Iterator[tuple[str, str, int]]:
    """(parent, node, depth) for every node reachable from *source* within *max_depth* hops, BFS order."""
    if source not in view or max_depth < 1:
        return
    neighbors = view.predecessors if reverse else view.successors
    depth = {source: 0}
    for u, v in nx.generic_bfs_edges(view, source, neighbors=lambda n: sorted(set(neighbors(n))),
                                     depth_limit=max_depth):
        depth[v] = depth[u] + 1
        yield u, v, depth[v]


def _row(g: Graph, node_id: str, depth: int) -> Row:
    n = g.nodes[node_id]
    return {"id": n.id, "label": n.label, "plan": n.get("plan"), "title": n.title, "depth": depth}


def trace_down(g: Graph, id: str, max_depth: int = 6) -> list[Row]:  # noqa: A002 - spec name
    """Everything that breaks *id* down (lower plans' items), transitively, at minimum depth."""
    return [_row(g, v, d) for _, v, d in bfs_depths(links_view(g), id, max_depth, reverse=True)]


def trace_up(g: Graph, id: str, max_depth: int = 6) -> list[Row]:  # noqa: A002 - spec name
    """Everything *id* implements (upper plans' items), transitively, at minimum depth."""
    return [_row(g, v, d) for _, v, d in bfs_depths(links_view(g), id, max_depth)]


def upper_plans(g: Graph, plan_id: str) -> set[str]:
    """Every plan above *plan_id* through non-rejected Plan→Plan links (transitively)."""
    view = links_view(g, plans_only=True)
    return nx.descendants(view, plan_id) - {plan_id} if plan_id in view else set()


def responsibility(g: Graph, plan: str | None = None) -> list[Row]:
    """Agency × item matrix: one row per 责任 edge (optionally of one plan's items)."""
    rows = []
    for e in g.edges_of(RESPONSIBLE):
        a, t = g.nodes.get(e.source), g.nodes.get(e.target)
        if a is None or t is None or (plan is not None and t.get("plan") != plan):
            continue
        rows.append({"agency": a.id, "agency_name": a.get("name"), "target": t.id, "target_title": t.title,
                     "plan": t.get("plan"), "role": e.get("role")})
    return rows


def _search_index(g: Graph) -> list[tuple[Row, tuple[str, ...]]]:
    """(row, lower-cased title/text/name) of every searchable node, made once per graph version."""
    out = []
    for n in g.nodes.values():
        if n.label in SEARCH_LABELS:
            hay = tuple(str(v).lower() for v in (n.get("title"), n.get("text"), n.get("name")) if v is not None)
            out.append(({"id": n.id, "label": n.label, "plan": n.get("plan"), "title": n.title}, hay))
    return out


def search(g: Graph, text: str, limit: int = 20) -> list[Row]:
    """Task/Project/Indicator whose title, text or name contains *text* (case-insensitive)."""
    needle = text.strip().lower()
    if not needle:
        return []
    return [dict(row) for row, hay in derived(g, "search", lambda: _search_index(g)) if any(needle in h for h in hay)]


def trace_chain(g: Graph, node_id: str, direction: str = "down", max_depth: int = 6) -> list[Row]:
    """The CLI's trace: the ``trace_down``/``trace_up`` walk plus the edge that reached each node.

    Rows: ``id, label, plan, title, depth, via, score, method, status, evidence`` (``via`` is the node one
    step closer to *node_id*). Same nodes and depths as the queries (a test checks it), because it is the
    same BFS; among equal-depth parents the first in id order is reported.
    """
    down = direction == "down"
    rows = []
    for via, other, depth in bfs_depths(links_view(g), node_id, max_depth, reverse=down):
        e = g.edge(UPPER, other, via) if down else g.edge(UPPER, via, other)
        row = _row(g, other, depth)
        row.update(via=via, score=round(float(e.get("score") or 0), 4), method=e.get("method"),
                   status=e.get("status"), evidence=list(e.get("evidence") or []))
        rows.append(row)
    rows.sort(key=lambda r: (r["depth"], r["id"]))
    return rows


__all__ = ["links_view", "bfs_depths", "trace_down", "trace_up", "upper_plans", "responsibility", "search",
           "trace_chain", "ITEM_LABELS"]
