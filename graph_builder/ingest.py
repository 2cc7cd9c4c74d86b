"""Ingest: the only code that reads plan documents. Produces the original lines with 1-based numbers (and pages).

Encodings are detected, not assumed: BOMs, strict UTF-8, UTF-16 without BOM, then GB18030 (a superset of
GBK/GB2312), with charset-normalizer as the last resort. Binary junk and PDFs without a text layer are
rejected with a :class:`ParseError` naming the file.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ParseError
from .sanitize import sanitize_doc

SUPPORTED = (".txt", ".docx", ".pdf")
TABLE_FORMATS = (".csv", ".xlsx")


@dataclass(frozen=True, slots=True)
class SourceLine:
    no: int  # 1-based line number in the original file (for .docx: paragraph/table-row ordinal)
    text: str
    page: int | None = None


@dataclass(slots=True)
class SourceDoc:
    path: Path
    lines: list[SourceLine]
    encoding: str | None = None
    kind: str = "txt"
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


def discover(paths: list[Path]) -> list[Path]:
    """Plan files under *paths* (files or directories), sorted for deterministic builds."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*")
                              if f.suffix.lower() in SUPPORTED + TABLE_FORMATS and not f.name.startswith(".")))
        elif p.exists():
            out.append(p)
        else:
            raise ParseError("文件或目录不存在", path=str(p))
    return out


def read_document(path: Path) -> SourceDoc:
    """Read one plan file into original lines. Raises ParseError for unreadable input."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            doc = _read_docx(path)
        elif suffix == ".pdf":
            doc = _read_pdf(path)
        else:
            doc = _read_text(path)
    except ParseError:
        raise
    except OSError as exc:
        raise ParseError(f"无法读取文件：{exc.strerror or exc}", path=str(path)) from exc
    return sanitize_doc(doc)  # zero-width, bidi, NUL and control characters: counted, then removed


# ------------------------------------------------------------------ text


def decode_bytes(data: bytes, path: Path) -> tuple[str, str]:
    """Decode *data*, detecting the encoding; returns (text, encoding)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    sample = data[:4096]
    # UTF-16 without BOM: every other byte is NUL for ASCII/CJK-heavy text
    if 0 in sample:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _looks_textual(text):
                return text, enc
        raise ParseError("不是文本文件（含二进制内容）", path=str(path))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _looks_textual(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and _looks_textual(str(best)):
        return str(best), best.encoding
    raise ParseError("无法识别文件编码，或不是文本文件", path=str(path))


def _looks_textual(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\t\r\n\f") or 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd")
    return bad / min(len(text), 20000) < 0.01


def _read_text(path: Path) -> SourceDoc:
    data = path.read_bytes()
    if not data.strip():
        raise ParseError("空文件", path=str(path))
    text, enc = decode_bytes(data, path)
    if not _looks_textual(text):
        raise ParseError("不是文本文件（含大量控制字符或乱码）", path=str(path))
    lines = [SourceLine(i, t) for i, t in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)]
    return SourceDoc(path, lines, enc, "txt")


# ------------------------------------------------------------------ docx


def _read_docx(path: Path) -> SourceDoc:
    """Paragraphs and tables in body order; a table row becomes one ``cell | cell |`` line."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise ParseError("读取 .docx 需要 python-docx", path=str(path)) from exc
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for broken files
        raise ParseError(f"无法打开 Word 文档：{exc}", path=str(path)) from exc
    texts: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            texts.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    t = " ".join(cell.text.split())
                    if not cells or cells[-1] != t:  # merged cells repeat
                        cells.append(t)
                texts.append(" | ".join(cells) + " |")
    if not any(t.strip() for t in texts):
        raise ParseError("Word 文档没有文字内容", path=str(path))
    return SourceDoc(path, [SourceLine(i, t) for i, t in enumerate(texts, 1)], None, "docx")


# ------------------------------------------------------------------ pdf


def _read_pdf(path: Path) -> SourceDoc:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover
        raise ParseError("读取 PDF 需要 pdfplumber", path=str(path)) from exc
    lines: list[SourceLine] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            for pno, page in enumerate(pdf.pages, 1):
                for t in (page.extract_text() or "").split("\n"):
                    lines.append(SourceLine(len(lines) + 1, t, pno))
                page.flush_cache()
    except Exception as exc:  # pdfminer raises many types for corrupt files
        raise ParseError(f"无法解析 PDF：{exc}", path=str(path)) from exc
    if not any(ln.text.strip() for ln in lines):
        raise ParseError("PDF 没有文本层（扫描件），需要先做 OCR 识别", path=str(path))
    return SourceDoc(path, lines, None, "pdf")


# ------------------------------------------------------------------ tables (division-of-labour documents)


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
            doc = _read_docx(path)
            return [(ln.no, [c.strip() for c in ln.text.rstrip(" |").split(" | ")]) for ln in doc.lines if ln.text.endswith("|")]
    except ParseError:
        raise
    except Exception as exc:  # openpyxl/csv raise many unrelated types for broken files
        raise ParseError(f"无法读取表格：{exc}", path=str(path)) from exc
    raise ParseError("不支持的表格格式", path=str(path))
