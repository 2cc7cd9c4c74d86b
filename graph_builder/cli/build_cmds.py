"""build / export / show commands."""
from __future__ import annotations

from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from ..errors import ConfigError
from ..safeout import term_markup, term_text
from ..progress import ProgressEvent

STAGES = {"ocr": "OCR 识别（页）", "read": "读取行", "extract": "抽取", "link": "关联", "store": "写入", "load": "加载"}


def register(sub) -> None:
    p = sub.add_parser("build", help="从规划文件构建图谱（默认 data/plans）")
    p.add_argument("paths", nargs="*", type=Path, default=[Path("data/plans")])
    p.add_argument("--store", type=Path, default=None, help="图谱存储目录（默认 .plangraph/store）")
    p.add_argument("--manifest", type=Path, default=None, help="可选清单，覆盖抽取到的规划信息")
    p.add_argument("--no-link", action="store_true", help="只抽取，不做跨规划关联")
    p.add_argument("--full", action="store_true", help="完整重建（默认只重新抽取有变化的文件）")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("export", help="导出图谱（json / graphml / csv）")
    p.add_argument("out", type=Path)
    p.add_argument("--store", type=Path, default=None)
    p.add_argument("--format", choices=("json", "graphml", "csv"), default="json")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("show", help="显示某个规划的目录树和数量")
    p.add_argument("plan", help="规划 id、标题或地区（如 宿州市）")
    p.add_argument("--indicators", action="store_true", help="同时列出指标")
    p.add_argument("--wide", action="store_true", help="按 200 列输出")
    p.add_argument("--store", type=Path, default=None)
    p.set_defaults(func=cmd_show)


def cmd_build(args) -> int:
    from ..pipeline import build, load_manifest
    from ..store import open_store
    from . import console

    store = open_store(args.store)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[item]}"),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        tasks: dict[str, int] = {}

        def on_progress(ev: ProgressEvent) -> None:
            if ev.stage not in tasks:
                tasks[ev.stage] = bar.add_task(STAGES.get(ev.stage, ev.stage), total=max(ev.total, 1), item="")
            bar.update(tasks[ev.stage], completed=ev.done, total=max(ev.total, 1), item=ev.item)

        report = build(args.paths, store, on_progress, overrides=load_manifest(args.manifest), link=not args.no_link,
                       full=args.full)
    table = Table(title="构建结果", show_lines=False)
    for col in ("文件", "规划", "章节", "任务", "项目", "指标", "状态"):
        table.add_column(col)
    for f in report.files:
        c = f.counts
        status = "[red]失败[/]" if f.error else ("[yellow]重复，已合并[/]" if f.duplicate_of else "[green]成功[/]")
        if f.kept_previous:
            status += "（保留上次结果）"
        table.add_row(term_text(Path(f.path).name), term_text(f.title or "-"), str(c.get("Section", 0)), str(c.get("Task", 0)),
                      str(c.get("Project", 0)), str(c.get("Indicator", 0)), status)
    console.print(table)
    counts = store.counts()
    console.print("图谱：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    for w in report.warnings:
        console.print(f"[yellow]警告[/] {term_markup(w)}")
    for f in report.failed:
        console.print(f"[red]失败[/] {term_markup(f.error)}")
    console.print(f"存储位置：{term_markup(store.directory)}")
    return 1 if report.failed else 0


def cmd_export(args) -> int:
    from ..export import export_graph
    from ..store import open_store
    from . import console

    store = open_store(args.store)
    if not store.exists():
        raise ConfigError(f"图谱存储 {store.directory} 不存在，请先运行 plangraph build")
    files = export_graph(store.load(), args.format, args.out)
    console.print("已导出：" + "，".join(term_markup(f) for f in files))
    return 0


def find_plan(store, key: str):
    """A plan by id, region, title or file (NotFoundError, exit code 5, when there is none)."""
    from .names import find_plan as _find

    return _find(store.nodes("Plan"), key)


def cmd_show(args) -> int:
    from ..store import open_store
    from .names import LABEL_ZH, make_console

    store = open_store(args.store)
    if not store.exists():
        raise ConfigError(f"图谱存储 {store.directory} 不存在，请先运行 plangraph build")
    plan = find_plan(store, args.plan)
    g = store.load()
    out = make_console(args.wide)
    children: dict[str, list[str]] = {}
    for e in g.edges_of("CONTAINS"):
        children.setdefault(e.source, []).append(e.target)

    def count(nid: str, label: str) -> int:
        return sum((g.nodes[c].label == label) + count(c, label) for c in children.get(nid, []) if c in g.nodes)

    tree = Tree(f"[bold]{term_markup(plan.props.get('title'))}[/]（{term_markup(plan.props.get('region'))}，任务 {count(plan.id, 'Task')}，"
                f"项目 {count(plan.id, 'Project')}，指标 {count(plan.id, 'Indicator')}）\n[dim]编号 {plan.id}[/]")
    colour = {"Task": "cyan", "Project": "magenta", "Indicator": "green"}

    def add(branch, nid):
        for c in sorted(children.get(nid, []), key=lambda x: g.nodes[x].props.get("line") or 0):
            n = g.nodes[c]
            if n.label == "Section":
                sub = branch.add(f"{term_markup(n.title)}  [dim]任务 {count(c, 'Task')} · 项目 {count(c, 'Project')} · 指标 {count(c, 'Indicator')}[/]")
                add(sub, c)
            elif n.label in ("Task", "Project") or (n.label == "Indicator" and args.indicators):
                # the id first: it is what a reader copies into `plangraph trace`, so it never wraps
                sub = branch.add(f"[dim]{n.id}[/] [{colour[n.label]}]{LABEL_ZH[n.label]}[/] {term_markup(n.title)}")
                add(sub, c)

    add(tree, plan.id)
    out.print(tree)
    return 0
