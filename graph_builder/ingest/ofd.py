"""OFD (GB/T 33190, the e-government fixed-layout format): a zip of XML; the text layer is read here.

OFD.xml names the document root; Document.xml lists the pages; each page's Content.xml holds TextObjects
(Boundary x y w h in millimetres; TextCode X/Y inside it). Objects are placed by position, not file order,
and :mod:`.layout` rebuilds lines and paragraphs like for a PDF. Standard library + lxml only.
"""
from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from ..errors import ParseError
from .base import ReadContext, SourceDoc
from .layout import Page, PrintedLine, assemble


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el, name: str):
    return [c for c in el.iter() if isinstance(c.tag, str) and _local(c.tag) == name]


def read_ofd(path: Path, ctx: ReadContext) -> SourceDoc:
    from lxml import etree

    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ParseError("不是有效的 OFD 文件（不是 zip 包）", path=str(path)) from exc
    pages: list[Page] = []
    with z:
        names = set(z.namelist())
        try:
            root = etree.fromstring(z.read("OFD.xml"))
            doc_root = next((c.text.strip() for c in _children(root, "DocRoot") if c.text), None)
            if not doc_root or doc_root.lstrip("/") not in names:
                raise ParseError("OFD 缺少文档根（DocRoot）", path=str(path))
            doc_root = doc_root.lstrip("/")
            base = posixpath.dirname(doc_root)
            document = etree.fromstring(z.read(doc_root))
            box = next((c.text for c in _children(document, "PhysicalBox") if c.text), "0 0 210 297")
            width, height = (float(v) for v in box.split()[2:4])
            for n, page_el in enumerate(_children(document, "Page"), 1):
                loc = posixpath.normpath(posixpath.join(base, page_el.get("BaseLoc", "")))
                if loc not in names:
                    continue
                pages.append(Page(n, width, height, _page_lines(etree.fromstring(z.read(loc)))))
        except ParseError:
            raise
        except (KeyError, etree.XMLSyntaxError, ValueError) as exc:
            raise ParseError(f"OFD 结构无法解析：{exc}", path=str(path)) from exc
    lines = assemble(pages) if pages else []
    if not any(ln.text.strip() for ln in lines):
        raise ParseError("OFD 没有文字内容（空文档或只有图片）", path=str(path))
    return SourceDoc(path, lines, None, "ofd")


def _page_lines(content) -> list[PrintedLine]:
    """Text fragments placed by position, grouped into rows (y within half a character), left to right."""
    frags = []
    for obj in _children(content, "TextObject"):
        try:
            bx, by, bw, bh = (float(v) for v in obj.get("Boundary", "0 0 0 0").split())
        except ValueError:
            continue
        size = float(obj.get("Size", bh or 3.5) or 3.5)
        for code in _children(obj, "TextCode"):
            text = code.text or ""
            if not text.strip():
                continue
            x = bx + float(code.get("X", 0) or 0)
            y = by + float(code.get("Y", size) or size)  # baseline
            frags.append((y - size, y, x, x + max(bw - float(code.get("X", 0) or 0), size * len(text) * 0.5), text))
    frags.sort(key=lambda f: (f[1], f[2]))
    rows: list[list[tuple]] = []
    for f in frags:
        if rows and abs(rows[-1][0][1] - f[1]) < 0.5 * (f[1] - f[0]):
            rows[-1].append(f)
        else:
            rows.append([f])
    out = []
    for row in rows:
        row.sort(key=lambda f: f[2])
        out.append(PrintedLine("".join(f[4] for f in row), row[0][2], max(f[3] for f in row),
                               min(f[0] for f in row), max(f[1] for f in row)))
    return out
