"""``plangraph`` command line. Each subcommand module registers itself; errors become one Chinese line + exit code.

Exit codes: 0 success · 1 some input files failed · 2 a document could not be read (ParseError) ·
3 the store failed (StoreError) · 4 bad settings or arguments (ConfigError) · 5 not found: no plan, task or
goal matches what was typed (NotFoundError) · 130 interrupted.
"""
from __future__ import annotations

import argparse
import sys

from rich.console import Console
from ..errors import GraphBuilderError
from ..safeout import term_markup

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)

EXIT_CODES_ZH = ("退出码：0 成功；1 部分文件构建失败；2 文件无法解析；3 存储读写失败；4 配置或参数错误；"
                 "5 找不到（规划、任务或目标不在图中）；130 被中断")

_MODULES = ("graph_builder.cli.build_cmds", "graph_builder.cli.link_cmds", "graph_builder.cli.neo4j_cmds",
            "graph_builder.cli.people_cmds", "graph_builder.cli.similar_cmds", "graph_builder.cli.add_cmds")


def make_parser() -> argparse.ArgumentParser:
    import importlib

    parser = argparse.ArgumentParser(prog="plangraph", description="规划任务图谱：把五年规划抽取为可追溯的知识图谱",
                                     epilog=EXIT_CODES_ZH, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")
    for mod in _MODULES:
        importlib.import_module(mod).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        from ..pattern_files import validate_all

        validate_all()  # a malformed pattern file: one line naming file and key, exit code 4
        return int(args.func(args) or 0)
    except GraphBuilderError as exc:
        err_console.print(f"[bold red]错误[/]：{term_markup(str(exc))}", soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("已中断；已保存的图谱未被改动。")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
