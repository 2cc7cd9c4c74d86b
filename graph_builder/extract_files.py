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
from .limits import check_extraction, check_file
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


def extract_all(paths: list[Path], progress: Progress = null_progress, report: BuildReport | None = None,
                overrides: dict[str, dict] | None = None, cache_dir: Path | None = None,
                repair: bool = True) -> tuple[list[PlanExtraction], BuildReport]:
    """Read and extract every plan file; *cache_dir* keeps OCR results by file hash (a rebuild does no OCR).

    *repair*: repair OCR damage against the extracted plans; the incremental build repairs the merged graph instead.
    """
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
        if is_division(f):
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
    if out and repair:
        from .repair import repair_graphs

        report.warnings.extend(repair_graphs(out))
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
