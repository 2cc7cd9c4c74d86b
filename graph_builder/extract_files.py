"""Extract a set of files: discover → ingest → extract, one file at a time, failures isolated per file.

Shared by the full build (``pipeline``) and the incremental build (``incremental``), so neither imports the other's
internals and the two cannot form an import cycle.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ParseError
from .extract import PlanExtraction, extract_plan
from .ingest import SUPPORTED, ReadContext, discover_all, read_document
from .limits import check_extraction, check_file, limits
from .models import PLAN, Graph, is_loaded
from .progress import Progress, ProgressEvent, null_progress
from .store import owner_plan


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
    vocab: list = field(default_factory=list, repr=False, compare=False)  # the repair vocabulary, for the store

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]


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


@dataclass(slots=True)
class _FileOutcome:
    """One file read and extracted (in a worker process or in-process); pickled back from workers."""

    ex: PlanExtraction | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    ocr_pages: int = 0
    ocr_seconds: float = 0.0
    t_ingest: float = 0.0
    t_extract: float = 0.0


def _extract_file(f: Path, override: dict | None, ctx: ReadContext, on_line=None) -> _FileOutcome:
    """Read and extract one file; every failure becomes the outcome's error line (never raised)."""
    out = _FileOutcome()
    try:
        t0 = time.perf_counter()
        check_file(f)
        doc = read_document(f, ctx)
        t1 = time.perf_counter()
        out.ocr_pages, out.ocr_seconds = doc.ocr_pages, doc.ocr_seconds
        ex = extract_plan(doc, override, on_line=on_line)
        check_extraction(f, ex)
        out.warnings = list(doc.warnings)
        out.t_ingest, out.t_extract = t1 - t0, time.perf_counter() - t1
        out.ex = ex
    except ParseError as exc:
        out.error = str(exc)
    except Exception as exc:  # a bug on one file must not stop the others; reported with the file name
        out.error = f"{f}: 内部错误 {type(exc).__name__}: {exc}"
    return out


# What worker processes need, set before the pool forks (so nothing unpicklable crosses the pipe).
_WORKER: dict = {}


def _worker_extract(f: Path) -> _FileOutcome:
    return _extract_file(f, _WORKER["overrides"].get(f.name), ReadContext(_WORKER["cache_dir"]))


def _in_process(f: Path) -> bool:
    """Scans and PDFs stay in the main process: their per-page OCR progress reaches the user from there."""
    from .ingest import IMAGE_FORMATS

    return f.suffix.lower() in (".pdf", *IMAGE_FORMATS)


def _pool(n: int):
    """A fork-based process pool (workers share the loaded spaCy/jieba pages), or None where fork is missing."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    from .nlp import get_nlp

    get_nlp()  # load jieba's dictionary once, before forking
    return ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"))


def extract_all(paths: list[Path], progress: Progress = null_progress, report: BuildReport | None = None,
                overrides: dict[str, dict] | None = None, cache_dir: Path | None = None,
                repair: bool = True, workers: int | None = None) -> tuple[list[PlanExtraction], BuildReport]:
    """Read and extract every plan file; *cache_dir* keeps OCR results by file hash (a rebuild does no OCR).

    With many files (``parallel_min_files`` in patterns/limits.toml) and more than one *worker*
    (default: PLANGRAPH_WORKERS or the core count), text formats are extracted in worker processes; results
    are taken in file order, so the outcome is the same as in-process. A worker that dies (e.g. killed for
    memory) only sends its files back to the main process.
    *repair*: repair OCR damage against the extracted plans; the incremental build repairs the merged graph instead.
    """
    from concurrent.futures.process import BrokenProcessPool

    from .settings import build_workers

    report = report or BuildReport()
    files, skipped = discover_all([Path(p) for p in paths])
    report.warnings.extend(unsupported_warnings(skipped))
    check_found(paths, files, skipped)
    ctx = ReadContext(cache_dir, lambda name, done, total, msg: progress(ProgressEvent("ocr", name, done, total, msg)))
    overrides = overrides or {}
    out: list[PlanExtraction] = []
    by_key: dict[str, str] = {}
    t_ingest = t_extract = 0.0
    t_wall = time.perf_counter()
    divisions: list[Path] = []
    n_workers = build_workers() if workers is None else workers
    remote = [f for f in files if not is_division(f) and not _in_process(f)]
    pool = None
    futures: dict[Path, object] = {}
    if n_workers > 1 and len(remote) >= limits().parallel_min_files:
        _WORKER.update(overrides=overrides, cache_dir=cache_dir)
        pool = _pool(min(n_workers, len(remote)))
        if pool is not None:
            futures = {f: pool.submit(_worker_extract, f) for f in remote}  # all submitted before any OCR here
            report.timings["workers"] = min(n_workers, len(remote))
    try:
        for i, f in enumerate(files):
            if is_division(f):
                divisions.append(f)
                continue
            fr = FileResult(str(f))
            report.files.append(fr)
            progress(ProgressEvent("extract", f.name, i, len(files), "读取"))
            res = None
            if f in futures:
                try:
                    res = futures.pop(f).result()
                except BrokenProcessPool:
                    res = None  # the worker died: extract this file here
            if res is None:
                res = _extract_file(f, overrides.get(f.name), ctx,
                                    on_line=lambda done, total, name=f.name: progress(ProgressEvent("read", name, done, total, "行")))
            if res.ocr_pages:
                report.timings["ocr"] = report.timings.get("ocr", 0.0) + res.ocr_seconds
                report.timings["ocr_pages"] = report.timings.get("ocr_pages", 0) + res.ocr_pages
            if res.error:
                fr.error = res.error
                continue
            ex = res.ex
            report.warnings.extend(res.warnings)
            t_ingest += res.t_ingest
            t_extract += res.t_extract
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
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
            _WORKER.clear()
    report.timings["extract_wall"] = time.perf_counter() - t_wall
    if out and repair:
        from .repair import repair_graphs

        t0 = time.perf_counter()
        report.warnings.extend(repair_graphs(out, keep=report.vocab))
        report.timings["repair"] = time.perf_counter() - t0
    report.divisions = divisions
    report.timings["ingest"] = t_ingest
    report.timings["extract"] = t_extract
    return out, report


def is_division(f: Path) -> bool:
    """A division-of-labour table: a .csv/.xlsx file, or a .docx named like 分工方案."""
    return f.suffix.lower() in (".csv", ".xlsx") or (f.suffix.lower() == ".docx" and "分工" in f.stem)


def apply_divisions(graph: Graph, report: BuildReport) -> None:
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
