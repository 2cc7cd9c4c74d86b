"""Neo4j commands: ``load-neo4j``, ``query``, ``neo4j start|stop|status``.

Connection settings come from NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE (or the local
server's state in .neo4j/). There is deliberately no ``--password`` option: command lines are visible
to every user of the machine (``ps``) and end up in shell history.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from ..errors import ConfigError, StoreError
from ..safeout import term_text

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "neo4j.sh"


def register(sub) -> None:
    p = sub.add_parser("load-neo4j", help="把嵌入式存储中的图谱加载到 Neo4j（幂等，可重跑）",
                       description="读取嵌入式存储，批量写入 Neo4j；重复加载结果不变，中断后重跑即可恢复。")
    p.add_argument("--store", type=Path, default=None, help="嵌入式存储目录（默认 .plangraph/store）")
    p.add_argument("--bulk", action="store_true",
                   help="首次加载大图：用 neo4j-admin database import 离线批量导入（仅本地服务器、仅空数据库）")
    p.add_argument("--full", action="store_true", help="重新写入全部规划（默认只写入上次加载后有变化的规划）")
    _conn_args(p)
    p.set_defaults(func=cmd_load)

    q = sub.add_parser("query", help="运行查询库中的命名查询（嵌入式或 Neo4j）",
                       description="查询：trace_down、trace_up、orphans、overlaps、responsibility、coverage、"
                                   "indicator_flags、search；参数用 --param 键=值 传入。")
    q.add_argument("name", help="查询名，如 trace_down")
    q.add_argument("--param", "-p", action="append", default=[], metavar="键=值", help="查询参数，可重复")
    q.add_argument("--backend", choices=("embedded", "neo4j"), default="embedded", help="在哪个存储上运行（默认 embedded）")
    q.add_argument("--format", choices=("table", "json"), default="table", help="输出格式（默认 table）")
    q.add_argument("--store", type=Path, default=None, help="嵌入式存储目录（backend=embedded 时）")
    _conn_args(q)
    q.set_defaults(func=cmd_query)

    n = sub.add_parser("neo4j", help="管理本地 Neo4j 服务器（start|stop|status）",
                       description="本地 Neo4j Community 5.26（首次使用时从 Maven Central 获取并构建）。")
    n.add_argument("action", choices=("start", "stop", "status", "install"))
    n.set_defaults(func=cmd_server)


def _conn_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--uri", default=None, help="Neo4j 地址（默认 $NEO4J_URI 或 bolt://127.0.0.1:7687）")
    p.add_argument("--user", default=None, help="Neo4j 用户（默认 $NEO4J_USER 或 neo4j）；密码只从 $NEO4J_PASSWORD 读取")
    p.add_argument("--database", default=None, help="Neo4j 数据库（默认 $NEO4J_DATABASE 或服务器默认库）")


def _neo4j(args: argparse.Namespace):
    import logging

    from ..store import open_neo4j

    # The driver logs each retried transient error (a deadlock between the two load sessions) as a
    # warning; retries are expected, and real failures still arrive as one StoreError line.
    logging.getLogger("neo4j").setLevel(logging.ERROR)

    store = open_neo4j(uri=args.uri, user=args.user, database=args.database)
    store.ping()
    return store


# ---------------------------------------------------------------- load-neo4j


def cmd_load(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..store import DEFAULT_STORE, EmbeddedStore
    from . import console

    src = EmbeddedStore(args.store or DEFAULT_STORE)
    if not src.exists():
        raise ConfigError(f"嵌入式存储 {src.directory} 中没有图谱；先运行 plangraph build")
    t_read = time.perf_counter()
    # an incremental load reads only the changed plans (neo4j_bulk.load_changed), the others the whole graph
    graph = src.load() if args.bulk or args.full else None
    t_read = time.perf_counter() - t_read
    store = _neo4j(args)
    if args.bulk:
        return _bulk(args, graph, store, src)
    try:
        if graph is not None:
            console.print(f"从 {src.describe()} 读取 {len(graph.nodes)} 个节点、{len(graph.edges)} 条关系"
                          f"（{t_read:.1f} 秒）→ {store.describe()}", markup=False)
        else:
            console.print(f"{src.describe()} → {store.describe()}：只发送上次加载后有变化的规划", markup=False)
        names = {"nodes": "写入节点", "rels": "写入关系", "cleanup": "清理旧数据"}
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=False) as bar:
            tasks: dict[str, Any] = {}

            def progress(ev) -> None:  # ProgressEvent("store", phase, done, total)
                phase, done, total = ev.item, ev.done, ev.total
                if phase not in tasks:
                    tasks[phase] = bar.add_task(names.get(phase, phase), total=max(total, 1))
                bar.update(tasks[phase], completed=done if total else 1, total=max(total, 1))

            if args.full:
                stats, sent = store.replace_all(graph, progress=progress), None
                from ..neo4j_bulk import record_bulk

                record_bulk(store, graph, src.directory)
            else:
                from ..neo4j_bulk import load_changed

                stats, sent, read = load_changed(store, src, progress)
                console.print(f"读取 {read} 个节点（变化的规划、与之相连的规划和共享节点）", markup=False)
        counts = store.counts()
    finally:
        store.close()
    table = Table(title="Neo4j 中的图谱", show_header=True)
    table.add_column("标签 / 关系")
    table.add_column("数量", justify="right")
    for k, v in counts.items():
        table.add_row(Text(k), str(v))
    console.print(table)
    console.print(("全部规划" if sent is None else f"有变化的 {sent} 份规划") +
                  f"：已写入 {stats.nodes} 个节点、{stats.rels} 条关系，用时 {stats.seconds:.1f} 秒，"
                  f"{stats.rows_per_s:,.0f} 行/秒（{store.workers} 个写入会话）", markup=False)
    if stats.skipped_rels:
        console.print(f"注意：{stats.skipped_rels} 条关系的端点不在图谱中，未写入 Neo4j", markup=False)
    return 0


def _bulk(args: argparse.Namespace, graph, store, src) -> int:
    """``load-neo4j --bulk``: offline import into the local server (see graph_builder.neo4j_bulk)."""
    from ..neo4j_bulk import bulk_import
    from ..settings import local_state_dir, local_uri as _local_uri
    from . import console

    if store.settings.uri != _local_uri():
        store.close()
        raise ConfigError(f"批量导入需要停机离线导入，只能用于本地服务器（{_local_uri()}）；"
                          f"远程服务器、集群或 Aura 请用 plangraph load-neo4j（不加 --bulk）")
    say = lambda msg: console.print(msg, markup=False)  # noqa: E731
    stats = bulk_import(graph, store, local_state_dir() / "dbms", src.directory, say=say)
    total = sum(stats.seconds.values())
    steps = {"csv": "写 CSV", "stop": "停机", "import": "离线导入", "start": "启动", "schema": "约束与索引",
             "fixup": "补写", "record": "记录"}
    say("批量导入完成：" + "，".join(f"{steps.get(k, k)} {v:.1f} 秒" for k, v in stats.seconds.items()) +
        f"；共 {total:.1f} 秒，{stats.nodes} 个节点、{stats.rels} 条关系，{stats.rows_per_s:,.0f} 行/秒"
        f"（导入后补写 {stats.fixups} 个 CSV 无法表达的值）")
    return 0


# ---------------------------------------------------------------- query


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """``k=v`` pairs; numbers, true/false and null are decoded, everything else stays a string."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ConfigError(f"参数格式应为 键=值：{pair[:80]!r}")
        value: Any = raw
        if raw in ("true", "false", "null") or _is_number(raw):
            value = json.loads(raw)
        out[key] = value
    return out


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return s.strip() == s and s.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")


