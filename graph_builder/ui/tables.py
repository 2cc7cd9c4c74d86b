"""Table builders for the pages: plain pandas frames with Chinese column names, built from query rows and
store look-ups. Kept free of Streamlit so tests and the benchmark can call them directly."""
from __future__ import annotations

import difflib
import html
import re
from collections import Counter, defaultdict
from typing import Any, Iterable

import pandas as pd

from ..models import LEVEL_RANK, RESPONSIBLE, UPPER, Node
from .style import FLAG_ZH, LABEL_ZH, LEVEL_ZH, ORPHAN_KIND_ZH, OVERLAP_KIND_ZH, REASON_ZH, ROLE_ORDER, STATUS_ZH

ITEM_LABELS = ("Task", "Project", "Indicator")


def plan_label(p: Node | None, fallback: str = "") -> str:
    """Short plan name for tables: its region ('国家' for national plans), else its title."""
    if p is None:
        return fallback
    if not p.get("region") and p.get("level") == "national":
        return "国家"
    return p.get("region") or p.title


# ------------------------------------------------------------------ overview

def plans_frame(store, plans: list[Node], counts: bool = True) -> pd.DataFrame:
    """One row per plan with item counts — the overview's main table.

    Counting reads every plan's nodes; on Neo4j that would pull the whole graph, so callers pass
    ``counts=False`` there (the columns stay, empty).
    """
    rows = []
    for p in plans:
        c = Counter(n.label for n in store.nodes(plan=p.id)) if counts and p.get("loaded", True) else Counter()
        rows.append({"层级": LEVEL_ZH.get(p.get("level"), p.get("level") or ""), "地区": p.get("region") or "全国",
                     "规划名称": p.title, "发文单位": p.get("issuer") or "", "日期": p.get("date") or "",
                     "已载入": "是" if p.get("loaded", True) else "否（仅被引用）",
                     **({"任务": c["Task"], "项目": c["Project"], "指标": c["Indicator"], "章节": c["Section"]} if counts
                        else dict.fromkeys(("任务", "项目", "指标", "章节"), None)), "ID": p.id})
    return pd.DataFrame(rows, columns=["层级", "地区", "规划名称", "发文单位", "日期", "已载入", "任务", "项目", "指标", "章节", "ID"])


def level_region_frame(plans: list[Node]) -> pd.DataFrame:
    """Plans counted by level × region (who is in the corpus at all)."""
    rows = [{"层级": LEVEL_ZH.get(p.get("level"), "未知"), "地区": p.get("region") or "全国",
             "规划数": 1, "已载入": int(bool(p.get("loaded", True)))} for p in plans]
    if not rows:
        return pd.DataFrame(columns=["层级", "地区", "规划数", "已载入"])
    df = pd.DataFrame(rows).groupby(["层级", "地区"], sort=False, as_index=False).sum()
    return df


