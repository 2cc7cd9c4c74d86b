"""Embedded implementations of the analysis queries (``orphans``, ``overlaps``, ``coverage``, ``indicator_flags``).

Each follows docs/ARCHITECTURE.md word for word, because ``cypher/NAME.cypher`` must return the same
rows on Neo4j. Helpers at the bottom (:func:`trace_chain`) serve the CLI only.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from .models import Edge, Graph
from .queries import query

LINK = "上级规划"
ITEMS = ("Task", "Project")


def _graph(store) -> Graph:
    return store.load() if hasattr(store, "load") else store


def _live(e: Edge) -> bool:
    return e.get("status") != "rejected"


def _plan_uppers(g: Graph) -> dict[str, list[str]]:
    """Plan id → direct upper plan ids (non-rejected Plan→Plan 上级规划)."""
    ups: dict[str, list[str]] = defaultdict(list)
    for e in g.edges_of(LINK):
        s, t = g.nodes.get(e.source), g.nodes.get(e.target)
        if s is not None and t is not None and s.label == "Plan" and t.label == "Plan" and _live(e):
            ups[e.source].append(e.target)
    return ups


def _loaded(node) -> bool:
    return node is not None and node.get("loaded", True) is not False


@query("orphans")
def orphans(store, kind: str = "no_upper") -> list[dict[str, Any]]:
    """Items without an upper link, upper items nobody picked up, or items with no responsible agency."""
    from .errors import ConfigError

    if kind not in ("no_upper", "not_picked_up", "no_agency"):
        raise ConfigError(f"未知孤立项类型 {kind!r}（可用：no_upper、not_picked_up、no_agency）")
    g = _graph(store)
    items = [n for n in g.nodes.values() if n.label in ITEMS]
    rows = []
    if kind == "no_upper":
        ups = _plan_uppers(g)
        # a suggested link is a plausible parent awaiting review: the item is 待审核, not an orphan
        has_up = {e.source for e in g.edges_of(LINK) if _live(e) and e.get("status") != "suggested"}
        pending = {e.source for e in g.edges_of(LINK) if e.get("status") == "suggested"}
        for n in items:
            uppers = ups.get(n.get("plan"), [])
            if not uppers or n.id in has_up:
                continue
            if n.get("local") is True:
                reason = "local"
            elif n.id in pending:
                reason = "pending_review"
            elif all(not _loaded(g.nodes.get(u)) for u in uppers):
                reason = "upper_not_loaded"
            else:
                reason = "no_match"
            rows.append(_orphan_row(n, kind, reason))
    elif kind == "not_picked_up":
        ups = _plan_uppers(g)
        upper_of_loaded = {u for p, us in ups.items() if _loaded(g.nodes.get(p)) for u in us}
        picked = {e.target for e in g.edges_of(LINK) if _live(e)}
        for n in items:
            if n.get("plan") in upper_of_loaded and n.id not in picked:
                rows.append(_orphan_row(n, kind, "not_broken_down"))
    else:
        resp = {e.target for e in g.edges_of("责任")}
        for n in items:
            if n.id not in resp:
                rows.append(_orphan_row(n, kind, "no_agency"))
    rows.sort(key=lambda r: (str(r["plan"]), r["id"]))
    return rows


def _orphan_row(n, kind: str, reason: str) -> dict[str, Any]:
    return {"id": n.id, "label": n.label, "plan": n.get("plan"), "title": n.title, "kind": kind, "reason": reason}


@query("overlaps")
def overlaps(store, kind: str | None = None, min_score: float = 0.0) -> list[dict[str, Any]]:
    """OVERLAPS edges (optionally one kind) at or above *min_score*."""
    g = _graph(store)
    rows = []
    for e in g.edges_of("OVERLAPS"):
        if kind is not None and e.get("kind") != kind:
            continue
        score = float(e.get("score") or 0.0)
        if score < min_score:
            continue
        a, b = g.nodes.get(e.source), g.nodes.get(e.target)
        rows.append({"a": e.source, "b": e.target, "a_plan": a.get("plan") if a else None,
                     "b_plan": b.get("plan") if b else None, "a_title": a.title if a else "",
                     "b_title": b.title if b else "", "kind": e.get("kind"), "score": round(score, 4)})
    rows.sort(key=lambda r: (-r["score"], r["a"], r["b"]))
    return rows


def upper_chain(g: Graph, plan_id: str, ups: dict[str, list[str]] | None = None) -> list[str]:
    """All plans above *plan_id* through non-rejected Plan→Plan links (transitively)."""
    ups = ups if ups is not None else _plan_uppers(g)
    seen: list[str] = []
    stack = list(ups.get(plan_id, []))
    while stack:
        u = stack.pop(0)
        if u in seen or u == plan_id:
            continue
        seen.append(u)
        stack.extend(ups.get(u, []))
    return seen


@query("coverage")
def coverage(store, lower: str | None = None) -> list[dict[str, Any]]:
    """Share of each upper section's items picked up by each lower plan (plan × section)."""
    g = _graph(store)
    ups = _plan_uppers(g)
    contains: dict[str, list[str]] = defaultdict(list)
    for e in g.edges_of("CONTAINS"):
        contains[e.source].append(e.target)
    sections_by_plan: dict[str, list] = defaultdict(list)
    for n in g.by_label("Section"):
        sections_by_plan[n.get("plan")].append(n)
    # upper item → set of lower plans linking to it
    picked_by: dict[str, set[str]] = defaultdict(set)
    for e in g.edges_of(LINK):
        s = g.nodes.get(e.source)
        if _live(e) and s is not None and s.label in ITEMS:
            picked_by[e.target].add(s.get("plan"))
    rows = []
    for L in g.by_label("Plan"):
        if not _loaded(L) or (lower is not None and L.id != lower):
            continue
        for U in upper_chain(g, L.id, ups):
            if not _loaded(g.nodes.get(U)):
                continue
            for S in sections_by_plan.get(U, []):
                items = [c for c in contains.get(S.id, []) if (g.nodes.get(c) is not None and g.nodes[c].label in ITEMS)]
                if not items:
                    continue
                covered = sum(1 for c in items if L.id in picked_by.get(c, ()))
                rows.append({"lower_plan": L.id, "upper_plan": U, "section": S.id, "section_title": S.title,
                             "upper_items": len(items), "covered": covered,
                             "share": round(covered / len(items), 3)})
    rows.sort(key=lambda r: (r["lower_plan"], r["upper_plan"], r["section"]))
    return rows


