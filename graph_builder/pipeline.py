"""Build: discover → ingest → extract (per file, failures isolated) → link → store (atomic)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, GraphBuilderError, ParseError, StoreError
from .extract import PlanExtraction, extract_plan
from .ingest import SUPPORTED, ReadContext, discover_all, read_document
from .limits import check_extraction, check_file
from .models import EXTRACTED_TYPES, PLAN, Graph, is_loaded
from .progress import Progress, ProgressEvent, null_progress
from .store import GraphStore, owner_plan


@dataclass(slots=True)
class FileResult:
    path: str
    plan_id: str | None = None
    title: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    duplicate_of: str | None = None
    kept_previous: bool = False


@dataclass(slots=True)
class BuildReport:
    files: list[FileResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    divisions: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]


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


def unsupported_warnings(skipped: list[Path]) -> list[str]:
    return [f"{f}: 不支持的文件格式（{f.suffix or '无扩展名'}），已跳过" for f in skipped]


def check_found(paths: list[Path], files: list[Path], skipped: list[Path]) -> None:
    """Paths were given but hold no readable plan file: one clear line (empty folder, or only unsupported files)."""
    if paths and not files:
        where = "、".join(str(p) for p in paths)
        raise ParseError(f"{where}: 没有找到规划文件" + (f"（{len(skipped)} 个文件格式不受支持）" if skipped else "（目录为空）")
                         + "；支持的格式：" + " ".join(SUPPORTED))


def ocr_cache_dir(store) -> Path:
    """OCR results are cached under the store (by file hash), so a rebuild does no OCR."""
    cache = getattr(store, "directory", None)
    return Path(cache) / "ocr-cache" if cache else Path(".plangraph") / "ocr-cache"


def extract_all(paths: list[Path], progress: Progress = null_progress, report: BuildReport | None = None,
                overrides: dict[str, dict] | None = None, cache_dir: Path | None = None) -> tuple[list[PlanExtraction], BuildReport]:
    """Read and extract every plan file; *cache_dir* keeps OCR results by file hash (a rebuild does no OCR)."""
    report = report or BuildReport()
    files, skipped = discover_all([Path(p) for p in paths])
    report.warnings.extend(unsupported_warnings(skipped))
    check_found(paths, files, skipped)
    ctx = ReadContext(cache_dir, lambda name, done, total, msg: progress(ProgressEvent("ocr", name, done, total, msg)))
    out: list[PlanExtraction] = []
    by_key: dict[str, str] = {}
    t_ingest = t_extract = 0.0
    divisions: list[Path] = []
    for i, f in enumerate(files):
        if _is_division(f):
            divisions.append(f)
            continue
        fr = FileResult(str(f))
        report.files.append(fr)
        progress(ProgressEvent("extract", f.name, i, len(files), "读取"))
        try:
            t0 = time.perf_counter()
            check_file(f)
            doc = read_document(f, ctx)
            t1 = time.perf_counter()
            if doc.ocr_pages:
                report.timings["ocr"] = report.timings.get("ocr", 0.0) + doc.ocr_seconds
                report.timings["ocr_pages"] = report.timings.get("ocr_pages", 0) + doc.ocr_pages
            ex = extract_plan(doc, (overrides or {}).get(f.name),
                              on_line=lambda done, total, name=f.name: progress(ProgressEvent("read", name, done, total, "行")))
            check_extraction(f, ex)
            report.warnings.extend(doc.warnings)
            t_ingest += t1 - t0
            t_extract += time.perf_counter() - t1
        except ParseError as exc:
            fr.error = str(exc)
            continue
        except Exception as exc:  # a bug on one file must not stop the others; reported with the file name
            fr.error = f"{f}: 内部错误 {type(exc).__name__}: {exc}"
            continue
        fr.plan_id, fr.title = ex.plan.id, ex.plan.title
        if ex.key in by_key:
            fr.duplicate_of = by_key[ex.key]
            report.warnings.append(f"{f}: 与 {by_key[ex.key]} 是同一份规划，只保留一份")
            continue
        by_key[ex.key] = str(f)
        labels: dict[str, int] = {}
        for n in ex.graph.nodes.values():
            if owner_plan(n) == ex.plan.id:
                labels[n.label] = labels.get(n.label, 0) + 1
        fr.counts = labels
        report.warnings.extend(str(w) for w in ex.warnings)
        out.append(ex)
        progress(ProgressEvent("extract", f.name, i + 1, len(files), "完成"))
    if out:
        from .repair import repair_graphs

        report.warnings.extend(repair_graphs(out))
    report.divisions = divisions
    report.timings["ingest"] = t_ingest
    report.timings["extract"] = t_extract
    return out, report


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
    _apply_divisions(graph, report)
    report.timings["responsibility"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if link:
        progress(ProgressEvent("link", "全部规划", 0, 1, "关联"))
        _link(graph, progress, decisions)
        progress(ProgressEvent("link", "全部规划", 1, 1, "完成"))
    report.timings["link"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    progress(ProgressEvent("store", "图谱", 0, 1, "写入"))
    store.replace_all(graph)
    inc.record_full_build(store, files, report.files, fp, link)
    progress(ProgressEvent("store", "图谱", 1, 1, "完成"))
    report.timings["store"] = time.perf_counter() - t0
    return report


def check_store_target(store: GraphStore) -> None:
    """Refuse an embedded store path that exists and is not a directory (checked before extraction)."""
    directory = getattr(store, "directory", None)
    if directory is not None and Path(directory).exists() and not Path(directory).is_dir():
        raise StoreError(f"{directory}: 不是目录；--store 需要一个目录（不存在时会自动创建）")


def _link(graph: Graph, progress: Progress, decisions: Path | None) -> None:
    from .link import link_graph
    from .review import DEFAULT_DECISIONS

    link_graph(graph, decisions_path=decisions or DEFAULT_DECISIONS, progress=progress)


def _is_division(f: Path) -> bool:
    """A division-of-labour table: a .csv/.xlsx file, or a .docx named like 分工方案."""
    return f.suffix.lower() in (".csv", ".xlsx") or (f.suffix.lower() == ".docx" and "分工" in f.stem)


def _apply_divisions(graph: Graph, report: BuildReport) -> None:
    """Match each division-of-labour table to the loaded plan of the region its name or title names."""
    from .division import apply_division, parse_rows
    from .ingest import read_table_rows
    from .normalize import to_match

    plans = [n for n in graph.by_label(PLAN) if is_loaded(n)]
    for f in report.divisions:
        fr = FileResult(str(f))
        report.files.append(fr)
        try:
            rows = read_table_rows(f)
        except ParseError as exc:
            fr.error = str(exc)
            continue
        name = to_match(f.stem + " ".join(" ".join(c) for _, c in rows[:2]))
        plan = next((p for p in plans if p.props.get("region") and to_match(p.props["region"]) in name), None)
        plan = plan or next((p for p in plans if p.props.get("region") and to_match(p.props["region"])[:2] in name), None)
        parsed = parse_rows(rows)
        if plan is None or not parsed:
            fr.error = f"{f}: 无法确定分工方案对应的规划（文件名或标题需含地区名）" if parsed else f"{f}: 没有找到“任务/牵头单位”表头"
            continue
        fr.plan_id, fr.title = plan.id, f"分工方案 → {plan.props.get('title')}"
        fr.counts = {"责任": len(parsed)}
        report.warnings.extend(apply_division(graph, plan, parsed, f.name))