def cmd_query(args: argparse.Namespace) -> int:
    from ..queries import spec
    from ..store import DEFAULT_STORE, EmbeddedStore
    from . import console

    params = parse_params(args.param)
    if args.backend == "neo4j":
        store = _neo4j(args)
        try:
            status = store.load_status().get("status")
            rows = store.query(args.name, **params)
        finally:
            store.close()
        if status == "loading":
            from . import err_console

            err_console.print("注意：Neo4j 中上一次加载未完成，结果可能不完整；请重新运行 plangraph load-neo4j",
                              markup=False)
    else:
        spec(args.name)  # unknown name → ConfigError before touching the store
        store = EmbeddedStore(args.store or DEFAULT_STORE)
        if not store.exists():
            raise ConfigError(f"嵌入式存储 {store.directory} 中没有图谱；先运行 plangraph build")
        rows = store.query(args.name, **params)
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not rows:
        console.print("（无结果）")
        return 0
    table = Table(show_header=True, header_style="bold")
    for col in rows[0]:
        table.add_column(col)
    for r in rows:
        table.add_row(*(term_text("" if v is None else (", ".join(map(str, v)) if isinstance(v, list) else str(v)))
                        for v in r.values()))
    console.print(table)
    console.print(f"{len(rows)} 行", markup=False)
    return 0


# ---------------------------------------------------------------- neo4j start|stop|status


def shown_settings(text: str, terminal: bool) -> str:
    """The NEO4J_* lines as printed: for ``eval "$(plangraph neo4j start)"`` in full, on a terminal without the password.

    >>> shown_settings("NEO4J_USER=neo4j\\nNEO4J_PASSWORD=s3cret\\n", terminal=True)
    'NEO4J_USER=neo4j\\n# NEO4J_PASSWORD 在 .neo4j/password（权限 600），plangraph 自动读取；导出：eval "$(plangraph neo4j start)"\\n'
    """
    if not terminal:
        return text
    hidden = '# NEO4J_PASSWORD 在 .neo4j/password（权限 600），plangraph 自动读取；导出：eval "$(plangraph neo4j start)"'
    return "".join(hidden + "\n" if ln.startswith("NEO4J_PASSWORD=") else ln for ln in text.splitlines(keepends=True))


def cmd_server(args: argparse.Namespace) -> int:
    """Wrap scripts/neo4j.sh; ``start`` prints the NEO4J_* shell lines, the password only when captured (``eval``)."""
    if not SCRIPT.exists():
        raise ConfigError(f"找不到 {SCRIPT}（本地 Neo4j 只能在源码仓库中管理）")
    try:
        proc = subprocess.run(["bash", str(SCRIPT), args.action], stdout=subprocess.PIPE, text=True)
    except OSError as exc:
        raise StoreError(f"无法运行 {SCRIPT.name}：{exc}") from None
    if proc.stdout:
        sys.stdout.write(shown_settings(proc.stdout, sys.stdout.isatty()))
    if args.action == "status":
        return 0 if proc.returncode == 0 else 3
    if proc.returncode != 0:
        raise StoreError(f"本地 Neo4j {args.action} 失败（退出码 {proc.returncode}），见上方信息")
    return 0
