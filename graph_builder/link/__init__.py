"""Link the plans: ``上级规划`` (plan, task, indicator), ``OVERLAPS``, ``Measure``/``MEASURES``; re-apply review decisions.

:func:`link_graph` is idempotent: it first removes everything a previous run added (link edges,
placeholder plans, ``local`` marks), so ``plangraph link`` on a stored graph equals a fresh build.
"""
from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..models import CONTAINS, ITEM_LABELS, MEASURE, MEASURES, OVERLAPS, PLAN, UPPER, Edge, Graph, Node, is_loaded
from ..progress import Progress, ProgressEvent, null_progress
from .config import LinkConfig, load_config
from .index import ChainPostings, CorpusIndex
from .indicators import consistency, link_indicators
from .overlaps import find_overlaps
from .nearest import prefer_nearest_level
from .plans import link_plans, upper_closure
from .tasks import build_clause_index, score_lower_plan
from .view import LINK_TYPES, GraphView

__all__ = ["link_graph", "LinkSummary", "LinkConfig", "load_config", "clear_links"]


@dataclass(slots=True)
class LinkSummary:
    """Counts and timings of one link run (for the CLI and the benchmark)."""

    plan_links: int = 0
    task_links: int = 0
    indicator_links: int = 0
    measures: int = 0  # Measure nodes (every indicator has one MEASURES edge)
    overlaps: dict[str, int] = field(default_factory=dict)
    placeholders: int = 0
    decisions_applied: int = 0
    suspect: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1  # processes that scored task links


def clear_links(graph: Graph) -> None:
    """Remove what linking adds, so re-linking starts from the extracted graph."""
    for e in list(graph.edges):
        if e.type in LINK_TYPES:
            graph.remove_edge(e.key)
    owned = {e.source for e in graph.edges_of(CONTAINS)}
    gone: set[str] = set()
    for n in list(graph.nodes.values()):
        if n.label == MEASURE:  # made by linking; their MEASURES edges went with LINK_TYPES
            gone.add(n.id)
        elif n.label == PLAN and not is_loaded(n) and n.id not in owned:
            gone.add(n.id)
        elif n.label in ITEM_LABELS and ("local" in n.props or "local_changed" in n.props):
            props = {k: v for k, v in n.props.items() if k not in ("local", "local_changed")}
            graph.set_node(Node(n.id, n.label, props))
    if gone:  # one pass over the edges for all of them (per node it was quadratic on a national graph)
        for nid in gone:
            graph.pop_node(nid)
        for e in list(graph.edges):
            if e.source in gone or e.target in gone:
                graph.remove_edge(e.key)


def _tick(progress: Progress, item: str, done: int, total: int, msg: str = "") -> None:
    progress(ProgressEvent("link", item, done, total, msg))


