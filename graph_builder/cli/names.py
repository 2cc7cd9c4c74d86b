"""Names for people: resolve what a user typed (id, region, plan or item title) to a node, and show names
(not ids) in tables with the id in a column that never wraps. Shared by every command that takes a key."""
from __future__ import annotations

from rich.box import SIMPLE_HEAD
from rich.console import Console
from rich.table import Table

from ..errors import NotFoundError
from ..models import LEVEL_RANK, Node
from ..normalize import to_match

ITEM_LABELS = ("Task", "Project", "Indicator")
LABEL_ZH = {"Task": "任务", "Project": "项目", "Indicator": "指标", "Plan": "规划", "Section": "章节",
            "Agency": "部门", "Region": "地区"}
LEVEL_ZH = {"national": "国家", "province": "省级", "city": "地市级", "county": "县级"}
NARROW = 80


def plan_name(plan: Node | None, fallback: str = "") -> str:
    """A plan as people say it: its region ('国家' for national plans), else its title."""
    if plan is None:
        return fallback
    if plan.get("level") == "national" and not plan.get("region"):
        return "国家"
    name = str(plan.get("region") or plan.title)
    return name if plan.get("loaded", True) is not False else f"{name}（未载入）"


def plan_names(nodes) -> dict[str, str]:
    return {p.id: plan_name(p) for p in nodes if p.label == "Plan"}


def _plans(nodes) -> list[Node]:
    return sorted((n for n in nodes if n.label == "Plan"),
                  key=lambda p: (p.get("loaded", True) is False, LEVEL_RANK.get(p.get("level"), 9), p.id))


def find_plan(nodes, key: str) -> Node:
    """A plan by id, region, title or source file, exact first, then by part of the title/region."""
    plans = _plans(nodes)
    k = to_match(key)
    for p in plans:
        if key in (p.id, p.get("title"), p.get("region"), p.get("source")) or k in (to_match(p.get("region") or ""),
                                                                                     to_match(p.title)):
            return p
    for p in plans:
        if k and (k in to_match(p.title) or k in to_match(p.get("region") or "")):
            return p
    loaded = "，".join(dict.fromkeys(plan_name(p) for p in plans if p.get("loaded", True) is not False))
    raise NotFoundError(f"找不到规划“{key}”；已载入：{loaded}")


def find_node(nodes, key: str, plan: str | None = None) -> Node:
    """What ``trace``/``brief`` accept: an id, a plan (region or title) or a task/project/indicator title.

    A title that several items share is an error listing them with their ids (so the user can pick one).
    """
    nodes = list(nodes)
    by_id = {n.id: n for n in nodes}
    if key in by_id:
        return by_id[key]
    scope = find_plan(nodes, plan).id if plan else None
    items = [n for n in nodes if n.label in ITEM_LABELS and (scope is None or n.get("plan") == scope)]
    k = to_match(key)
    exact = [n for n in items if to_match(n.title) == k]
    if not exact and scope is None:
        try:
            return find_plan(nodes, key)
        except NotFoundError:
            pass
    hits = exact or [n for n in items if k and k in to_match(n.title)]
    if len(hits) == 1:
        return hits[0]
    names = plan_names(nodes)
    if not hits:
        raise NotFoundError(f"图中没有“{key}”（可输入编号、地区名、规划名或任务标题；用 plangraph report 或 show 查编号）")
    listing = "；".join(f"{names.get(n.get('plan'), '')}·{n.title} {n.id}" for n in hits[:8])
    raise NotFoundError(f"“{key}”对应 {len(hits)} 个条目，请用编号或 --plan 指定：{listing}"
                        + ("…" if len(hits) > 8 else ""))


def make_console(wide: bool) -> Console:
    """The terminal's console (COLUMNS wide), or a 200-column one for --wide."""
    from . import console

    return Console(width=200, highlight=False) if wide else console


def table(title: str | None = None) -> Table:
    return Table(title=title, box=SIMPLE_HEAD, pad_edge=False, show_lines=False)


def add_id_column(t: Table, header: str = "编号") -> None:
    """Ids are copied into the next command, so they are never folded across lines."""
    t.add_column(header, no_wrap=True, overflow="ignore", min_width=21, style="dim")
