"""``similar``: one task's most similar tasks in other plans (any level), from the overlap index on demand."""
from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ..errors import ConfigError
from ..safeout import term_markup, term_text


def register(sub) -> None:
    p = sub.add_parser("similar", help="某任务在其他规划中最相似的任务（任意层级，按需计算）")
    p.add_argument("id", help="任务或项目编号")
    p.add_argument("-k", type=int, default=10, help="显示条数（默认 10）")
    p.add_argument("--store", type=Path, default=None)
    p.set_defaults(func=cmd_similar)


def similar_rows(graph, node_id: str, k: int = 10) -> list[dict]:
    """Rows ``id, plan, title, score`` of the *k* best matches of *node_id* in other plans."""
    from ..link import load_config
    from ..link.index import CorpusIndex
    from ..link.overlaps import OverlapIndex
    from ..link.view import GraphView

    view = GraphView.build(graph)
    pos = {it.id: it.idx for it in view.items}
    if node_id not in pos:
        raise ConfigError(f"{node_id} 不是已载入规划中的任务或项目")
    cfg = load_config()
    index = CorpusIndex.build([it.text for it in view.items], cfg.text)
    ox = OverlapIndex(view, index, {p.id: p for p in graph.by_label("Plan")}, cfg.overlaps)
    return [{"id": view.items[j].id, "plan": view.items[j].plan, "title": view.items[j].title, "score": s}
            for j, s in ox.similar(pos[node_id], k)]


def cmd_similar(args) -> int:
    from ..store import open_store
    from . import console

    store = open_store(args.store)
    if hasattr(store, "exists") and not store.exists():
        raise ConfigError(f"图谱存储 {getattr(store, 'directory', args.store)} 不存在，请先运行 plangraph build")
    graph = store.load()
    node = graph.nodes.get(args.id)
    if node is None:
        raise ConfigError(f"图中没有节点 {args.id}")
    rows = similar_rows(graph, args.id, args.k)
    names = {p.id: str(p.get("region") or p.title) for p in graph.by_label("Plan")}
    console.print(f"[bold]{term_markup(node.title)}[/]：其他规划中最相似的 {len(rows)} 项")
    t = Table(show_lines=False)
    for col in ("规划", "标题", "编号", "相似度"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(term_text(names.get(r["plan"], r["plan"])), term_text(r["title"]), r["id"], f"{r['score']:.3f}")
    console.print(t)
    return 0
