"""PDF: the text layer read by character positions (pdfplumber); pages without one are OCR'd.

Ruled tables (pdfplumber's line-based table finder) come out as table rows and their characters are kept
out of the prose; the rest goes through :mod:`.layout` (wrapped lines joined, running headers dropped).
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ParseError
from .base import ReadContext, SourceDoc
from .layout import Page, PrintedLine, _join, assemble, cfg


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


def _page_lines(page) -> list[PrintedLine]:
    """Printed lines and ruled-table rows of one page, top to bottom."""
    out: list[PrintedLine] = []
    boxes = []
    for t in page.find_tables():
        rows = t.extract()
        if not rows or (len(rows) < 2 and max(len(r) for r in rows) < 2 and not t.cells):
            continue
        boxes.append(t.bbox)
        for r, cells in zip(t.rows, rows):
            kept = [_join([part.strip() for part in c.split("\n") if part.strip()]) if c else "" for c in cells if c is not None]
            if any(kept):
                x0, top, x1, bottom = r.bbox
                out.append(PrintedLine(" ".join(kept), x0, x1, top, bottom, kept))

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
