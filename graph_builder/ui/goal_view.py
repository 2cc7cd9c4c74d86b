"""The goal view (去向) as a drawable :class:`~graph_builder.ui.trace.TraceView`: the goal on top, implementing
items below it by level and plan, an empty 未承接 slot per loaded lower plan that did not pick it up, and one
box per region once the cap is reached. Drawing reuses :func:`graph_builder.ui.trace.render_html`."""
from __future__ import annotations

from ..goal import GoalView
from ..models import RESPONSIBLE, UPPER
from .trace import TraceView, ViewEdge, ViewNode, _text_of

SLOT = "Slot"  # label of an empty slot node (a plan that did not pick the goal up)


def goal_trace_view(store, view: GoalView) -> TraceView:
    goal = view.goal
    plans = {}
    for pid in {s.plan for s in view.slots} | {goal.plan}:
        p = store.node(pid) if pid else None
        if p is not None:
            plans[pid] = p

    def level(pid):
        return plans[pid].get("level") if pid in plans else None

    def agencies(nid):
        out = []
        for e in store.edges(RESPONSIBLE, target=nid):
            a = store.node(e.source)
            out.append(((a.title if a else e.source), str(e.get("role") or "")))
        return sorted(out)

    nodes = {goal.id: ViewNode(goal.id, goal.label, goal.plan, goal.title, level(goal.plan), 0, _text_of(goal),
                               agencies(goal.id))}
    edges: list[ViewEdge] = []
    for s in view.slots:
        if s.hidden:
            continue
        if s.grouped:  # national scale: one box for this plan and all below it (expand it to open)
            gid = f"agg:{s.plan}"
            own = f"本级 {len(s.items)} 项；" if s.items else "本级未承接；"
            nodes[gid] = ViewNode(gid, "Task", s.plan, f"{own}下级 {s.sub_plans} 个规划，{s.sub_picked} 个已承接",
                                  s.level, s.depth, f"{s.name}及下级共承接 {s.sub_items} 项（可在下方展开）",
                                  aggregate=max(1, s.sub_items))
            edges.append(ViewEdge("AGG", goal.id, gid))
        elif not s.picked:
            sid = f"slot:{s.plan}"
            nodes[sid] = ViewNode(sid, SLOT, s.plan, "未承接", s.level, s.depth,
                                  f"{s.name}已载入，但没有找到承接该目标的条目。")
            edges.append(ViewEdge("SLOT", goal.id, sid))
        elif s.folded:
            aid = f"agg:{s.plan}"
            nodes[aid] = ViewNode(aid, "Task", s.plan, f"{len(s.items)} 项（可在下方展开）", s.level, s.depth,
                                  aggregate=len(s.items))
            edges.append(ViewEdge("AGG", goal.id, aid))
        else:
            for it in s.items:
                n = store.node(it.id)
                nodes[it.id] = ViewNode(it.id, it.label, it.plan, it.title, s.level, it.depth,
                                        _text_of(n) if n else "", agencies(it.id))
    for s in view.slots:
        if s.picked and not s.folded and not s.hidden and not s.grouped:
            for it in s.items:
                target = it.via if it.via in nodes else goal.id
                edges.append(ViewEdge(UPPER, it.id, target, it.score, it.status, it.evidence))
    return TraceView(goal.id, nodes, edges, plans, total=view.total + 1)