def coverage_frame(store, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Coverage rows with plan names, share as a percentage number for the colour scale."""
    out = []
    for r in rows:
        out.append({"下级规划": plan_label(store.node(r["lower_plan"]), r["lower_plan"]),
                    "上级规划": plan_label(store.node(r["upper_plan"]), r["upper_plan"]),
                    "上级章节": r.get("section_title") or r.get("section"), "上级条目": r["upper_items"],
                    "已承接": r["covered"], "覆盖率%": round(100 * float(r["share"]), 1)})
    return pd.DataFrame(out, columns=["下级规划", "上级规划", "上级章节", "上级条目", "已承接", "覆盖率%"])


def share_colour(v: Any) -> str:
    """Red (0 %) → amber → green (100 %) without matplotlib, readable on a projector."""
    try:
        x = max(0.0, min(100.0, float(v))) / 100
    except (TypeError, ValueError):
        return ""
    if x < 0.5:
        r, g, b = 244, int(114 + (206 - 114) * x * 2), 102
    else:
        r, g, b = int(244 - (244 - 99) * (x - 0.5) * 2), int(206 - (206 - 190) * (x - 0.5) * 2), int(102 + (123 - 102) * (x - 0.5) * 2)
    return f"background-color: rgb({r},{g},{b}); color: #111"


def coverage_styler(df: pd.DataFrame):
    return df.style.map(share_colour, subset=["覆盖率%"]).format({"覆盖率%": "{:.1f}"})


# ------------------------------------------------------------------ orphans and overlaps

def orphans_frame(store, rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = [{"类别": ORPHAN_KIND_ZH.get(r["kind"], r["kind"]), "原因": REASON_ZH.get(r["reason"], r["reason"]),
            "规划": plan_label(store.node(r["plan"]), r["plan"]) if r.get("plan") else "",
            "类型": LABEL_ZH.get(r["label"], r["label"]), "标题": r["title"], "ID": r["id"]} for r in rows]
    return pd.DataFrame(out, columns=["类别", "原因", "规划", "类型", "标题", "ID"])


def overlaps_frame(store, rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = [{"类型": OVERLAP_KIND_ZH.get(r["kind"], r["kind"]), "相似度": r["score"],
            "规划A": plan_label(store.node(r["a_plan"]), r["a_plan"]), "任务A": r["a_title"],
            "规划B": plan_label(store.node(r["b_plan"]), r["b_plan"]), "任务B": r["b_title"],
            "A": r["a"], "B": r["b"]} for r in rows]
    return pd.DataFrame(out, columns=["类型", "相似度", "规划A", "任务A", "规划B", "任务B", "A", "B"])


def links_frame(store, plan_id: str | None = None, statuses: Iterable[str] = ("suggested", "suspect")) -> pd.DataFrame:
    """上级规划 links of one lower plan's items (the review queue), by store look-ups per item."""
    want = set(statuses)
    out = []
    items = [n for n in store.nodes(plan=plan_id) if n.label in ITEM_LABELS] if plan_id else []
    for n in items:
        for e in store.edges(UPPER, source=n.id):
            if e.get("status") not in want:
                continue
            up = store.node(e.target)
            out.append({"状态": STATUS_ZH.get(e.get("status"), e.get("status")), "得分": e.get("score"),
                        "下级条目": n.title, "上级规划": plan_label(store.node(up.plan) if up else None),
                        "上级条目": up.title if up else e.target, "下级ID": n.id, "上级ID": e.target})
    df = pd.DataFrame(out, columns=["状态", "得分", "下级条目", "上级规划", "上级条目", "下级ID", "上级ID"])
    return df.sort_values(["状态", "得分"], ascending=[True, False], kind="stable").reset_index(drop=True)


_MIN_SHARED = 6


def shared_blocks(a: str, b: str, min_len: int = _MIN_SHARED) -> list[tuple[int, int, int]]:
    """Passages both texts share (i in a, j in b, length), at least *min_len* characters — copying is evidence."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(m.a, m.b, m.size) for m in sm.get_matching_blocks() if m.size >= min_len]


def highlight_pair(a: str, b: str, min_len: int = _MIN_SHARED) -> tuple[str, str, float]:
    """Both texts as HTML with shared passages marked, and the share of *a* that is shared."""
    blocks = shared_blocks(a, b, min_len)

    def mark(text: str, spans: list[tuple[int, int]]) -> str:
        out, pos = [], 0
        for start, size in sorted(spans):
            out.append(html.escape(text[pos:start]))
            out.append(f'<mark class="pg-shared">{html.escape(text[start:start + size])}</mark>')
            pos = start + size
        out.append(html.escape(text[pos:]))
        return "".join(out)

    share = sum(s for _, _, s in blocks) / max(1, len(a))
    return mark(a, [(i, s) for i, _, s in blocks]), mark(b, [(j, s) for _, j, s in blocks]), round(share, 3)


# ------------------------------------------------------------------ responsibility

def _role_rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


def responsibility_frames(store, rows: list[dict[str, Any]], max_tasks: int = 200) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(long table, agency × task matrix of roles, workload per agency)."""
    long = pd.DataFrame([{"部门": r["agency_name"], "角色": r["role"], "规划": plan_label(store.node(r["plan"]), r["plan"] or ""),
                          "任务": r["target_title"], "部门ID": r["agency"], "任务ID": r["target"]} for r in rows],
                        columns=["部门", "角色", "规划", "任务", "部门ID", "任务ID"])
    if long.empty:
        return long, pd.DataFrame(), pd.DataFrame(columns=["部门", "合计", *ROLE_ORDER])
    cells: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r["agency_name"], f"{plan_label(store.node(r['plan']), '')}·{r['target_title']}")
        roles = sorted(set(filter(None, (cells.get(key, "") + "、" + (r["role"] or "")).split("、"))), key=_role_rank)
        cells[key] = "、".join(roles)
    agencies = sorted({a for a, _ in cells})
    tasks = sorted({t for _, t in cells})[:max_tasks]
    matrix = pd.DataFrame([[cells.get((a, t), "") for t in tasks] for a in agencies], index=agencies, columns=tasks)
    matrix.index.name = "部门"
    work = long.groupby(["部门", "角色"]).size().unstack(fill_value=0)
    for role in ROLE_ORDER:
        if role not in work:
            work[role] = 0
    work = work[[*ROLE_ORDER, *[c for c in work.columns if c not in ROLE_ORDER]]]
    work.insert(0, "合计", work.sum(axis=1))
    work = work.sort_values("合计", ascending=False).reset_index()
    return long, matrix, work


