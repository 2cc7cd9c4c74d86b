"""PDF: the text layer read by character positions (pdfplumber); pages without one are OCR'd.

Ruled tables (pdfplumber's line-based table finder) come out as table rows and their characters are kept
out of the prose; the rest goes through :mod:`.layout` (wrapped lines joined, running headers dropped).
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ParseError
from .base import ReadContext, SourceDoc
from .layout import Page, PrintedLine, assemble, cell_text, cfg


def read_pdf(path: Path, ctx: ReadContext) -> SourceDoc:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise ParseError("读取 PDF 需要 pdfplumber", path=str(path)) from exc
    min_chars = cfg()["ocr"]["min_text_chars"]
    dpi = cfg()["ocr"]["dpi"]
    pages: list[Page] = []
    warnings: list[str] = []
    spent, ocr_count = 0.0, 0
    try:
        with pdfplumber.open(str(path)) as pdf:
            scans = []
            for pno, page in enumerate(pdf.pages, 1):
                if len(page.chars) < min_chars:
                    scans.append(pno)
                    pages.append(Page(pno, float(page.width), float(page.height), []))
                else:
                    pages.append(Page(pno, float(page.width), float(page.height), _page_lines(page)))
                page.flush_cache()
            if scans:
                from .ocr import ocr_pages

                found, warnings, spent, ocr_count = ocr_pages(
                    path, ctx, scans, lambda n: pdf.pages[n - 1].to_image(resolution=dpi).original, 72.0 / dpi)
                for n, lines in found.items():
                    pages[n - 1].lines = lines
    except ParseError:
        raise
    except Exception as exc:  # pdfminer raises many types for corrupt or encrypted files
        if re.search("password|encrypt", f"{type(exc).__name__} {exc!r}", re.I):
            raise ParseError("PDF 有密码保护，无法读取（请提供未加密的文件）", path=str(path)) from exc
        raise ParseError(f"无法解析 PDF（文件可能已损坏）：{type(exc).__name__} {exc}".strip(), path=str(path)) from exc
    lines = assemble(pages)
    if not any(ln.text.strip() for ln in lines):
        raise ParseError("PDF 没有文本层，OCR 也没有识别到文字（可能是照片或空白页）", path=str(path))
    return SourceDoc(path, lines, None, "pdf", warnings, ocr_pages=ocr_count, ocr_seconds=spent)


def _single_cells(page, taken: list) -> list[tuple[float, float, float, float]]:
    """Ruled one-cell frames (two verticals spanning the same height, closed by horizontals) outside found tables."""
    tol = 1.5
    hs = [e for e in page.edges if e["orientation"] == "h"]
    vs = sorted((e for e in page.edges if e["orientation"] == "v"), key=lambda e: e["x0"])
    out = []
    for i, a in enumerate(vs):
        for b in vs[i + 1:]:
            if abs(a["top"] - b["top"]) > tol or abs(a["bottom"] - b["bottom"]) > tol or b["x0"] - a["x0"] < 20:
                continue
            top, bottom = a["top"], a["bottom"]
            closed = all(any(abs(h["top"] - y) <= tol and h["x0"] <= a["x0"] + tol and h["x1"] >= b["x0"] - tol for h in hs)
                         for y in (top, bottom))
            inside = any(t[0] - tol <= a["x0"] and b["x0"] <= t[2] + tol and t[1] - tol <= top and bottom <= t[3] + tol
                         for t in taken)
            if closed and not inside:
                out.append((a["x0"], top, b["x0"], bottom))
                break
    return out


def _cell(page, bbox) -> tuple[str, bool]:
    """Text of one ruled cell: its printed lines, an indented line starting a new paragraph."""
    x0, top, x1, bottom = bbox
    lines = page.crop((x0 + 0.5, top + 0.5, x1 - 0.5, bottom - 0.5)).extract_text_lines(strip=True, return_chars=False)
    if not lines:
        return "", False
    ch = sorted(ln["bottom"] - ln["top"] for ln in lines)[len(lines) // 2]
    return cell_text([(ln["x0"], ln["text"]) for ln in lines], ch)


def _page_lines(page) -> list[PrintedLine]:
    """Printed lines and ruled-table rows of one page, top to bottom."""
    out: list[PrintedLine] = []
    boxes = []
    for t in page.find_tables():
        rows = t.extract()
        if not rows or (len(rows) < 2 and max(len(r) for r in rows) < 2 and not t.cells):
            continue
        boxes.append(t.bbox)
        for r in t.rows:
            kept, indented = [], False
            for k, bbox in enumerate(c for c in r.cells if c is not None):
                text, ind = _cell(page, bbox)
                kept.append(text)
                indented = indented or (k == 0 and ind)
            if any(kept):
                x0, top, x1, bottom = r.bbox
                out.append(PrintedLine(" ".join(kept), x0, x1, top, bottom, kept, indented))

    for bbox in _single_cells(page, boxes):  # pdfplumber's finder needs two cells; a 专栏 frame may have one
        text, ind = _cell(page, bbox)
        if text:
            boxes.append(bbox)
            out.append(PrintedLine(text, bbox[0], bbox[2], bbox[1], bbox[3], [text], ind))

    def outside(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

    body = page.filter(outside) if boxes else page
    for ln in body.extract_text_lines(strip=True, return_chars=False):
        out.append(PrintedLine(ln["text"], ln["x0"], ln["x1"], ln["top"], ln["bottom"]))
    out.sort(key=lambda ln: (round(ln.top, 1), ln.x0))
    return out
