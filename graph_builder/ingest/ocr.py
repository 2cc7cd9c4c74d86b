"""Offline OCR of scanned pages and images, with a cache by file hash.

The engine is RapidOCR (``rapidocr-onnxruntime``), whose wheel carries the PP-OCRv4 Chinese detection and
recognition models, so nothing is downloaded at run time. Boxes become printed lines (fragments on one row
joined; far-apart fragments are table cells) and :mod:`.layout` rebuilds the paragraphs. Results are cached
under the store by the file's SHA-256, so a rebuild does no OCR, while a changed file (new hash) is OCR'd again.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path

from ..errors import ParseError
from ..fileio import file_sha
from .base import ReadContext, SourceDoc
from .layout import Page, PrintedLine, assemble, cell_text, cfg

ENGINE = "rapidocr-onnxruntime/PP-OCRv4/2"  # part of the cache key: a new engine invalidates old results
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise ParseError("扫描件需要 OCR：请安装 rapidocr-onnxruntime（bash scripts/setup.sh 会安装）") from exc
    threads = max(1, min(4, os.cpu_count() or 1))
    return RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)


class OcrCache:
    """OCR results of one file: ``{page number: {"lines": [...], "confidence": c}}`` in ``<sha256>.json``."""

    def __init__(self, cache_dir: Path | None, path: Path):
        self.file = Path(cache_dir) / f"{file_sha(path)}.json" if cache_dir else None
        self.pages: dict[str, dict] = {}
        if self.file and self.file.exists():
            try:
                data = json.loads(self.file.read_text("utf-8"))
                if data.get("engine") == ENGINE:
                    self.pages = data.get("pages", {})
            except (OSError, ValueError):
                self.pages = {}  # a broken cache entry is recomputed

    def save(self) -> None:
        if not self.file:
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.file.parent, prefix=".ocr.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"engine": ENGINE, "pages": self.pages}, fh, ensure_ascii=False)
            os.replace(tmp, self.file)
        finally:
            Path(tmp).unlink(missing_ok=True)


def recognise(image) -> dict:
    """OCR one page image → raw result to cache: boxes (x0, x1, top, bottom, text, score), ruled grid, confidence."""
    import numpy as np

    arr = np.asarray(image.convert("RGB"))
    with _lock:  # the ONNX sessions are shared
        result, _ = _engine()(arr, use_cls=False)
    boxes = []
    for pts, text, score in result or []:
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        if text.strip():
            boxes.append([round(min(xs), 1), round(max(xs), 1), round(min(ys), 1), round(max(ys), 1), text.strip(),
                          round(float(score), 4)])
    conf = statistics.fmean(b[5] for b in boxes) if boxes else 0.0
    grid = ruled_grid(np.asarray(image.convert("L")) < 128)
    return {"boxes": boxes, "grid": [[ya, yb, xs] for ya, yb, xs in grid], "confidence": round(conf, 4)}


def page_lines(entry: dict, scale: float) -> list[PrintedLine]:
    """Printed lines of one OCR'd page (page units × *scale*): ruled-table rows, then the other boxes by row."""
    boxes = [tuple(b) for b in entry["boxes"]]
    rows, rest = table_rows([tuple(g) for g in entry["grid"]], boxes)
    lines = rows_to_lines(rest) + rows
    lines.sort(key=lambda ln: ln.top)
    return [_scaled(ln, scale) for ln in lines]


def _scaled(ln: PrintedLine, k: float) -> PrintedLine:
    return PrintedLine(ln.text, ln.x0 * k, ln.x1 * k, ln.top * k, ln.bottom * k, ln.cells)


def ruled_grid(dark) -> list[tuple[float, float, list[float]]]:
    """Rows of a ruled table in a page image: (top, bottom, x of the vertical rules) between horizontal rules.

    A horizontal rule is a pixel row with a dark run of ≥ 30 % of the page width; a vertical rule is a
    column dark over ≥ 90 % of the band between two horizontal rules.
    """
    import numpy as np

    h, w = dark.shape
    rule_rows = []
    for y in np.nonzero(dark.sum(axis=1) >= 0.3 * w)[0]:
        d = np.diff(np.concatenate(([0], dark[y].astype(np.int8), [0])))
        starts, ends = np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]
        if len(starts) and (ends - starts).max() >= 0.3 * w:
            rule_rows.append(int(y))
    ys: list[float] = []
    for group in _clusters(rule_rows, 3):
        ys.append(sum(group) / len(group))
    out = []
    for ya, yb in zip(ys, ys[1:]):
        a, b = int(ya) + 3, int(yb) - 2
        if b - a < 8:
            continue
        cols = np.nonzero(dark[a:b].mean(axis=0) >= 0.9)[0].tolist()
        xs = [sum(g) / len(g) for g in _clusters(cols, 3)]
        if len(xs) >= 2:
            out.append((ya, yb, xs))
    return out