@query("indicator_flags")
def indicator_flags(store) -> list[dict[str, Any]]:
    """One row per consistency flag on a non-rejected Indicator→Indicator 上级规划 link."""
    g = _graph(store)
    rows = []
    for e in g.edges_of(LINK):
        a, b = g.nodes.get(e.source), g.nodes.get(e.target)
        if not _live(e) or a is None or b is None or a.label != "Indicator" or b.label != "Indicator":
            continue
        flags, reasons = list(e.get("flags") or []), list(e.get("reasons") or [])
        for k, flag in enumerate(flags):
            rows.append({"lower": e.source, "upper": e.target, "lower_name": a.get("name"),
                         "upper_name": b.get("name"), "flag": flag, "reason": reasons[k] if k < len(reasons) else ""})
    rows.sort(key=lambda r: (r["lower"], r["upper"], r["flag"]))
    return rows


# ---------------------------------------------------------------- CLI helpers (not part of the query library)


def trace_chain(g: Graph, node_id: str, direction: str = "down", max_depth: int = 6) -> list[dict[str, Any]]:
    """Breadth-first chain of non-rejected 上级规划 links with the edge that reached each node.

    Rows: ``id, label, plan, title, depth, via, score, method, status, evidence`` (``via`` is the node one
    step closer to *node_id*). Same reachability and depth as the ``trace_up``/``trace_down`` queries.
    """
    out_e: dict[str, list[Edge]] = defaultdict(list)
    for e in g.edges_of(LINK):
        if _live(e):
            (out_e[e.target] if direction == "down" else out_e[e.source]).append(e)
    rows, seen, frontier = [], {node_id}, [node_id]
    for depth in range(1, max_depth + 1):
        nxt = []
        for cur in frontier:
            for e in sorted(out_e.get(cur, []), key=lambda e: -(e.get("score") or 0)):
                other = e.source if direction == "down" else e.target
                if other in seen:
                    continue
                seen.add(other)
                nxt.append(other)
                n = g.nodes.get(other)
                rows.append({"id": other, "label": n.label if n else "", "plan": n.get("plan") if n else None,
                             "title": n.title if n else "", "depth": depth, "via": cur,
                             "score": round(float(e.get("score") or 0), 4), "method": e.get("method"),
                             "status": e.get("status"), "evidence": list(e.get("evidence") or [])})
        frontier = nxt
        if not frontier:
            break
    rows.sort(key=lambda r: (r["depth"], r["id"]))
    return rows
