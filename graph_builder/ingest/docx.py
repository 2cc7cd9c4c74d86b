"""Word .docx: paragraphs and tables in body order; a table row becomes one ``cell | cell |`` line."""
from __future__ import annotations

from pathlib import Path

from ..errors import ParseError
from .base import ReadContext, SourceDoc, SourceLine


def read_docx(path: Path, ctx: ReadContext | None = None, kind: str = "docx") -> SourceDoc:
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
    return SourceDoc(path, [SourceLine(i, t) for i, t in enumerate(texts, 1)], None, kind)