def _clusters(values: list[int], gap: int) -> list[list[int]]:
    groups: list[list[int]] = []
    for v in values:
        if groups and v - groups[-1][-1] <= gap:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def table_rows(grid, boxes: list[tuple]) -> tuple[list[PrintedLine], list[tuple]]:
    """OCR boxes inside ruled cells → one table row per band (cells in order); the other boxes are returned."""
    if not grid:
        return [], boxes
    rest, rows = [], []
    filled: dict[int, list[list[tuple]]] = {i: [[] for _ in range(len(xs) - 1)] for i, (_, _, xs) in enumerate(grid)}
    for b in boxes:
        cx, cy = (b[0] + b[1]) / 2, (b[2] + b[3]) / 2
        for i, (ya, yb, xs) in enumerate(grid):
            if ya < cy < yb and xs[0] < cx < xs[-1]:
                col = max(k for k in range(len(xs) - 1) if xs[k] <= cx)
                filled[i][col].append(b)
                break
        else:
            rest.append(b)
    c = cfg()["ocr"]
    fixes = [(re.compile(k), v) for k, v in c["cell_fixes"].items()]
    for i, (ya, yb, xs) in enumerate(grid):
        texts = [_cell_text(c) for c in filled[i]]
        cells = [t for t, _ in texts]
        for rx, rep in fixes:
            cells = [rx.sub(rep, t) for t in cells]
        filled_at = [k for k, t in enumerate(cells) if t]
        if filled_at:
            cells = [c["empty_inner_cell"] if not t and filled_at[0] < k < filled_at[-1] and k > 0 else t
                     for k, t in enumerate(cells)]
        if any(cells):
            rows.append(PrintedLine(" ".join(c for c in cells if c), xs[0], xs[-1], ya, yb, cells, texts[0][1]))
    return rows, rest


def rows_to_lines(boxes: list[tuple]) -> list[PrintedLine]:
    """Group OCR boxes (x0, x1, top, bottom, text, score) into rows; far-apart fragments are table cells."""
    if not boxes:
        return []
    h = statistics.median(b[3] - b[2] for b in boxes) or 1.0
    gap = cfg()["layout"]["cell_gap_chars"] * h
    rows: list[list[tuple]] = []
    for b in sorted(boxes, key=lambda b: (b[2] + b[3]) / 2):
        mid = (b[2] + b[3]) / 2
        if rows and abs(mid - statistics.fmean((r[2] + r[3]) / 2 for r in rows[-1])) < 0.5 * h:
            rows[-1].append(b)
        else:
            rows.append([b])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b[0])
        cells = [[row[0]]]
        for b in row[1:]:
            if b[0] - cells[-1][-1][1] > gap:
                cells.append([b])
            else:
                cells[-1].append(b)
        texts = ["".join(b[4] for b in cell) for cell in cells]
        x0, x1 = row[0][0], max(b[1] for b in row)
        top, bottom = min(b[2] for b in row), max(b[3] for b in row)
        lines.append(PrintedLine("".join(texts), x0, x1, top, bottom, texts if len(texts) >= 3 else None))
    return lines


def _cell_text(boxes: list[tuple]) -> tuple[str, bool]:
    """Boxes of one ruled cell → its text: rows of boxes top to bottom, an indented row starting a paragraph."""
    if not boxes:
        return "", False
    lines = [(ln.x0, ln.text) for ln in rows_to_lines(boxes)]
    h = statistics.median(b[3] - b[2] for b in boxes)
    return cell_text(lines, h)


def ocr_pages(path: Path, ctx: ReadContext, numbers: list[int], render, scale: float
              ) -> tuple[dict[int, list[PrintedLine]], list[str], float, int]:
    """OCR the pages *numbers* (``render(n)`` → PIL image; boxes × *scale* → page units) through the cache.

    Returns ({page: lines}, warnings, seconds spent on OCR, pages recognised).
    """
    cache = OcrCache(ctx.cache_dir, path)
    low = cfg()["ocr"]["low_confidence"]
    out: dict[int, list[PrintedLine]] = {}
    warnings: list[str] = []
    spent = 0.0
    dirty = False
    for i, n in enumerate(numbers, 1):
        entry = cache.pages.get(str(n))
        if entry is None:
            t0 = time.perf_counter()
            entry = recognise(render(n))
            spent += time.perf_counter() - t0
            cache.pages[str(n)] = entry
            dirty = True
        out[n] = page_lines(entry, scale)
        if out[n] and entry["confidence"] < low:
            warnings.append(f"{path}: 第 {n} 页 OCR 置信度低（{entry['confidence']:.2f}），请核对该页")
        ctx.page_done(path.name, i, len(numbers), f"OCR 第 {n} 页")
    if dirty:
        cache.save()
    return out, warnings, spent, len(numbers)


def read_image(path: Path, ctx: ReadContext) -> SourceDoc:
    """A scanned page as an image file (.png/.jpg/.tif; a multi-page TIFF gives one page per frame)."""
    try:
        from PIL import Image, ImageSequence
        img = Image.open(path)
        frames = [f.copy() for f in ImageSequence.Iterator(img)]
    except Exception as exc:  # Pillow raises several types for broken images
        raise ParseError(f"无法打开图片：{exc}", path=str(path)) from exc
    lines, warnings, spent, n = ocr_pages(path, ctx, list(range(1, len(frames) + 1)), lambda k: frames[k - 1], 1.0)
    pages = [Page(k, *frames[k - 1].size, lines[k]) for k in range(1, n + 1)]
    src = assemble(pages)
    if not any(s.text.strip() for s in src):
        raise ParseError("扫描件中没有识别到文字（可能是照片或空白页）", path=str(path))
    return SourceDoc(path, src, None, "scan", warnings, ocr_pages=n, ocr_seconds=spent)
