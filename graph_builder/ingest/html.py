"""Web pages saved from a government portal: the article body only, plus the page's publication metadata.

trafilatura (maintained, offline) finds the article and drops navigation, breadcrumb, share bar, related
links and footer; its XML output keeps paragraphs, headings and tables (a row becomes ``cell | cell |``).
发布机构/发布日期/索引号/文号 around the article go to ``SourceDoc.meta`` for the plan's issuer and date.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ParseError
from .base import ReadContext, SourceDoc, SourceLine
from .layout import cfg
from .text import decode_bytes


def read_html(path: Path, ctx: ReadContext) -> SourceDoc:
    try:
        import trafilatura
        from lxml import etree
        from lxml import html as lhtml
    except ImportError as exc:  # pragma: no cover - dependency is declared
        raise ParseError("读取网页需要 trafilatura", path=str(path)) from exc
    data = path.read_bytes()
    if not data.strip():
        raise ParseError("空文件", path=str(path))
    m = re.search(rb'<meta[^>]+charset=["\']?([\w-]+)', data[:4096], re.I)
    try:
        text = data.decode(m.group(1).decode()) if m else decode_bytes(data, path)[0]
    except (LookupError, UnicodeDecodeError):
        text = decode_bytes(data, path)[0]
    xml = trafilatura.extract(text, output_format="xml", include_tables=True, include_formatting=True,
                              include_comments=False, include_links=False, favor_recall=True, deduplicate=False)
    lines: list[str] = []
    if xml:
        root = etree.fromstring(xml.encode("utf-8"))
        body = root.find(".//main") if root.find(".//main") is not None else root
        for el in body.iter("p", "head", "item", "row", "quote"):
            if el.tag == "row":
                cells = [" ".join("".join(c.itertext()).split()) for c in el.iter("cell")]
                if any(cells):
                    lines.append(" | ".join(cells) + " |")
            elif el.getparent() is not None and el.getparent().tag == "cell":
                continue
            else:
                t = "".join(el.itertext()).strip().strip("\u3000").strip()
                if t:
                    lines.append(t)
    if sum(len(t) for t in lines) < cfg()["html"]["min_article_chars"]:
        raise ParseError("网页中没有找到正文（可能只有导航或链接）", path=str(path))
    try:
        page = lhtml.fromstring(text)
    except (etree.ParserError, ValueError):
        page = None
    return SourceDoc(path, [SourceLine(i, t) for i, t in enumerate(lines, 1)], None, "html", meta=portal_meta(page))


def portal_meta(page) -> dict[str, str]:
    """发布机构 → issuer, 发布日期 → date (YYYY-MM-DD), 索引号 → index_no, 文号 → doc_no, from labels or <meta> tags."""
    if page is None:
        return {}
    c = cfg()["html"]
    for bad in page.xpath("//script|//style"):
        bad.drop_tree()
    flat = " ".join(" ".join(page.itertext()).split())
    out: dict[str, str] = {}
    if m := re.search(c["issuer"], flat):
        out["issuer"] = m.group(1)
    if m := re.search(c["date"], flat):
        out["date"] = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    if m := re.search(c["index_no"], flat):
        out["index_no"] = m.group(1)
    if m := re.search(c["doc_no"], flat):
        out["doc_no"] = m.group(1)
    metas = {el.get("name"): el.get("content") or "" for el in page.xpath("//meta[@name]")}
    for name in c["meta_issuer"]:
        if "issuer" not in out and metas.get(name, "").strip():
            out["issuer"] = metas[name].strip()
    for name in c["meta_date"]:
        if "date" not in out and (m := re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", metas.get(name, "").strip())):
            out["date"] = f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return out
