"""Embedded implementations of the analysis queries (``orphans``, ``overlaps``, ``coverage``, ``indicator_flags``).

Each follows its spec in :mod:`graph_builder.queries` and docs/ARCHITECTURE.md, because
``cypher/NAME.cypher`` must return the same rows on Neo4j. Plan hierarchies are walked with networkx
(:func:`graph_builder.traversal.upper_plans`); rows come back unordered — the spec orders them.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from .models import (CONTAINS, INDICATOR, ITEM_LABELS, OVERLAPS, PLAN, RESPONSIBLE, SECTION, UPPER, Graph,
                     is_loaded, live)
from .traversal import derived, links_view, upper_plans

Row = dict[str, Any]


def _orphan_row(n, kind: str, reason: str) -> Row:
    return {"id": n.id, "label": n.label, "plan": n.get("plan"), "title": n.title, "kind": kind, "reason": reason}


def orphans(g: Graph, kind: str = "no_upper") -> list[Row]:
    """Items without an upper link, upper items nobody picked up, or items with no responsible agency."""
    items = [n for n in g.nodes.values() if n.label in ITEM_LABELS]
    links = links_view(g)
    plans = links_view(g, plans_only=True)
    rows = []
    if kind == "no_upper":
        def statuses(n_id: str) -> set:
            """Statuses of the item's live outgoing 上级规划 links (a suggested one awaits review: 待审核)."""
            return {d.get("status") for _, _, d in links.out_edges(n_id, data=True)} if n_id in links else set()

        for n in items:
            plan = n.get("plan")
            uppers = list(plans.successors(plan)) if plan in plans else []
            if not uppers or statuses(n.id) - {"suggested"}:
                continue
            if n.get("local") is True:
                reason = "local"
            elif "suggested" in statuses(n.id):
                reason = "pending_review"
            elif all(not is_loaded(g.nodes.get(u)) for u in uppers):
                reason = "upper_not_loaded"
            else:
                reason = "no_match"
            rows.append(_orphan_row(n, kind, reason))
    elif kind == "not_picked_up":
        upper_of_loaded = {u for p in plans if is_loaded(g.nodes.get(p)) for u in plans.successors(p)}
        for n in items:
            if n.get("plan") in upper_of_loaded and not (n.id in links and links.in_degree(n.id) > 0):
                rows.append(_orphan_row(n, kind, "not_broken_down"))
    else:
        resp = {e.target for e in g.edges_of(RESPONSIBLE)}
        rows = [_orphan_row(n, kind, "no_agency") for n in items if n.id not in resp]
    return rows


def overlaps(g: Graph, kind: str | None = None, min_score: float = 0.0) -> list[Row]:
    """OVERLAPS edges (optionally one kind) at or above *min_score*."""
    rows = []
    for e in g.edges_of(OVERLAPS):
        if kind is not None and e.get("kind") != kind:
            continue
        score = float(e.get("score") or 0.0)
        if score < min_score:
            continue
        a, b = g.nodes.get(e.source), g.nodes.get(e.target)
        rows.append({"a": e.source, "b": e.target, "a_plan": a.get("plan") if a else None,
                     "b_plan": b.get("plan") if b else None, "a_title": a.title if a else "",
                     "b_title": b.title if b else "", "kind": e.get("kind"), "score": score})
    return rows


def _coverage_index(g: Graph) -> tuple[dict[str, list], dict[str, set]]:
    """Per plan: its sections with their item ids; per upper item: the plans whose items link to it.

    Built once per graph version, so each lower plan then costs one set look-up per upper item
    (not a walk over every upper item's lower links, which is quadratic on the national graph).
    """
    contains: dict[str, list[str]] = defaultdict(list)
    for e in g.edges_of(CONTAINS):
        contains[e.source].append(e.target)
    nodes = g.nodes
    sections_by_plan: dict[str, list] = defaultdict(list)
    for n in g.by_label(SECTION):
        items = [c for c in contains.get(n.id, []) if c in nodes and nodes[c].label in ITEM_LABELS]
        if items:
            sections_by_plan[n.get("plan")].append((n, items))
    links = links_view(g)
    picked_by: dict[str, set] = {}
    for c in links:
        if nodes[c].label in ITEM_LABELS:
            picked_by[c] = {nodes[x].get("plan") for x in links.predecessors(c) if nodes[x].label in ITEM_LABELS}
    return sections_by_plan, picked_by


def coverage(g: Graph, lower: str | None = None) -> list[Row]:
    """Share of each upper section's items picked up by each lower plan (plan × section)."""
    sections_by_plan, picked_by = derived(g, "coverage", lambda: _coverage_index(g))
    empty: set = set()
    rows = []
    plans = [g.nodes[lower]] if lower is not None and lower in g.nodes and g.nodes[lower].label == PLAN \
        else ([] if lower is not None else g.by_label(PLAN))
    for L in plans:
        if not is_loaded(L):
            continue
        for U in upper_plans(g, L.id):
            if not is_loaded(g.nodes.get(U)):
                continue
            for S, items in sections_by_plan.get(U, []):
                covered = sum(1 for c in items if L.id in picked_by.get(c, empty))
                rows.append({"lower_plan": L.id, "upper_plan": U, "section": S.id, "section_title": S.title,
                             "upper_items": len(items), "covered": covered, "share": covered / len(items)})
    return rows


def indicator_flags(g: Graph) -> list[Row]:
    """One row per consistency flag on a non-rejected Indicator→Indicator 上级规划 link."""
    rows = []
    for e in g.edges_of(UPPER):
        a, b = g.nodes.get(e.source), g.nodes.get(e.target)
        if not live(e.props) or a is None or b is None or a.label != INDICATOR or b.label != INDICATOR:
            continue
        flags, reasons = list(e.get("flags") or []), list(e.get("reasons") or [])
        for k, flag in enumerate(flags):
            rows.append({"lower": e.source, "upper": e.target, "lower_name": a.get("name"),
                         "upper_name": b.get("name"), "flag": flag, "reason": reasons[k] if k < len(reasons) else ""})
    return rows
