"""``plangraph add FILE``: add (or update) one plan in an already built graph without rebuilding the rest."""
from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError


def register(sub) -> None:
    p = sub.add_parser("add", help="向已构建的图谱加入一份规划（只抽取并关联这一份及受影响的规划）")
    p.add_argument("files", nargs="+", type=Path, help="规划文件")
    p.add_argument("--store", type=Path, default=None, help="图谱存储目录（默认 .plangraph/store）")
    p.add_argument("--manifest", type=Path, default=None, help="可选清单，覆盖抽取到的规划信息")
    p.set_defaults(func=cmd_add)


def cmd_add(args) -> int:
    from .. import incremental as inc
    from ..pipeline import load_manifest
    from ..review import DEFAULT_DECISIONS
    from ..store import open_store
    from . import console

    store = open_store(args.store)
    for f in args.files:
        if not f.is_file():
            raise ConfigError(f"{f}: 文件不存在")
    idx = inc.BuildIndex.load(store.directory) if store.exists() else None
    if idx is None:
        raise ConfigError(f"图谱存储 {store.directory} 还没有构建记录，请先运行 plangraph build")
    overrides = load_manifest(args.manifest)
    files = [Path(k) for k in idx.files] + [f for f in args.files if inc.key(f) not in idx.files]
    fp = inc.fingerprint(overrides, DEFAULT_DECISIONS, idx.linked, files)
    if idx.fingerprint != fp:
        raise ConfigError(f"图谱存储 {store.directory} 由不同版本的程序或配置构建，请先运行 plangraph build 完整更新")
    added = {inc.key(f) for f in args.files}
    for k in added & set(idx.files):  # an added file already known: rehash it (it may have changed)
        idx.files[k] = {**idx.files[k], "sha": ""}
    report = inc.build_incremental(files, store, idx, progress=lambda ev: None, overrides=overrides,
                                   link=idx.linked, decisions=None, fp=fp, trust_unchanged=True)
    for f in report.files:
        if f.error:
            console.print(f"[red]失败[/] {f.error}")
        elif f.duplicate_of:
            console.print(f"[yellow]重复[/] {f.path} 与 {f.duplicate_of} 是同一份规划")
        else:
            c = f.counts
            console.print(f"[green]已加入[/] {f.title}（{Path(f.path).name}）：章节 {c.get('Section', 0)}，"
                          f"任务 {c.get('Task', 0)}，项目 {c.get('Project', 0)}，指标 {c.get('Indicator', 0)}")
    for w in report.warnings:
        console.print(f"[yellow]提示[/] {w}")
    console.print("用时：" + "，".join(f"{k} {v:.1f} s" for k, v in report.timings.items()))
    return 1 if report.failed else 0
