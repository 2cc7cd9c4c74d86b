"""Keep each task and indicator link at the nearest level: a city task that implements a provincial task which in turn
implements a national task is linked city → province → nation, not also city → nation.

A lower plan is scored against every loaded plan up its chain (so a city task can link straight to the nation
when the province plan is missing); when the province is loaded, the direct city → nation link is redundant and
hides the province from the trace. networkx's transitive reduction of the automatic links finds exactly those.
"""
from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from ..models import Edge, Graph


def redundant_links(links: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (lower, upper) pairs already implied by a longer chain of the given links.

    >>> sorted(redundant_links([("city", "prov"), ("prov", "nation"), ("city", "nation"), ("county", "nation")]))
    [('city', 'nation')]
    """
    g = nx.DiGraph(list(links))
    if not nx.is_directed_acyclic_graph(g):  # never expected (links go up the levels); keep all rather than guess
        return set()
    kept = nx.transitive_reduction(g)
    return {e for e in g.edges if not kept.has_edge(*e)}


def prefer_nearest_level(graph: Graph, links: list[Edge]) -> list[Edge]:
    """Remove the automatic links made redundant by a chain through a nearer level; returns the removed edges."""
    drop = redundant_links((e.source, e.target) for e in links)
    removed = [e for e in links if (e.source, e.target) in drop]
    for e in removed:
        graph.remove_edge(e.key)
    return removed
