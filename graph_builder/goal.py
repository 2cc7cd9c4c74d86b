"""The goal view (去向): an upper goal with everything that implements it below it, level by level,
grouped by plan — and an empty slot (未承接) for each loaded lower plan that did not pick it up.

Built from ``trace_down`` plus per-node look-ups through the store protocol, so the app, the CLI and the
briefing draw the same picture on Neo4j and on the embedded store. Past ``cap`` items a plan's items are
folded into one box per region (the app expands a region on request); with more plans than
``cap`` (national scale) each province is one box with counts for it and everything below it, and an
expanded plan shows its own items and its next level the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import LEVEL_RANK, Node

ITEM_LABELS = ("Task", "Project", "Indicator")


@dataclass
class GoalItem:
    id: str
    label: str
    plan: str
    title: str
    depth: int
    via: str | None = None  # the item one level up this one implements
    score: float | None = None
    status: str | None = None
    evidence: str = ""


@dataclass
class PlanSlot:
    """One lower plan at one level: its implementing items, or none (未承接)."""
    plan: str
    name: str
    level: str | None
    depth: int
    items: list[GoalItem] = field(default_factory=list)
    folded: bool = False  # items hidden behind one region box (cap reached)
    parent: str | None = None  # the plan one level up in the plan hierarchy (the goal's plan for depth 1)
    hidden: bool = False  # drawn inside an ancestor's region box (national scale: one box per province)
    grouped: bool = False  # drawn as one box for this plan and every plan below it, with counts
    sub_plans: int = 0  # plans below this one (for a grouped box)
    sub_picked: int = 0  # of which picked the goal up
    sub_items: int = 0  # implementing items in this plan and below

    @property
    def picked(self) -> bool:
        return bool(self.items)

    @property
    def drawn(self) -> bool:
        """Drawn as its own box(es), not inside an ancestor's region box."""
        return not self.hidden


@dataclass
class GoalView:
    goal: Node
    plan: Node | None
    slots: list[PlanSlot]  # by depth, then level, then name
    total: int  # implementing items in the whole chain

    @property
    def missing(self) -> list[PlanSlot]:
        return [s for s in self.slots if not s.picked]

    def by_depth(self) -> dict[int, list[PlanSlot]]:
        out: dict[int, list[PlanSlot]] = {}
        for s in self.slots:
            out.setdefault(s.depth, []).append(s)
        return out


def plan_name(p: Node | None, fallback: str = "") -> str:
    if p is None:
        return fallback
    if p.get("level") == "national" and not p.get("region"):
        return "国家"
    return str(p.get("region") or p.title)


def _evidence(ev: Any) -> str:
    if isinstance(ev, (list, tuple)):
        return " … ".join(str(x) for x in ev if x)
    return str(ev or "")


def lower_plans(store, plan_id: str, max_depth: int = 6) -> dict[str, int]:
    """Loaded plans below *plan_id* through Plan→Plan 上级规划 (special-plan chain), with their depth."""
    return {pid: depth for pid, (depth, _) in lower_tree(store, plan_id, max_depth).items()}


def lower_tree(store, plan_id: str, max_depth: int = 6) -> dict[str, tuple[int, str]]:
    """Like :func:`lower_plans`, with the plan each was reached from: ``{plan: (depth, parent)}``."""
    out: dict[str, tuple[int, str]] = {}
    frontier = [plan_id]
    for depth in range(1, max_depth + 1):
        nxt = []
        for pid in frontier:
            for e in store.edges("上级规划", target=pid):
                if e.source in out or e.source == plan_id or e.get("status") == "rejected":
                    continue
                p = store.node(e.source)
                if p is None or p.label != "Plan" or p.get("loaded", True) is False:
                    continue
                out[e.source] = (depth, pid)
                nxt.append(e.source)
        frontier = nxt
    return out


