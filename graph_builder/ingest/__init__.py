"""Ingest: the only code that reads plan documents, whatever their format.

Every format has one reader (``read(path, ctx) -> SourceDoc``) registered by file suffix; each produces
the same thing — original paragraphs/lines numbered from 1, with the page where known — so outline and
extraction never know the format. Layout formats (PDF, scans, OFD) rebuild paragraphs from positions
(:mod:`.layout`); scans are OCR'd offline (:mod:`.ocr`) with a cache by file hash.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ParseError
from ..sanitize import sanitize_doc
from .base import ReadContext, SourceDoc, SourceLine
from .text import decode_bytes, read_text

__all__ = ["ReadContext", "SourceDoc", "SourceLine", "SUPPORTED", "TABLE_FORMATS", "decode_bytes", "discover",
           "discover_all", "read_document", "read_table_rows"]

IMAGE_FORMATS = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SUPPORTED = (".txt", ".docx", ".pdf", ".html", ".htm", ".doc", ".wps", ".ofd", *IMAGE_FORMATS)
TABLE_FORMATS = (".csv", ".xlsx")


def _reader(suffix: str):
    """The reader for a suffix (imported lazily: OCR and HTML libraries are heavy)."""
    if suffix == ".docx":
        from .docx import read_docx as r
    elif suffix == ".pdf":
        from .pdf import read_pdf as r
    elif suffix in (".html", ".htm"):
        from .html import read_html as r
    elif suffix in (".doc", ".wps"):
        from .office import read_office as r
    elif suffix == ".ofd":
        from .ofd import read_ofd as r
    elif suffix in IMAGE_FORMATS:
        from .ocr import read_image as r
    else:
        r = read_text
    return r


def discover_all(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(plan and table files, unsupported files) under *paths*, sorted for deterministic builds."""
    out: list[Path] = []
    skipped: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_dir() or f.name.startswith(".") or any(part.startswith(".") for part in f.relative_to(p).parts[:-1]):
                    continue
                (out if f.suffix.lower() in SUPPORTED + TABLE_FORMATS else skipped).append(f)
        elif p.exists():
            out.append(p)
        else:
            raise ParseError("文件或目录不存在", path=str(p))
    return out, skipped


def discover(paths: list[Path]) -> list[Path]:
    """Plan files under *paths* (files or directories), sorted for deterministic builds."""
    return discover_all(paths)[0]


def read_document(path: Path, ctx: ReadContext | None = None) -> SourceDoc:
    """Read one plan file into original lines. Raises ParseError (one clear line) for unreadable input."""
    path = Path(path)
    ctx = ctx or ReadContext()
    try:
        doc = _reader(path.suffix.lower())(path, ctx)
    except ParseError:
        raise
    except OSError as exc:
        raise ParseError(f"无法读取文件：{exc.strerror or exc}", path=str(path)) from exc
    return sanitize_doc(doc)  # zero-width, bidi, NUL and control characters: counted, then removed


def read_table_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Rows of the tables in a .csv/.xlsx/.docx file as (1-based row or line number, cells)."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            import csv
            import io

            text, _ = decode_bytes(path.read_bytes(), path)
            return [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text)), 1)]
        if suffix == ".xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
            rows = []
            for ws in wb.worksheets:
                for i, row in enumerate(ws.iter_rows(values_only=True), 1):
                    rows.append((i, ["" if v is None else str(v) for v in row]))
            wb.close()
            return rows
        if suffix == ".docx":
            from .docx import read_docx

            doc = read_docx(path, ReadContext())
            return [(ln.no, [c.strip() for c in ln.text.rstrip(" |").split(" | ")]) for ln in doc.lines if ln.text.endswith("|")]
    except ParseError:
        raise
    except Exception as exc:  # openpyxl/csv raise many unrelated types for broken files
        raise ParseError(f"无法读取表格：{exc}", path=str(path)) from exc
    raise ParseError("不支持的表格格式", path=str(path))
