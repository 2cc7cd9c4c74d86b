"""Normalisation: a separate layer over the original lines.

Produces :class:`Paragraph` records with two texts: ``display`` (as printed, cleaned of OCR spacing and
page numbers; the script is kept) and ``text`` (for matching: NFKC full/half width, traditional →
simplified via OpenCC). Paragraphs split by page breaks are rejoined, footnote lines are attached to
the paragraph above, and the table of contents is dropped. Every paragraph keeps its first original line.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from .ingest import SourceDoc, SourceLine
from .pattern_files import heading_styles, pattern_file
from .textnorm import simplified


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return pattern_file("normalize.toml")


@lru_cache(maxsize=1)
def _rx() -> dict[str, re.Pattern]:
    p = _cfg()["patterns"]
    out = {k: re.compile(v) for k, v in p.items() if isinstance(v, str)}
    out["footnotes"] = [re.compile(v) for v in p["footnotes"]]  # type: ignore[assignment]
    return out


_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_SPACE_CJK = re.compile(rf"(?<=[{_CJK}，。、；：？！“”（）《》【】])[ \u3000]+(?=[{_CJK}，。、；：？！“”（）《》【】\d])"
                        rf"|(?<=[{_CJK}\d%，。、；：（）])[ \u3000]+(?=[{_CJK}（）《》“])")
_SPACE_NUM = re.compile(r"(?<=\d)\s*([.．])\s+(?=\d)|(?<=\d)\s+(?=[.．]\d)")
_SPACE_NUM_UNIT = re.compile(rf"(?<=\d)[ \u3000]+(?=[{_CJK}%％])|(?<=[{_CJK}])[ \u3000]+(?=\d)")


def clean_display(s: str) -> str:
    """Remove OCR spacing and inline page numbers; keep the printed script.

    >>> clean_display("48. 9 万户，全省 市场 — 26 — 主体")
    '48.9万户，全省市场主体'
    """
    s = _rx()["inline_page_number"].sub("", s) if "—" in s or "–" in s else s
    s = _SPACE_NUM.sub(lambda m: m.group(1) or "", s)
    for _ in range(2):
        s = _SPACE_CJK.sub("", s)
    s = _SPACE_NUM_UNIT.sub("", s)
    for wrong, right in _cfg()["ocr_fixes"].items():
        s = s.replace(wrong, right)
    return s.strip()


def to_match(s: str) -> str:
    """Text for matching: NFKC (full/half width), traditional → simplified, no spaces.

    >>> to_match("浙江省市場監管“十四五”規劃 （一）")
    '浙江省市场监管"十四五"规划(一)'
    """
    s = simplified(s)
    s = s.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    return re.sub(r"\s+", "", s)


@dataclass(slots=True)
class Paragraph:
    line: int
    display: str  # as printed (script kept), cleaned
    text: str  # matching form: always ``to_match(display)``, computed once here; readers use it, never re-normalise
    page: int | None = None
    notes: list[str] = field(default_factory=list)
    table: bool = False  # a flattened table row/cell line
    lines: list[int] = field(default_factory=list)  # all original lines joined into it


def is_table_line(raw: str) -> bool:
    s = raw.strip()
    return s.endswith("|") or s.count("|") >= 2 or raw.count("\t") >= 2


def is_footnote(s: str) -> bool:
    return any(rx.search(s) for rx in _rx()["footnotes"])  # type: ignore[union-attr]


def toc_lines(lines: list[SourceLine]) -> set[int]:
    """Original line numbers of the table of contents (skipped: it repeats headings)."""
    rx = _rx()
    texts = [ln.text.strip() for ln in lines]
    start = next((i for i, t in enumerate(texts[:400]) if rx["toc_heading"].match(re.sub(r"\s+", "", t))), None)
    if start is None:
        return set()
    body = start + 1
    while body < len(texts):
        t = texts[body]
        if len(t) >= 60 and re.search("[，。,]", t) and not rx["toc_entry"].search(t) and t.count("\t") < 2:
            break
        body += 1
    later = {_heading_key(t) for t in texts[body:]}
    end = body - 1
    while end > start:
        t = texts[end]
        if t and (rx["toc_entry"].search(t) or _heading_key(t) in later):
            break
        end -= 1
    return {lines[i].no for i in range(start, end + 1)}


def _heading_key(t: str) -> str:
    t = re.sub(r"[\s.…·•\d]+$", "", t)
    return re.sub(r"[\s\t、.．。，,()（）:：…·•\-—]", "", t)


def paragraphs(doc: SourceDoc, on_line=None) -> list[Paragraph]:
    """Rejoin page-break splits, attach footnotes, drop the TOC and page numbers.

    *on_line(done, total)* is called every few thousand lines so a large file shows progress.
    """
    rx = _rx()
    total = len(doc.lines)
    toc = toc_lines(doc.lines)
    out: list[Paragraph] = []
    open_para: Paragraph | None = None  # last prose paragraph that may continue
    for i, ln in enumerate(doc.lines):
        if on_line is not None and i % 5000 == 0:
            on_line(i, total)
        raw = ln.text
        if ln.no in toc or not raw.strip() or rx["page_number_line"].match(raw):
            continue
        table = is_table_line(raw)
        display = clean_display(raw) if not table else raw.strip()
        if not display:
            continue
        if not table and is_footnote(display):
            target = open_para or (out[-1] if out else None)
            if target is not None:
                target.notes.append(display)
                continue
        text = to_match(display)  # the line's match form, computed once: block test and paragraph text
        new_block = _starts_new_block(text)
        if (open_para is not None and not table and not new_block
                and not rx["terminal"].search(open_para.display)):
            open_para.display += display  # its text is set once it is complete (below)
            open_para.lines.append(ln.no)
            if rx["terminal"].search(open_para.display):
                open_para = None
            continue
        para = Paragraph(ln.no, display, text, ln.page, table=table, lines=[ln.no])
        out.append(para)
        open_para = para if (not table and not rx["terminal"].search(display)
                             and (len(display) >= 40 or rx["continues"].search(display))
                             and not new_block) else None
    for para in out:  # a joined paragraph's match form is the joined display's (OpenCC converts phrases)
        if len(para.lines) > 1:
            para.text = to_match(para.display)
    if on_line is not None:
        on_line(total, total)
    return out


@lru_cache(maxsize=1)
def _new_block_rx() -> re.Pattern:
    return re.compile("|".join(f"(?:{p.regex.pattern})" for p in heading_styles()))


def _starts_new_block(text: str) -> bool:
    """Whether a line (its match form) opens a heading or list item, so it never continues a paragraph."""
    return bool(_new_block_rx().match(text))