def link_graph(graph: Graph, *, config: Any = None, decisions_path: Path | None = None,
               progress: Progress | None = None) -> LinkSummary:
    """Add all links to *graph* in place; re-apply the decisions in *decisions_path* (None: none)."""
    with _frozen_heap():
        return _link_graph(graph, load_config(config), decisions_path, progress or null_progress)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Objects alive now go to the collector's permanent generation until the outermost block ends.

    A national graph is tens of millions of long-lived objects; every full collection triggered by linking's
    own allocations walked all of them (a twentieth of a whole-tree build, growing faster than the corpus).
    Frozen, they are skipped; and forked workers do not touch their pages (no copy-on-write). Nested blocks
    freeze what was made since, and leave the unfreezing to the outermost."""
    _FROZEN[0] += 1
    gc.freeze()
    try:
        yield
    finally:
        _FROZEN[0] -= 1
        if not _FROZEN[0]:
            gc.unfreeze()


_FROZEN = [0]  # depth of nested _frozen_heap blocks


def _link_graph(graph: Graph, cfg: LinkConfig, decisions_path: Path | None, progress: Progress) -> LinkSummary:
    from ..review import apply_decisions, load_decisions

    summary = LinkSummary()
    t0 = time.perf_counter()
    clear_links(graph)

    _tick(progress, "规划层级", 0, 5)
    direct = link_plans(graph, cfg.plans)
    summary.plan_links = sum(len(v) for v in direct.values())
    summary.placeholders = sum(1 for p in graph.by_label(PLAN) if not is_loaded(p))
    t1 = time.perf_counter()
    summary.seconds["plans"] = t1 - t0

    view = GraphView.build(graph)
    # no Task/Project anywhere (e.g. only unstructured plans): nothing to index, no task links or overlaps
    index, clause_index = _build_indexes(view, cfg) if view.items else (None, None)
    t2 = time.perf_counter()
    summary.seconds["index"] = t2 - t1

    _tick(progress, "任务对应", 1, 5)
    loaded = {p.id for p in graph.by_label(PLAN) if is_loaded(p)}
    task_links: list[Edge] = []
    # Plans under the same upper chain (the counties of one city) share its index, built once and
    # dropped after the group: cost linear in the lower items, memory bounded by one chain.
    by_chain: dict[tuple[str, ...], list[str]] = {}
    for plan in sorted(view.items_by_plan):
        uppers = tuple(sorted(u for u in upper_closure(direct, plan) if u in loaded))
        if any(view.items_by_plan.get(u) for u in uppers):
            by_chain.setdefault(uppers, []).append(plan)
    results, summary.workers = _score_chains(view, index, clause_index, cfg, list(by_chain.items()))
    del clause_index  # the largest index: freed before the overlap pass allocates its own blocks
    for plan in sorted(results):
        parents = results[plan]
        for i, cands in parents.items():
            for c in cands:
                task_links.append(graph.add_edge(Edge(UPPER, view.items[i].id, view.items[c.up].id, {
                    "score": round(c.score, 4), "method": c.method, "evidence": c.passages,
                    "status": c.status})))
    t3 = time.perf_counter()
    summary.seconds["tasks"] = t3 - t2

    _tick(progress, "指标对应", 2, 5)
    indicator_links = _link_indicators(graph, direct, loaded, cfg, summary)
    t4 = time.perf_counter()
    summary.seconds["indicators"] = t4 - t3

    _tick(progress, "重叠任务", 3, 5)
    plans = {p.id: p for p in graph.by_label(PLAN)}
    ovs = find_overlaps(view, index, plans, cfg) if index is not None else []
    for o in ovs:
        a, b = view.items[o.a], view.items[o.b]
        if graph.edge(OVERLAPS, b.id, a.id) is not None:
            continue
        graph.add_edge(Edge(OVERLAPS, a.id, b.id, {"score": o.score, "kind": o.kind, "evidence": o.evidence}))
        summary.overlaps[o.kind] = summary.overlaps.get(o.kind, 0) + 1
    t5 = time.perf_counter()
    summary.seconds["overlaps"] = t5 - t4

    _tick(progress, "审核决定", 4, 5)
    rep = apply_decisions(graph, load_decisions(decisions_path))
    # after the decisions: a rejected province link never hides the direct national one, an accepted one stays
    dropped = {e.key for e in prefer_nearest_level(graph, task_links + indicator_links)}
    summary.task_links = sum(1 for e in task_links if e.key not in dropped)
    summary.indicator_links = sum(1 for e in indicator_links if e.key not in dropped)
    summary.decisions_applied, summary.suspect, summary.stale = rep.applied, rep.suspect, rep.stale
    summary.seconds["review"] = time.perf_counter() - t5
    summary.seconds["total"] = time.perf_counter() - t0
    _tick(progress, "完成", 5, 5)
    return summary


# What the task-scoring workers read, set before the pool forks (inherited, never pickled).
_SHARED: dict = {}


def _build_indexes(view: GraphView, cfg: LinkConfig):
    """The corpus index, then the clause index; with many items (``parallel_min_items``) their rows are hashed
    in forked workers that send back only sparse matrices (clause strings never cross the pipe).

    The corpus index goes first: its build needs the most scratch memory, best spent before the clause
    index exists."""
    from ..limits import limits
    from ..settings import build_workers

    workers = build_workers() if len(view.items) >= limits().parallel_min_items else 1
    index = CorpusIndex.build([it.text for it in view.items], cfg.text, workers=workers)
    return index, build_clause_index(view, cfg.tasks, workers=workers)


def _score_group(view: GraphView, index: CorpusIndex, clause_index, cfg: LinkConfig,
                 uppers: tuple[str, ...], plans_here: list[str]) -> dict[str, dict]:
    up_idxs = [j for u in uppers for j in view.items_by_plan.get(u, [])]
    postings: ChainPostings = index.chain_postings(up_idxs)
    return {plan: score_lower_plan(view, index, clause_index, view.items_by_plan[plan], up_idxs, cfg, postings)
            for plan in plans_here}


def _score_in_worker(g: int) -> dict[str, dict]:
    uppers, plans_here = _SHARED["groups"][g]
    return _score_group(_SHARED["view"], _SHARED["index"], _SHARED["clauses"], _SHARED["cfg"], uppers, plans_here)


def _score_chains(view: GraphView, index: CorpusIndex, clause_index, cfg: LinkConfig,
                  groups: list[tuple[tuple[str, ...], list[str]]]) -> tuple[dict[str, dict], int]:
    """Parents for every lower plan, one upper chain (group) at a time; groups are independent, so with many
    lower plans (``parallel_min_files``) they are spread over forked worker processes that read the indexes
    the parent built. Results are keyed by plan, so the outcome does not depend on which worker ran what;
    a worker that dies sends its groups back to this process."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from ..limits import limits
    from ..settings import build_workers

    results: dict[str, dict] = {}
    n_plans = sum(len(p) for _, p in groups)
    workers = min(build_workers(), len(groups))
    if workers <= 1 or n_plans < limits().parallel_min_files or "fork" not in multiprocessing.get_all_start_methods():
        for uppers, plans_here in groups:
            results.update(_score_group(view, index, clause_index, cfg, uppers, plans_here))
        return results, 1
    _SHARED.update(view=view, index=index, clauses=clause_index, cfg=cfg, groups=groups)
    pending = set(range(len(groups)))
    try:
        # the indexes too: the workers' collector leaves inherited objects alone (no copy-on-write of every page)
        with _frozen_heap(), ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_score_in_worker, g): g for g in range(len(groups))}
            for fut, g in futures.items():
                try:
                    results.update(fut.result())
                    pending.discard(g)
                except BrokenProcessPool:
                    break
    finally:
        _SHARED.clear()
    for g in sorted(pending):  # a worker died (e.g. killed for memory): finish here
        results.update(_score_group(view, index, clause_index, cfg, *groups[g]))
    return results, workers


