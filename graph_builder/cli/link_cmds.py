"""Linking, tracing, reports and review commands: ``link``, ``trace``, ``report``, ``review``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from ..errors import ConfigError, StoreError
from ..safeout import term_markup, term_text, write_csv, write_xlsx
from .names import LABEL_ZH, add_id_column, find_node, find_plan, make_console, plan_names, table

REPORTS = ("orphans", "overlaps", "coverage", "indicators")
from ..models import ORPHAN_KINDS, UPPER  # noqa: E402  (the schema owns the enum)
ORPHAN_KIND_ZH = {"no_upper": "无上级对应", "not_picked_up": "未被下级承接", "no_agency": "无责任单位"}
FLAG_ZH = {"weaker_target": "目标弱于上级", "missing_baseline": "缺少基期值", "unit_mismatch": "单位不一致",
           "attribute_mismatch": "属性不一致（约束性/预期性）", "cumulative_mismatch": "累计/年度口径不一致",
           "period_mismatch": "口径不一致（期间新增/累计）", "missing_target": "缺少目标值"}
REASON_ZH = {"local": "本地特色（已标记）", "upper_not_loaded": "上级规划未载入", "no_match": "上级规划中无对应", "pending_review": "待审核（有候选上级）",
             "not_broken_down": "下级未分解落实", "no_agency": "无责任单位"}
STATUS_ZH = {"suggested": "建议", "linked": "已自动关联", "accepted": "已确认", "rejected": "已否决", "suspect": "待复核"}
KIND_ZH = {"peer": "同级规划", "same_region": "同一地区的其他规划", "within_plan": "同一规划内"}
HEADERS = {
    "orphans": {"id": "编号", "label": "类型", "plan": "规划", "title": "标题", "kind": "类别", "reason": "原因"},
    "overlaps": {"a": "任务A", "b": "任务B", "a_plan": "规划A", "b_plan": "规划B", "a_title": "标题A",
                 "b_title": "标题B", "kind": "类别", "score": "相似度"},
    "coverage": {"lower_plan": "下级规划", "upper_plan": "上级规划", "section": "章节编号", "section_title": "上级章节",
                 "upper_items": "上级任务数", "covered": "已承接", "share": "承接率"},
    "indicators": {"lower": "下级指标", "upper": "上级指标", "lower_name": "下级指标名称", "upper_name": "上级指标名称",
                   "flag": "问题", "reason": "说明"},
}


def register(sub) -> None:
    p = sub.add_parser("link", help="重新关联已存储的图谱（上级规划、重叠任务、指标对应），并应用审核决定")
    p.add_argument("--store", type=Path, default=None, help="图谱存储目录（默认 .plangraph/store）")
    p.add_argument("--config", type=Path, default=None, help="关联参数文件（覆盖 patterns/link.toml）")
    p.add_argument("--decisions", type=Path, default=None, help="审核决定文件（默认 data/review.csv）")
    p.set_defaults(func=cmd_link)

    p = sub.add_parser("trace", help="沿“上级规划”追溯：--up 向上，--down 向下（含得分与依据）")
    p.add_argument("id", help="编号、地区名（如 宿州市）、规划名或任务标题")
    p.add_argument("--plan", default=None, help="标题重名时，只在该规划（编号或地区名）中查找")
    p.add_argument("--wide", action="store_true", help="宽表：加上状态与依据列（200 列）")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--up", action="store_true", help="向上追溯（默认）")
    g.add_argument("--down", action="store_true", help="向下追溯")
    p.add_argument("--depth", type=int, default=6, help="最大层数（默认 6）")
    p.add_argument("--store", type=Path, default=None)
    p.set_defaults(func=cmd_trace)

    p = sub.add_parser("report", help="报表：orphans 孤立项 | overlaps 重叠 | coverage 覆盖 | indicators 指标一致性")
    p.add_argument("name", choices=REPORTS)
    p.add_argument("--kind", default=None, help="orphans: no_upper|not_picked_up|no_agency（默认全部）；overlaps: peer|same_region|within_plan")
    p.add_argument("--min-score", type=float, default=0.0, help="overlaps: 最低相似度")
    p.add_argument("--lower", default=None, help="coverage: 只看该下级规划（编号或地区名）")
    p.add_argument("--all", action="store_true", help="orphans: 逐条列出“上级规划未载入”的条目（默认每个缺失规划一行）")
    p.add_argument("--wide", action="store_true", help="宽表：显示全部列（200 列）")
    p.add_argument("--format", choices=("table", "csv", "xlsx"), default="table")
    p.add_argument("--out", type=Path, default=None, help="输出文件（csv/xlsx 必填；table 可省略）")
    p.add_argument("--store", type=Path, default=None)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("review", help="审核关联：list 列出 | accept 确认 | reject 否决 | add 新增 | local 标记本地特色")
    rs = p.add_subparsers(dest="action", required=True, metavar="操作")
    q = rs.add_parser("list", help="列出任务级关联（默认：建议与待复核）")
    q.add_argument("--status", default="suggested,suspect", help="逗号分隔：suggested,accepted,rejected,suspect 或 all")
    q.add_argument("--plan", default=None, help="只看该下级规划（编号或地区名）")
    q.add_argument("--limit", type=int, default=50)
    q.add_argument("--wide", action="store_true", help="宽表：加上依据列（200 列）")
    for name, helptext in (("accept", "确认一条关联"), ("reject", "否决一条关联"), ("add", "手工新增一条关联")):
        q = rs.add_parser(name, help=helptext)
        q.add_argument("source", help="下级任务编号")
        q.add_argument("target", help="上级任务编号")
        q.add_argument("--note", default="", help="说明（写入决定文件）")
    q = rs.add_parser("local", help="把任务标记为本地特色（无上级来源，属有意为之）")
    q.add_argument("source", help="任务编号")
    q.add_argument("--note", default="")
    for q in rs.choices.values():
        q.add_argument("--store", type=Path, default=None)
        q.add_argument("--decisions", type=Path, default=None, help="审核决定文件（默认 data/review.csv）")
    p.set_defaults(func=cmd_review)


# ---------------------------------------------------------------- helpers


def _store(path):
    from ..store import open_store

    store = open_store(path)
    if not store.exists():
        raise ConfigError(f"图谱存储 {store.directory} 不存在，请先运行 plangraph build")
    return store


def _decisions(path: Path | None) -> Path:
    from ..review import DEFAULT_DECISIONS

    return Path(path) if path else DEFAULT_DECISIONS


def _plan_names(graph) -> dict[str, str]:
    return plan_names(graph.by_label("Plan"))


def _resolve_plan(graph, key: str | None) -> str | None:
    if key is None:
        return None
    return find_plan(graph.nodes.values(), key).id


# ---------------------------------------------------------------- link


def cmd_link(args) -> int:
    from ..link import link_graph
    from . import console

    store = _store(args.store)
    graph = store.load()
    decisions = _decisions(args.decisions)
    summary = link_graph(graph, config=args.config, decisions_path=decisions if decisions.exists() else None)
    try:
        store.replace_all(graph)
    except OSError as exc:  # pragma: no cover - stores wrap their own errors
        raise StoreError(f"无法写入图谱：{exc}") from exc
    t = Table(title="关联结果")
    t.add_column("项目")
    t.add_column("数量", justify="right")
    for label, value in (("规划层级关联", summary.plan_links), ("未载入的上级规划", summary.placeholders),
                         ("任务→上级任务", summary.task_links), ("指标→上级指标", summary.indicator_links),
                         ("指标度量（Measure）", summary.measures),
                         ("同级规划重叠任务", summary.overlaps.get("peer", 0)),
                         ("同地区规划重叠任务", summary.overlaps.get("same_region", 0)),
                         ("规划内重叠任务", summary.overlaps.get("within_plan", 0)),
                         ("已应用审核决定", summary.decisions_applied)):
        t.add_row(label, str(value))
    console.print(t)
    for src, tgt in summary.suspect:
        console.print(f"[yellow]待复核[/] {term_markup(src)} → {term_markup(tgt or '（本地特色标记）')}：原文已改动，请重新审核")
    for src, tgt in summary.stale:
        console.print(f"[yellow]失效决定[/] {term_markup(src)} → {term_markup(tgt or '-')}：节点已不存在")
    names = {"plans": "规划层级", "index": "索引", "tasks": "任务", "indicators": "指标", "overlaps": "重叠", "review": "审核"}
    console.print(f"用时 {summary.seconds.get('total', 0):.2f} 秒（" +
                  "，".join(f"{names[k]} {summary.seconds[k]:.1f}" for k in names if k in summary.seconds) + "）")
    return 0


# ---------------------------------------------------------------- trace


def cmd_trace(args) -> int:
    from ..traversal import trace_chain

    store = _store(args.store)
    graph = store.load()
    start = find_node(graph.nodes.values(), args.id, args.plan)
    direction = "down" if args.down else "up"
    rows = trace_chain(graph, start.id, direction, args.depth)
    names = _plan_names(graph)
    out = make_console(args.wide)
    where = names.get(start.get("plan"), "") if start.label != "Plan" else names.get(start.id, "")
    out.print(f"[bold]{term_markup(start.title)}[/]（{term_markup(where)}·{LABEL_ZH.get(start.label, start.label)}）"
              f"{'向下' if direction == 'down' else '向上'}追溯：{len(rows)} 项", soft_wrap=False)
    out.print(f"[dim]编号 {start.id}[/]")
    t = table()
    t.add_column("层", justify="right", no_wrap=True)
    t.add_column("规划", no_wrap=True)
    t.add_column("标题", overflow="fold", ratio=1)
    t.add_column("得分", justify="right", no_wrap=True)
    if args.wide:
        t.add_column("状态", no_wrap=True)
        t.add_column("依据", overflow="fold", ratio=1)
    add_id_column(t)
    for r in rows:
        cells = [str(r["depth"]), term_text(names.get(r["plan"]) or names.get(r["id"], "—")), term_text(r["title"]),
                 f"{r['score']:.2f}"]
        if args.wide:
            cells += [STATUS_ZH.get(r["status"], r["status"] or ""), term_text("；".join(r["evidence"][:3]))]
        t.add_row(*cells, term_text(r["id"]))
    out.print(t)
    if not rows:
        out.print("（没有关联条目）" + ("：可能是本地特色任务，或上级规划未载入。" if direction == "up" else "：下级规划未承接。"))
    return 0


# ---------------------------------------------------------------- report


def report_rows(store, name: str, kind: str | None = None, min_score: float = 0.0,
                lower: str | None = None) -> list[dict[str, Any]]:
    """Rows of one report from the query library (same on both stores)."""
    if name == "orphans":
        kind = {v: k for k, v in ORPHAN_KIND_ZH.items()}.get(kind, kind)
        kinds = [kind] if kind else list(ORPHAN_KINDS)
        bad = [k for k in kinds if k not in ORPHAN_KINDS]
        if bad:
            raise ConfigError(f"未知孤立项类型 {bad[0]!r}（可用：{'、'.join(ORPHAN_KINDS)}）")
        return [r for k in kinds for r in store.query("orphans", kind=k)]
    if name == "overlaps":
        return store.query("overlaps", kind=kind, min_score=min_score)
    if name == "coverage":
        return store.query("coverage", lower=_resolve_plan(store.load(), lower) if lower else None)
    return store.query("indicator_flags")


def _display(name: str, rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        d = dict(r)
        for k in ("plan", "a_plan", "b_plan", "lower_plan", "upper_plan"):
            if k in d:
                d[k] = names.get(d[k], d[k])
        if "label" in d:
            d["label"] = LABEL_ZH.get(d["label"], d["label"])
        if name == "orphans":
            d["reason"] = REASON_ZH.get(d["reason"], d["reason"])
            d["kind"] = ORPHAN_KIND_ZH.get(d["kind"], d["kind"])
        if name == "indicators":
            d["flag"] = FLAG_ZH.get(d["flag"], d["flag"])
        if name == "overlaps":
            d["kind"] = KIND_ZH.get(d["kind"], d["kind"])
        if name == "coverage":
            d["share"] = f"{d['share'] * 100:.1f}%"
        out.append(d)
    return out


def cmd_report(args) -> int:
    from . import console

    store = _store(args.store)
    rows = report_rows(store, args.name, args.kind, args.min_score, args.lower)
    rows = _display(args.name, rows, _plan_names(store.load()))
    headers = HEADERS[args.name]
    if args.format in ("csv", "xlsx") and args.out is None:
        raise ConfigError(f"--format {args.format} 需要 --out 文件")
    if args.format in ("csv", "xlsx") and Path(args.out).is_dir():
        raise ConfigError(f"{args.out}: 是一个目录，请给出文件名")
    if args.format == "csv":  # one safe writer: cells that could start a formula are neutralised
        write_csv(args.out, list(headers.values()), ([_cell(r[k]) for k in headers] for r in rows), lineterminator="\n")
        console.print(f"已写出 {len(rows)} 行：{term_markup(args.out)}")
        return 0
    if args.format == "xlsx":  # every text cell a string, never a formula
        write_xlsx(args.out, {_TITLE[args.name]: (list(headers.values()),
                                                 [[r[k] if isinstance(r[k], (int, float)) else _cell(r[k]) for k in headers]
                                                  for r in rows])})
        console.print(f"已写出 {len(rows)} 行：{term_markup(args.out)}")
        return 0
    out = make_console(args.wide or bool(args.out))
    missing = []
    if args.name == "orphans" and not args.all:  # one line per missing upper plan instead of every item
        missing = [r for r in rows if r["reason"] == REASON_ZH["upper_not_loaded"]]
        rows = [r for r in rows if r["reason"] != REASON_ZH["upper_not_loaded"]]
    t = table(f"{_TITLE[args.name]}（{len(rows)} 行）")
    wide = args.wide or bool(args.out)
    cols = [k for k in headers if k in (_WIDE if wide else _NARROW)[args.name]]
    ids = [k for k in cols if k in _ID_COLS]
    for k in cols:
        if k in ids:
            add_id_column(t, headers[k])
        else:
            t.add_column(headers[k], overflow="fold", no_wrap=k in _SHORT, justify="right" if k in _NUM else "left",
                         ratio=1 if k in _TEXT else None)
    for r in rows:
        t.add_row(*[term_text(_cell(r[k])) for k in cols])
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            from rich.console import Console

            Console(file=fh, width=200).print(t)
        console.print(f"已写出 {len(rows)} 行：{term_markup(args.out)}")
    else:
        out.print(t)
        if missing:
            _print_missing(store, out, missing)
        if not wide:
            console.print("[dim]（更多列：--wide；全部条目含编号：--format csv --out 文件）[/]")
    return 0


def _print_missing(store, out, rows) -> None:
    """上级规划未载入: one line per lower plan naming the upper plans to add."""
    from collections import Counter

    graph = store.load()
    names = {v: k for k, v in _plan_names(graph).items()}
    per = Counter(r["plan"] for r in rows)
    out.print(f"[bold]上级规划未载入[/]（{len(rows)} 项，载入下列规划后可追溯）：")
    for plan, n in per.items():
        pid = names.get(plan, plan)
        ups = [graph.nodes[e.target] for e in graph.edges_of(UPPER)
               if e.source == pid and e.target in graph.nodes and graph.nodes[e.target].get("loaded", True) is False]
        out.print(f"  {term_markup(plan)}：{n} 项；请载入 " + ("、".join(f"《{term_markup(u.title)}》" for u in ups) or "上级规划"))


_ID_COLS = {"id", "a", "b", "lower", "upper"}
_SHORT = {"label", "kind", "plan", "a_plan", "b_plan", "lower_plan", "upper_plan", "score", "share", "covered",
          "upper_items", "flag"}
_NUM = {"score", "share", "covered", "upper_items"}
_TEXT = {"title", "a_title", "b_title", "section_title", "lower_name", "upper_name", "reason"}
_NARROW = {"orphans": ("plan", "title", "reason", "id"),
           "overlaps": ("a_plan", "a_title", "b_plan", "b_title", "score"),
           "coverage": ("lower_plan", "upper_plan", "section_title", "covered", "share"),
           "indicators": ("lower_name", "upper_name", "flag")}
_WIDE = {"orphans": ("id", "label", "plan", "title", "kind", "reason"),
         "overlaps": ("a", "b", "a_plan", "b_plan", "a_title", "b_title", "kind", "score"),
         "coverage": ("lower_plan", "upper_plan", "section_title", "upper_items", "covered", "share"),
         "indicators": ("lower", "upper", "lower_name", "upper_name", "flag", "reason")}


_TITLE = {"orphans": "孤立项", "overlaps": "重叠任务", "coverage": "上级任务承接情况", "indicators": "指标一致性问题"}


def _cell(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "" if v is None else str(v)


# ---------------------------------------------------------------- review


def cmd_review(args) -> int:
    from ..review import apply_decisions, load_decisions, record
    from . import console

    store = _store(args.store)
    graph = store.load()
    path = _decisions(args.decisions)
    if args.action == "list":
        return _review_list(graph, args, console)
    target = getattr(args, "target", "")
    src = graph.nodes.get(args.source)
    if src is not None and src.label not in ("Task", "Project", "Indicator"):
        raise ConfigError(f"{args.source} 是 {src.label}，只能审核任务、项目或指标之间的关联")
    if args.action in ("accept", "reject") and graph.edge(UPPER, args.source, target) is None:
        raise ConfigError(f"没有 {args.source} → {target} 的关联；新增请用 plangraph review add")
    d = record(path, graph, args.action, args.source, target, args.note)
    rep = apply_decisions(graph, [d])
    store.replace_all(graph)
    verb = {"accept": "已确认", "reject": "已否决", "add": "已新增", "local": "已标记为本地特色"}[args.action]
    console.print(f"{verb}：{term_markup(src.title if src else args.source)}" + (f" → {term_markup(graph.nodes[target].title)}" if target else ""))
    console.print(f"决定已写入 {term_markup(path)}（每次构建都会重新应用）")
    if rep.suspect:
        console.print("[yellow]注意[/]：原文与决定时不一致，关联标记为待复核")
    return 0


def _review_list(graph, args, console) -> int:
    wanted = None if args.status == "all" else set(args.status.split(","))
    plan = _resolve_plan(graph, args.plan)
    names = _plan_names(graph)
    rows = []
    for e in graph.edges_of(UPPER):
        a, b = graph.nodes.get(e.source), graph.nodes.get(e.target)
        if a is None or b is None or a.label == "Plan":
            continue
        if wanted is not None and e.get("status") not in wanted:
            continue
        if plan is not None and a.get("plan") != plan:
            continue
        rows.append((e, a, b))
    rows.sort(key=lambda t: (t[0].get("status") != "suspect", float(t[0].get("score") or 0), t[0].source))
    out = make_console(args.wide)
    t = table(f"待审核关联（共 {len(rows)} 条，显示 {min(len(rows), args.limit)} 条）")
    t.add_column("状态", no_wrap=True)
    t.add_column("得分", no_wrap=True, justify="right")
    t.add_column("下级 → 上级", overflow="fold", ratio=1)
    if args.wide:
        t.add_column("依据", overflow="fold", ratio=1)
    add_id_column(t, "下级编号 / 上级编号")
    for e, a, b in rows[: args.limit]:
        cells = [STATUS_ZH.get(e.get("status"), e.get("status") or ""), f"{float(e.get('score') or 0):.2f}",
                 term_text(f"{names.get(a.get('plan'), '')}：{a.title}\n→ {names.get(b.get('plan'), '')}：{b.title}")]
        if args.wide:
            cells.append(term_text("；".join(list(e.get("evidence") or [])[:2])))
        t.add_row(*cells, term_text(f"{e.source}\n{e.target}"))
    out.print(t)
    return 0