def role_colour(v: Any) -> str:
    """Cell colour of the first role in a matrix cell (same colours as the legend and the chart)."""
    from .style import ROLE_COLOR

    role = str(v).split("、")[0]
    return f"background-color:{ROLE_COLOR[role]};color:{'#111' if role == '配合' else '#fff'}" if role in ROLE_COLOR else ""


def responsibility_by_task(store, plan_id: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per task/project of the plan: 牵头, 配合, 主责 units and where each comes from (来源)."""
    from ..division import role_origin

    items = sorted((n for n in store.nodes(plan=plan_id) if n.label in ("Task", "Project")),
                   key=lambda n: (n.get("line") or 0, n.id))
    roles: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    origins: dict[str, dict[str, str]] = defaultdict(dict)  # item → role → origin
    names = {r["agency"]: r["agency_name"] for r in rows}
    for n in items:
        for e in store.edges(RESPONSIBLE, target=n.id):
            role = str(e.get("role") or "")
            a = names.get(e.source) or (store.node(e.source).title if store.node(e.source) else e.source)
            roles[n.id][role].append(a)
            origins[n.id].setdefault(role, role_origin(e))
    out = [{"任务": n.title, "牵头": "、".join(roles[n.id].get("牵头", [])), "配合": "、".join(roles[n.id].get("配合", [])),
            "主责": "、".join(roles[n.id].get("主责", [])),
            "来源": "；".join(f"{r}：{origins[n.id][r]}" for r in ROLE_ORDER if r in origins[n.id]),
            "完成时限": str(n.get("deadline") or ""), "正文": str(n.get("text") or ""), "ID": n.id} for n in items]
    return pd.DataFrame(out, columns=["任务", "牵头", "配合", "主责", "来源", "完成时限", "正文", "ID"])


# ------------------------------------------------------------------ indicators

_NUM = re.compile(r"[-+]?\d+(?:\.\d+)?")


def number(value: Any) -> float | None:
    """First number in a target like '≥98', '95%以上', '[12]' — for the chart only."""
    m = _NUM.search(str(value or ""))
    return float(m.group()) if m else None


def indicator_groups(store, indicators: list[Node]) -> list[list[Node]]:
    """The same measure across plans: indicators sharing a Measure, joined over 上级规划 links."""
    ids = {n.id for n in indicators}
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for n in indicators:
        for e in store.edges(UPPER, source=n.id):
            if e.target in ids and e.get("status") != "rejected":
                parent[find(e.source)] = find(e.target)
    first: dict[str, str] = {}
    for n in indicators:
        for e in store.edges("MEASURES", source=n.id):  # one edge per indicator: linear
            parent[find(e.source)] = find(first.setdefault(e.target, e.source))
    groups: dict[str, list[Node]] = defaultdict(list)
    by_id = {n.id: n for n in indicators}
    for i in ids:
        groups[find(i)].append(by_id[i])
    out = [g for g in groups.values() if len({n.plan for n in g}) > 1]
    return sorted(out, key=lambda g: (-len(g), min(n.title for n in g)))


def indicator_group_frame(store, group: list[Node]) -> pd.DataFrame:
    rows = []
    for n in group:
        p = store.node(n.plan) if n.plan else None
        rows.append({"层级": LEVEL_ZH.get(p.get("level") if p else None, ""), "规划": plan_label(p, n.plan or ""),
                     "指标名称": n.title, "单位": n.get("unit") or "", "基期值": n.get("baseline") or "",
                     "目标值": n.get("target") or "", "属性": n.get("attribute") or "",
                     "累计": "是" if n.get("cumulative") else "", "_rank": LEVEL_RANK.get(p.get("level") if p else None, 9),
                     "目标数值": number(n.get("target")), "ID": n.id})
    df = pd.DataFrame(rows)
    # one row per measure and plan: a plan that states it in its table and again in prose shows the table row
    df["_src"] = [0 if n.get("source") == "table" else 1 for n in group]
    df["_seen"] = [sum(1 for m in group if m.plan == n.plan) for n in group]
    df = df.sort_values(["_rank", "规划", "_src"]).drop_duplicates(subset=["规划"], keep="first")
    df["说明"] = ["正文另有表述" if k > 1 else "" for k in df["_seen"]]
    return df.drop(columns=["_rank", "_src", "_seen"]).reset_index(drop=True)


def flags_frame(store, rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = []
    for r in rows:
        lo, up = store.node(r["lower"]), store.node(r["upper"])
        out.append({"下级规划": plan_label(store.node(lo.plan) if lo else None), "下级指标": r["lower_name"],
                    "上级规划": plan_label(store.node(up.plan) if up else None), "上级指标": r["upper_name"],
                    "问题": FLAG_ZH.get(r["flag"], r["flag"]), "说明": r["reason"], "下级ID": r["lower"], "上级ID": r["upper"]})
    return pd.DataFrame(out, columns=["下级规划", "下级指标", "上级规划", "上级指标", "问题", "说明", "下级ID", "上级ID"])


class IndicatorIndex:
    """Everything the 指标 page needs, made once per store version: the cross-plan groups, a national summary
    (one row per group), every flag as a frame with the flags of each plan, and each indicator's group.
    A rerun then only slices these (one page of rows), whatever the number of plans."""

    def __init__(self, store, indicators: list[Node], flag_rows: list[dict[str, Any]] | None):
        self.total = len(indicators)
        self.groups = indicator_groups(store, indicators)
        self.group_of = {n.id: gi for gi, g in enumerate(self.groups) for n in g}
        self.flags = flags_frame(store, flag_rows or [])
        self.flags["_plan"] = [lo.plan if (lo := store.node(i)) is not None else None for i in self.flags["下级ID"]]
        rank = [LEVEL_RANK.get(p.get("level") if (p := store.node(pid) if pid else None) is not None else None, 9)
                for pid in self.flags["_plan"]]  # national and provincial plans' flags first, then by plan
        self.flags = (self.flags.assign(_rank=rank).sort_values(["_rank", "下级规划", "下级指标"], kind="stable")
                      .drop(columns=["_rank"]).reset_index(drop=True))
        self.flags_by_plan = {p: list(ix) for p, ix in self.flags.groupby("_plan", sort=False).indices.items()}
        per_indicator = Counter(self.flags["下级ID"])  # a flag sits on a link: counted once, at its lower end
        self.flag_counts = (self.flags["问题"].value_counts().rename_axis("问题").reset_index(name="条数")
                            if not self.flags.empty else pd.DataFrame(columns=["问题", "条数"]))
        self.summary = indicator_summary_frame(store, self.groups, per_indicator)

    def plan_flags(self, plan_id: str | None) -> pd.DataFrame:
        """The flags whose lower indicator is in *plan_id* (all when None), without the helper column."""
        df = self.flags if plan_id is None else self.flags.iloc[self.flags_by_plan.get(plan_id, [])]
        return df.drop(columns=["_plan"])


def indicator_summary_frame(store, groups: list[list[Node]], flags_per_indicator: Counter) -> pd.DataFrame:
    """The national summary: one row per measure stated in several plans — its name as the highest plan words
    it, how many plans and which levels state it, the highest plan's target, and how many consistency flags."""
    rows = []
    for gi, g in enumerate(groups):
        ranked = sorted(g, key=lambda n: (LEVEL_RANK.get(_plan_level(store, n), 9), n.get("source") != "table", n.id))
        top = ranked[0]
        levels = sorted({_plan_level(store, n) for n in g}, key=lambda lv: LEVEL_RANK.get(lv, 9))
        rows.append({"组": gi, "指标名称": top.title, "规划数": len({n.plan for n in g}),
                     "层级": "、".join(LEVEL_ZH.get(lv, "") for lv in levels if lv),
                     "最高层级规划": plan_label(store.node(top.plan) if top.plan else None, top.plan or ""),
                     "目标值": top.get("target") or "", "单位": top.get("unit") or "",
                     "一致性问题": sum(flags_per_indicator.get(n.id, 0) for n in g)})
    return pd.DataFrame(rows, columns=["组", "指标名称", "规划数", "层级", "最高层级规划", "目标值", "单位", "一致性问题"])


def _plan_level(store, n: Node) -> str | None:
    p = store.node(n.plan) if n.plan else None
    return p.get("level") if p is not None else None


def plan_indicators_frame(store, plan_id: str, index: IndicatorIndex | None = None) -> pd.DataFrame:
    """One plan's indicators with their 上级规划 links: the upper plan, its indicator and target, the flags on
    the link, and how many plans state the same measure — what a planning official checks for one plan."""
    rows = []
    items = sorted(store.nodes(label="Indicator", plan=plan_id), key=lambda n: (n.get("line") or 0, n.id))
    for n in items:
        links = [e for e in store.edges(UPPER, source=n.id) if e.get("status") != "rejected"]
        ups = [(e, store.node(e.target)) for e in links]
        ups = [(e, u) for e, u in ups if u is not None and u.label == "Indicator"]
        gi = index.group_of.get(n.id) if index is not None else None
        rows.append({"指标名称": n.title, "单位": n.get("unit") or "", "基期值": n.get("baseline") or "",
                     "目标值": n.get("target") or "", "属性": n.get("attribute") or "",
                     "上级规划": "；".join(plan_label(store.node(u.plan) if u.plan else None, u.plan or "") for _, u in ups),
                     "上级指标": "；".join(u.title for _, u in ups),
                     "上级目标值": "；".join(str(u.get("target") or "—") for _, u in ups),
                     "一致性问题": "；".join(FLAG_ZH.get(f, f) for e, _ in ups for f in (e.get("flags") or [])),
                     "同一指标规划数": len({m.plan for m in index.groups[gi]}) if gi is not None else 1,
                     "ID": n.id})
    return pd.DataFrame(rows, columns=["指标名称", "单位", "基期值", "目标值", "属性", "上级规划", "上级指标", "上级目标值",
                                       "一致性问题", "同一指标规划数", "ID"])


# ------------------------------------------------------------------ outline

def outline_rows(store, plan_id: str) -> list[dict[str, Any]]:
    """A plan's outline as indented rows (depth, title, kind, counts) in document order.

    The tree follows CONTAINS edges from the plan (paths differ between extractors; edges do not).
    Counts are subtree totals; an indicator stated inside a task counts where that task sits.
    """
    nodes = {n.id: n for n in store.nodes(plan=plan_id)}
    line = lambda n: (n.get("line") or 0, n.id)  # noqa: E731
    children: dict[str, list[Node]] = {}
    for pid in [plan_id] + [i for i, n in nodes.items() if n.label == "Section"]:
        kids = [nodes[e.target] for e in store.edges("CONTAINS", source=pid) if e.target in nodes]
        children[pid] = sorted(kids, key=line)
    section_of: dict[str, str] = {}
    for sid, kids in children.items():
        for k in kids:
            if k.label != "Section":
                section_of[k.id] = sid
    for n in nodes.values():  # indicators stated in a task, and items no section claims
        if n.label in ITEM_LABELS and n.id not in section_of:
            host = section_of.get(n.get("task") or "")
            if host:
                section_of[n.id] = host
    direct: dict[str, list[Node]] = defaultdict(list)
    for iid, sid in section_of.items():
        direct[sid].append(nodes[iid])
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()

    def walk(sid: str, depth: int) -> Counter:
        seen.add(sid)
        s = nodes[sid]
        row = {"层次": depth, "标题": s.title, "类型": {"task": "任务章节", "context": "背景", "goals": "目标",
                                                      "safeguard": "保障措施"}.get(s.get("kind"), s.get("kind") or ""),
               "ID": sid, "条目": [f"{LABEL_ZH.get(i.label, i.label)}：{i.title}" for i in sorted(direct[sid], key=line)]}
        rows.append(row)
        c = Counter(i.label for i in direct[sid])
        for k in children.get(sid, []):
            if k.label == "Section" and k.id not in seen:
                c += walk(k.id, depth + 1)
        row.update({"任务": c["Task"], "项目": c["Project"], "指标": c["Indicator"]})
        return c

    tops = [k for k in children.get(plan_id, []) if k.label == "Section"]
    claimed = {k.id for kids in children.values() for k in kids}
    tops += [n for n in nodes.values() if n.label == "Section" and n.id not in claimed]
    for s in sorted(tops, key=line):
        if s.id not in seen:
            walk(s.id, 1)
    return rows


def outline_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([{"章节": "　" * (r["层次"] - 1) + r["标题"], **{k: r[k] for k in ("类型", "任务", "项目", "指标", "ID")}}
                         for r in rows], columns=["章节", "类型", "任务", "项目", "指标", "ID"])


# ------------------------------------------------------------------ goal view and coverage by region

def goal_coverage_frame(view) -> pd.DataFrame:
    """One row per lower plan of the goal: picked up or not, and how many items implement it."""
    rows = [{"下级规划": s.name, "层级": LEVEL_ZH.get(s.level, ""), "承接条目": s.sub_items if s.grouped else len(s.items),
             "状态": (f"含下级：{s.sub_picked + int(s.picked)}/{s.sub_plans + 1} 个规划已承接" if s.grouped
                    else "已承接" if s.picked else "未承接")}
            for s in view.slots if not s.hidden]  # at national scale: the drawn regions, not every county
    return pd.DataFrame(rows, columns=["下级规划", "层级", "承接条目", "状态"])


def plan_coverage_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``goal.plan_coverage`` rows as a heat table by region."""
    return pd.DataFrame([{"下级规划": r["region"], "层级": LEVEL_ZH.get(r["level"], ""), "上级条目": r["upper_items"],
                          "已承接": r["covered"], "覆盖率%": round(100 * r["share"], 1)} for r in rows],
                        columns=["下级规划", "层级", "上级条目", "已承接", "覆盖率%"])


def heat_styler(df: pd.DataFrame, column: str):
    """Colour one numeric column red (none) → green (most), the heat table by region."""
    if df.empty:
        return df
    top = max(1.0, float(df[column].max()))
    scale = 100.0 if column.endswith("%") else top
    return df.style.map(lambda v: share_colour(100 * float(v) / scale), subset=[column])