def _link_indicators(graph: Graph, direct: dict[str, list[str]], loaded: set[str], cfg: LinkConfig,
                     summary: LinkSummary) -> list[Edge]:
    """One Measure per measure (Indicator -[:MEASURES]-> Measure); 上级规划 inside one region chain."""
    ic = cfg.indicators
    inds = [n for n in graph.by_label("Indicator") if n.get("plan") in loaded]
    chain = {p: set(upper_closure(direct, p)) for p in loaded}
    levels = {p.id: p.get("level") for p in graph.by_label(PLAN)}
    res = link_indicators(inds, chain, ic, levels)
    for m in res.measures:
        graph.add_node(Node(m.id, MEASURE, {"name": m.name, "unit_kind": m.unit_kind, "keys": m.keys}))
        for ind, key in m.members:
            graph.add_edge(Edge(MEASURES, ind, m.id, {"key": key}))
        summary.measures += 1
    links: list[Edge] = []
    for low_id, up_id, s in res.upper:
        low, up = graph.nodes[low_id], graph.nodes[up_id]
        v = consistency(low, up, ic, hierarchical=True)
        links.append(graph.add_edge(Edge(UPPER, low_id, up_id, {
            "score": round(s, 4), "method": "measure_name", "evidence": [str(low.get("name")), str(up.get("name"))],
            "status": "suggested", "flags": v.flags, "reasons": v.reasons})))
    return links
