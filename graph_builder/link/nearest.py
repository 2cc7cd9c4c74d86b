"""Keep each task and indicator link at the nearest level: a city task that implements a provincial task which
in turn implements a national task is linked city → province → nation, not also city → nation.

A lower plan is scored against every loaded plan up its chain (so a city task can link straight to the nation
when the province plan is missing); when the province is loaded, the direct city → nation link is redundant and
hides the province from the trace. Those are exactly the edges a transitive reduction of the non-rejected links
drops; only items with two or more upper links can have one, so only their successors' descendants are searched.
"""
from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from ..models import PLAN, UPPER, Edge, Graph

# reviewed links are the reviewer's: never dropped, and a rejected one is no path
_KEEP = frozenset({"accepted", "rejected"})


def redundant_links(links: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (lower, upper) pairs already implied by a longer chain of the given links.

    >>> sorted(redundant_links([("city", "prov"), ("prov", "nation"), ("city", "nation"), ("county", "nation")]))
    [('city', 'nation')]
    """
    g = nx.DiGraph(list(links))
    if not nx.is_directed_acyclic_graph(g):  # never expected (links go up the levels); keep all rather than guess
        return set()
    # u → v is implied iff v lies below another upper of u: what nx.transitive_reduction finds, without
    # copying the graph or visiting the many items with a single upper link (4.7 s → 0.4 s nationally)
    below: dict[str, set[str]] = {}
    out: set[tuple[str, str]] = set()
    for u in g:
        ups = list(g.successors(u))
        if len(ups) < 2:
            continue
        reach: set[str] = set()
        for w in ups:
            if w not in below:
                below[w] = nx.descendants(g, w)
            reach |= below[w]
        out.update((u, v) for v in ups if v in reach)
    return out


def prefer_nearest_level(graph: Graph, links: list[Edge]) -> list[Edge]:
    """Remove the automatic ``links`` made redundant by a chain of non-rejected links through a nearer level.

    Paths may run through any non-rejected item link in the graph (a reviewer's accepted or added link
    included); only unreviewed automatic links are removed. Returns the removed edges.
    """
    current = [c for e in links if (c := graph.edge(UPPER, e.source, e.target)) is not None]
    candidates = {(e.source, e.target) for e in current if e.get("status") not in _KEEP}
    paths = [(e.source, e.target) for e in graph.edges_of(UPPER)
             if e.get("status") != "rejected" and graph.nodes[e.source].label != PLAN]
    drop = redundant_links(paths) & candidates
    removed = [e for e in current if (e.source, e.target) in drop]
    for e in removed:
        graph.remove_edge(e.key)
    return removed
