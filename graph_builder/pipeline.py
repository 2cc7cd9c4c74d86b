"""Build: discover → ingest → extract (per file, failures isolated) → link → store (atomic)."""
from __future__ import annotations

import time
from pathlib import Path

from .errors import ConfigError, GraphBuilderError, ParseError, StoreError
from .extract_files import (BuildReport, FileResult, apply_divisions, check_found, extract_all, ocr_cache_dir,
                            unsupported_warnings)
from .ingest import SUPPORTED, discover_all
from .models import EXTRACTED_TYPES, PLAN, Graph
from .progress import Progress, ProgressEvent, null_progress
from .store import GraphStore, owner_plan

__all__ = ["build", "load_manifest", "extract_all", "BuildReport", "FileResult", "check_store_target"]


MANIFEST = Path("data/manifest.toml")


def load_manifest(path: Path | None = None) -> dict[str, dict]:
    """Optional per-file overrides: ``["anhui-province.txt"] title = "…"``; ``region``/``level`` set the
    plan's region and level (the override wins and is recorded on the Plan as ``region_source: manifest``)."""
    import tomllib

    path = path or (MANIFEST if MANIFEST.exists() else None)
    if path is None:
        return {}
    try:
        text = Path(path).read_text("utf-8")
        data = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: 清单无法读取：{exc}") from exc
    from .extract.plan_meta import check_override

    for name, entry in data.items():
        problem = check_override(entry) if isinstance(entry, dict) else "应为一个表（[\"文件名\"]）"
        if problem:
            lines = text.splitlines()
            head = next((i for i, ln in enumerate(lines) if name in ln), 0)
            key = "region" if "region “" in problem else "level"
            line = next((i + 1 for i in range(head, len(lines)) if lines[i].strip().startswith(key)), head + 1)
            raise ConfigError(f"{path}:{line}: [{name}] {problem}")
    return data


def build(paths: list[Path], store: GraphStore, progress: Progress = null_progress,
          overrides: dict[str, dict] | None = None, link: bool = True, decisions: Path | None = None,
          full: bool = False) -> BuildReport:
    """Build the graph from *paths* and replace the stored graph atomically.

    A file that fails keeps its previously stored plan (if any), so nothing already built is lost.
    Review decisions (default ``data/review.csv``) are re-applied by the link stage.
    On an embedded store built before by the same code, only changed files are re-extracted and only
    plans whose chain changed are relinked (``graph_builder.incremental``); *full* forces a clean build.
    """
    check_store_target(store)  # before any work: a --store that is a file fails now, not after linking
    from .nlp import forget_parsed

    forget_parsed()
    from . import incremental as inc
    from .review import DEFAULT_DECISIONS

    files, skipped = discover_all([Path(p) for p in paths])
    check_found(paths, files, skipped)
    fp = inc.fingerprint(overrides, decisions or DEFAULT_DECISIONS, link, files)
    idx = inc.BuildIndex.load(inc.store_directory(store)) if inc.store_directory(store) and store.exists() else None
    if not full and idx is not None and idx.fingerprint == fp:
        report = inc.build_incremental(files, store, idx, progress=progress, overrides=overrides, link=link,
                                       decisions=decisions, fp=fp)
        report.warnings[:0] = unsupported_warnings(skipped)
        return report
    extractions, report = extract_all(files, progress, overrides=overrides, cache_dir=ocr_cache_dir(store))
    report.warnings[:0] = unsupported_warnings(skipped)
    graph = Graph()
    for ex in extractions:
        graph.merge(ex.graph)
    del extractions  # the merged graph holds the same nodes; the per-plan graphs are no longer needed
    try:
        previous = store.load()
    except GraphBuilderError:
        previous = Graph()
    for fr in report.failed:
        name = Path(fr.path).name
        kept = [n for n in previous.nodes.values() if n.label == PLAN and n.props.get("source") == name]
        for plan in kept:
            fr.kept_previous = True
            for n in previous.nodes.values():
                if owner_plan(n) == plan.id or (n.label in ("Agency", "Region") and n.id not in graph.nodes):
                    graph.add_node(n)
    if any(fr.kept_previous for fr in report.failed):
        for e in previous.edges:
            if e.source in graph.nodes and e.target in graph.nodes and e.type in EXTRACTED_TYPES:
                graph.add_edge(e)
    if not any(n.label == "Plan" for n in graph.nodes.values()):
        where = "、".join(str(p) for p in paths)
        if not report.files:
            raise ParseError("没有找到规划文件（支持 " + " ".join(SUPPORTED) + "）", path=where)
        raise ParseError(f"{len(report.failed)} 个文件全部失败，没有可构建的规划；首个错误：{report.failed[0].error}",
                         path=where)
    from .responsibility import assign_responsibility

    t0 = time.perf_counter()
    assign_responsibility(graph)
    apply_divisions(graph, report)
    report.timings["responsibility"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if link:
        progress(ProgressEvent("link", "全部规划", 0, 1, "关联"))
        seconds = _link(graph, progress, decisions).seconds
        report.timings.update({f"link_{k}": v for k, v in seconds.items() if k != "total"})  # per step, for the benchmark
        progress(ProgressEvent("link", "全部规划", 1, 1, "完成"))
    report.timings["link"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    progress(ProgressEvent("store", "图谱", 0, 1, "写入"))
    store.replace_all(graph)
    inc.record_full_build(store, files, report.files, fp, link, graph)
    if not any(fr.kept_previous for fr in report.failed):  # else the vocabulary lacks the kept plans
        inc.save_vocab(store, report.vocab)
    progress(ProgressEvent("store", "图谱", 1, 1, "完成"))
    report.timings["store"] = time.perf_counter() - t0
    return report


def check_store_target(store: GraphStore) -> None:
    """Refuse an embedded store path that exists and is not a directory (checked before extraction)."""
    directory = getattr(store, "directory", None)
    if directory is not None and Path(directory).exists() and not Path(directory).is_dir():
        raise StoreError(f"{directory}: 不是目录；--store 需要一个目录（不存在时会自动创建）")


def _link(graph: Graph, progress: Progress, decisions: Path | None):
    from .link import link_graph
    from .review import DEFAULT_DECISIONS

    return link_graph(graph, decisions_path=decisions or DEFAULT_DECISIONS, progress=progress)
