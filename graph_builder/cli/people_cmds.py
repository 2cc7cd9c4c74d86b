"""Commands for the people in the meeting: ``分工`` (draft / read back a 任务分工方案) and ``brief`` (汇报材料)."""
from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("分工", aliases=["division"], help="任务分工方案：draft 生成草稿 .xlsx | load 读回已填写的表")
    ds = p.add_subparsers(dest="action", required=True, metavar="操作")
    q = ds.add_parser("draft", help="为一个规划生成分工方案草稿（每个任务一行，建议牵头/配合单位与完成时限）")
    q.add_argument("plan", help="规划：编号、地区名或规划名")
    q.add_argument("--out", type=Path, default=None, help="输出 .xlsx（默认 分工方案_地区.xlsx）")
    q.add_argument("--units", type=Path, default=None, help="本单位的关键词→处室对照文件（默认 patterns/division_units.toml）")
    q.add_argument("--store", type=Path, default=None)
    q = ds.add_parser("load", help="读回已填写的分工方案，生成牵头/配合关系（替换该规划此前读入的分工方案）")
    q.add_argument("file", type=Path, help="已填写的 .xlsx / .csv / .docx")
    q.add_argument("--plan", default=None, help="对应规划（默认按表头标题中的地区名判断）")
    q.add_argument("--store", type=Path, default=None)
    p.set_defaults(func=cmd_division)

    p = sub.add_parser("brief", help="汇报材料：把规划或目标的去向、覆盖、孤立项、指标和责任写成 .pptx / .docx")
    p.add_argument("key", help="规划（地区名、规划名）或目标（任务标题、编号）")
    p.add_argument("--out", type=Path, required=True, help="输出文件：.pptx（演示）或 .docx（书面报告）")
    p.add_argument("--plan", default=None, help="目标标题重名时，只在该规划中查找")
    p.add_argument("--store", type=Path, default=None)
    p.set_defaults(func=cmd_brief)


def _store(path):
    from ..store import open_store

    store = open_store(path)
    if not store.exists():
        raise ConfigError(f"图谱存储 {store.directory} 不存在，请先运行 plangraph build")
    return store


def cmd_division(args) -> int:
    from .. import division
    from . import console
    from .names import find_plan, plan_name

    store = _store(args.store)
    if args.action == "draft":
        plan = find_plan(store.nodes("Plan"), args.plan)
        rows = division.draft_rows(store, plan.id, division.load_units(args.units))
        out = args.out or Path(f"分工方案_{plan_name(plan)}.xlsx")
        division.write_draft_xlsx(out, plan.title, rows)
        filled = sum(1 for r in rows if r.lead)
        console.print(f"已写出分工方案草稿：{out}（{len(rows)} 项任务，{filled} 项已建议牵头单位）")
        console.print("填写“牵头单位/配合单位/完成时限”后运行：plangraph 分工 load " + str(out))
        return 0
    graph = store.load()
    rows = division.read_division_file(args.file)
    if args.plan:
        plan = find_plan(graph.nodes.values(), args.plan)
    else:
        plan = _plan_from_table(graph, args.file)
    res = division.load_division(graph, plan, rows, Path(args.file).name)
    store.replace_all(graph)
    console.print(f"已读入分工方案 {args.file} → {plan.title}：{res.rows} 行，"
                  f"新增责任关系 {res.added} 条，替换此前分工方案的 {res.removed} 条")
    for w in res.warnings:
        console.print(f"[yellow]警告[/] {w}")
    return 0


def _plan_from_table(graph, path: Path):
    """The plan whose region the file name or title row names (as the build does)."""
    from ..errors import NotFoundError
    from ..ingest import read_table_rows
    from ..normalize import to_match

    rows = read_table_rows(path)
    name = to_match(Path(path).stem + " ".join(" ".join(c) for _, c in rows[:2]))
    plans = [n for n in graph.by_label("Plan") if n.get("loaded", True) is not False]
    for p in plans:
        if to_match(p.title) in name:
            return p
    for p in plans:
        if p.get("region") and to_match(p.get("region")) in name:
            return p
    raise NotFoundError(f"{path}: 无法从文件名或标题判断对应规划，请用 --plan 指定")


def cmd_brief(args) -> int:
    from ..briefing import write_briefing
    from . import console
    from .names import find_node

    store = _store(args.store)
    node = find_node(store.nodes(), args.key, args.plan)
    suffix = args.out.suffix.lower()
    if suffix not in (".pptx", ".docx"):
        raise ConfigError(f"--out 需要 .pptx 或 .docx 文件（收到 {args.out.name}）")
    path = write_briefing(store, node.id, args.out)
    console.print(f"已写出汇报材料：{path}")
    return 0