def build_goal_view(store, goal_id: str, *, max_depth: int = 6, cap: int | None = None,
                    expand: tuple[str, ...] = ()) -> GoalView:
    """The goal view for an item (task, project, indicator); *expand* names plans never folded."""
    from .orphan_report import settings

    cap = settings()["goal_node_cap"] if cap is None else cap
    goal = store.node(goal_id)
    if goal is None:
        from .errors import NotFoundError

        raise NotFoundError(f"图中没有条目 {goal_id}")
    plan = store.node(goal.plan) if goal.plan else None
    rows = store.query("trace_down", id=goal_id, max_depth=max_depth)
    in_chain = {r["id"] for r in rows} | {goal_id}
    items: list[GoalItem] = []
    for r in rows:
        via = score = status = None
        ev = ""
        for e in store.edges("上级规划", source=r["id"]):
            if e.target in in_chain and e.get("status") != "rejected":
                if score is None or float(e.get("score") or 0) > score:
                    via, score, status, ev = e.target, float(e.get("score") or 0), e.get("status"), _evidence(e.get("evidence"))
        items.append(GoalItem(r["id"], r["label"], r["plan"] or "", r["title"], int(r["depth"]), via,
                              None if score is None else round(score, 2), status, ev))
    tree = lower_tree(store, goal.plan, max_depth) if goal.plan else {}
    slots: dict[str, PlanSlot] = {}

    def slot(pid: str, depth: int, parent: str | None) -> PlanSlot:
        if pid not in slots:
            p = store.node(pid)
            slots[pid] = PlanSlot(pid, plan_name(p, pid), p.get("level") if p else None, depth, parent=parent)
        return slots[pid]

    for pid, (depth, parent) in tree.items():
        slot(pid, depth, parent)
    for it in items:
        depth, parent = tree.get(it.plan, (it.depth, None))
        s = slot(it.plan, depth, parent)
        s.items.append(it)
    ordered = sorted(slots.values(), key=lambda s: (s.depth, LEVEL_RANK.get(s.level, 9), s.name, s.plan))
    for s in ordered:
        s.items.sort(key=lambda i: (i.depth, -(i.score or 0), i.id))
    grouping = len(ordered) > cap
    if grouping:
        _group_by_region(slots, ordered, set(expand))
    shown = sum(1 for s in ordered if s.grouped or (not s.hidden and not s.picked)) if grouping else 0
    for s in ordered:
        if s.hidden or s.grouped or not s.items:
            continue
        if shown + len(s.items) > cap and s.plan not in expand:
            s.folded = True
            shown += 1
        else:
            shown += len(s.items)
    return GoalView(goal, plan, ordered, len(items))


def _group_by_region(slots: dict[str, PlanSlot], ordered: list[PlanSlot], expand: set[str]) -> None:
    """Too many plans to draw (national scale): draw the top level below the goal (the provinces) as one box
    each, with counts for the plan and everything under it; an expanded plan shows its own items and its
    next level the same way. A plan is drawn only if every plan between it and the goal is expanded."""
    for s in reversed(ordered):  # deepest first: children's totals are complete before their parent's
        s.sub_items += len(s.items)
        parent = slots.get(s.parent) if s.parent else None
        if parent is not None:
            parent.sub_plans += 1 + s.sub_plans
            parent.sub_picked += int(s.picked) + s.sub_picked
            parent.sub_items += s.sub_items
    for s in ordered:  # shallowest first: a parent's visibility is settled before its children's
        parent = slots.get(s.parent) if s.parent else None
        if parent is not None and (parent.hidden or parent.grouped):
            s.hidden = True
        elif s.sub_plans and s.plan not in expand:
            s.grouped = True


def goal_coverage(view: GoalView) -> list[dict[str, Any]]:
    """Per lower plan: picked up or not, and how many items implement the goal (the coverage table)."""
    return [{"region": s.name, "plan": s.plan, "level": s.level, "depth": s.depth, "items": len(s.items),
             "picked": s.picked} for s in view.slots]


def plan_coverage(store, upper_plan: str, rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Per lower plan of *upper_plan*: upper items, picked-up items and share (from ``coverage`` query rows)."""
    acc: dict[str, list[int]] = {}
    for r in store.query("coverage", lower=None) if rows is None else rows:
        if r["upper_plan"] != upper_plan:
            continue
        a = acc.setdefault(r["lower_plan"], [0, 0])
        a[0] += int(r["upper_items"])
        a[1] += int(r["covered"])
    out = []
    for pid, (total, covered) in acc.items():
        p = store.node(pid)
        out.append({"region": plan_name(p, pid), "plan": pid, "level": p.get("level") if p else None,
                    "upper_items": total, "covered": covered, "share": round(covered / total, 3) if total else 0.0})
    return sorted(out, key=lambda r: (-r["share"], r["region"]))
