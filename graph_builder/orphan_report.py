"""Orphans people can act on: the query library's ``orphans`` rows regrouped for a reader.

The actionable kinds come first — 上级规划中无对应 (a lower task with no upper source), 下级未分解落实
(an upper task no loaded lower plan picked up) and 待审核 (a weak suggested link, shown with its candidates).
上级规划未载入 is not a task problem but a missing document: one summary line per upper plan to add.
Works through the store protocol only, so the app, the CLI and the briefing share it on both stores.
"""
from __future__ import annotations

import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .pattern_files import pattern_file

REASON_ZH = {"no_match": "上级规划中无对应", "not_broken_down": "下级未分解落实", "review": "待审核",
             "upper_not_loaded": "上级规划未载入", "local": "本地特色（已标记）", "no_agency": "无责任单位"}
ACTIONABLE = ("no_match", "not_broken_down", "review")


@functools.cache
def settings() -> dict[str, Any]:
    return pattern_file("explorer.toml")


@dataclass
class MissingPlan:
    """Items of *lower* that cannot be traced because their upper plan(s) are not loaded."""
    lower: str
    uppers: list[str]
    items: int


@dataclass
class OrphanSummary:
    rows: list[dict[str, Any]]  # actionable rows: id, label, plan, title, reason, candidates
    missing: list[MissingPlan]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (plan id, reason) → items


def review_rows(store, plan_ids, below: float | None = None) -> list[dict[str, Any]]:
    """Items whose best live upper link is only a weak suggestion: to check by hand, with every candidate."""
    below = settings()["review_below"] if below is None else below
    out = []
    for pid in plan_ids:
        for n in store.nodes(plan=pid):
            if n.label not in ("Task", "Project", "Indicator"):
                continue
            live = [e for e in store.edges("上级规划", source=n.id) if e.get("status") not in ("rejected", "accepted")]
            # task links carry a calibrated status: only `suggested` ones (below auto-accept) await review
            pending = n.label != "Indicator" and live and all(e.get("status") == "suggested" for e in live)
            if live and all(e.get("status") != "accepted" for e in store.edges("上级规划", source=n.id)) \
                    and (pending or (n.label == "Indicator" and max(float(e.get("score") or 0) for e in live) < below)):
                cands = sorted(live, key=lambda e: -float(e.get("score") or 0))
                out.append({"id": n.id, "label": n.label, "plan": pid, "title": n.title, "reason": "review",
                            "candidates": [(e.target, round(float(e.get("score") or 0), 2)) for e in cands]})
    return out


def summarise(store, plan: str | None = None) -> OrphanSummary:
    """Actionable orphans (optionally of one plan), missing upper plans, and counts per plan and reason."""
    rows = [r for k in ("no_upper", "not_picked_up") for r in store.query("orphans", kind=k)]
    if plan:
        rows = [r for r in rows if r["plan"] == plan]
    rows = [r for r in rows if r["reason"] != "pending_review"]  # listed below as 待审核 with their candidates
    counts = Counter((r["plan"], r["reason"]) for r in rows)
    actionable = [{**r, "candidates": []} for r in rows if r["reason"] in ACTIONABLE]
    loaded = [p.id for p in store.nodes(label="Plan") if p.get("loaded", True) is not False and (not plan or p.id == plan)]
    review = review_rows(store, loaded)
    for r in review:
        counts[(r["plan"], "review")] += 1
    by_lower: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["reason"] == "upper_not_loaded":
            by_lower[r["plan"]] += 1
    missing = []
    for lower, n in sorted(by_lower.items()):
        ups = [e.target for e in store.edges("上级规划", source=lower)
               if (store.node(e.target) is not None and store.node(e.target).get("loaded", True) is False)]
        missing.append(MissingPlan(lower, ups, n))
    return OrphanSummary(actionable + review, missing, dict(counts))
