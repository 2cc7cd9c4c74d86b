"""Rebuild paragraphs from printed lines with positions (PDF text layer, OCR boxes, OFD text objects).

Why: a laid-out page wraps every paragraph at the page width and repeats headers, footers and page
numbers; read line by line, a wrapped line becomes a fake item and a split heading a broken title.
Rules (thresholds in ``patterns/ingest.toml``): a line that reaches the right margin continues on the next
line (also across a page break); an indented line, a line starting with a heading marker, or a wide
vertical gap starts a new paragraph; text in the top/bottom band repeated on most pages, and page numbers
there, are dropped; table rows (already split into cells) become ``cell | cell |`` lines.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import lru_cache

from ..pattern_files import pattern_file
from .base import SourceLine


@lru_cache(maxsize=1)
def cfg() -> dict:
    return pattern_file("ingest.toml")


@lru_cache(maxsize=1)
def _rx() -> tuple[re.Pattern, re.Pattern]:
    c = cfg()["layout"]
    return re.compile(c["heading_marker"]), re.compile(c["page_number"])


@dataclass(slots=True)
class PrintedLine:
    """One printed line (or table row when *cells* is set) with its box in page units, y growing downwards."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    cells: list[str] | None = None
    indented: bool = False  # a table row whose (single) cell starts with an indented paragraph


def cell_text(lines: list[tuple[float, str]], ch: float) -> tuple[str, bool]:
    """Printed lines of one table cell as (x0, text) → its text (paragraphs joined by a space) and whether it
    starts indented. Inside a cell, an indented line starts a new paragraph (items of a 专栏 box)."""
    if not lines:
        return "", False
    left = min(x for x, _ in lines)
    indent = cfg()["layout"]["indent_chars"] * ch
    paras: list[list[str]] = []
    for x, t in lines:
        if not paras or x > left + indent:
            paras.append([t])
        else:
            paras[-1].append(t)
    return " ".join(_join(p) for p in paras), lines[0][0] > left + indent


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[PrintedLine]


def drop_running_lines(pages: list[Page]) -> None:
    """Remove page numbers and headers/footers repeated on most pages (in place)."""
    c = cfg()["layout"]
    _, page_no = _rx()
    band = c["margin_band"]

    def in_band(p: Page, ln: PrintedLine) -> bool:
        return ln.bottom <= p.height * band or ln.top >= p.height * (1 - band)

    def key(ln: PrintedLine) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", ln.text))

    seen: dict[str, set[int]] = {}
    for p in pages:
        for ln in p.lines:
            if ln.cells is None and in_band(p, ln):
                seen.setdefault(key(ln), set()).add(p.number)
    repeated = {k for k, nums in seen.items() if len(nums) >= 2 and len(nums) >= c["repeat_share"] * len(pages)}
    for p in pages:
        p.lines = [ln for ln in p.lines
                   if ln.cells is not None or not in_band(p, ln) or not (page_no.match(ln.text) or key(ln) in repeated)]


def assemble(pages: list[Page]) -> list[SourceLine]:
    """Paragraphs (and table rows) in reading order; ``no`` is the ordinal of the paragraph's first printed line."""
    drop_running_lines(pages)
    c = cfg()["layout"]
    heading, _ = _rx()
    text_lines = [ln for p in pages for ln in p.lines if ln.cells is None and ln.text.strip()]
    if not text_lines:
        return [SourceLine(i, " | ".join(ln.cells) + " |", p.number)
                for i, (p, ln) in enumerate(((p, ln) for p in pages for ln in p.lines if ln.cells), 1)]
    ch = statistics.median(ln.bottom - ln.top for ln in text_lines) or 1.0
    xs0 = sorted(ln.x0 for ln in text_lines)
    left = xs0[len(xs0) // 10]
    right = _right_margin([ln.x1 for ln in text_lines], ch)
    pitches = [b.top - a.top for p in pages for a, b in zip(p.lines, p.lines[1:])
               if a.cells is None and b.cells is None and b.top > a.top]
    pitch = statistics.median(pitches) if pitches else ch * 1.5

    out: list[SourceLine] = []
    ordinal = 0
    cur: list[str] | None = None
    cur_start = (0, 0)
    prev: PrintedLine | None = None
    prev_page = 0

    def flush() -> None:
        nonlocal cur
        if cur:
            out.append(SourceLine(cur_start[0], _join(cur), cur_start[1]))
        cur = None

    last_table: tuple[int, PrintedLine] | None = None  # (page, row) when a table row was the last thing printed
    for p in pages:
        for i, ln in enumerate(p.lines):
            ordinal += 1
            if ln.cells is not None:
                flush()
                if (i == 0 and last_table and last_table[0] == p.number - 1 and len(ln.cells) == 1
                        and last_table[1].cells is not None and len(last_table[1].cells) == 1):
                    # a one-column box continued on the next page: one cell
                    joined = last_table[1].cells[0] + (" " if ln.indented else "") + ln.cells[0]
                    last_table[1].cells[0] = joined
                    out[-1] = SourceLine(out[-1].no, joined + " |", out[-1].page)
                    last_table = (p.number, last_table[1])
                    continue
                out.append(SourceLine(ordinal, " | ".join(ln.cells) + " |", p.number))
                last_table = (p.number, ln) if i == len(p.lines) - 1 else None
                prev = None
                continue
            last_table = None
            text = ln.text.strip()
            if not text:
                continue
            starts = (cur is None or prev is None
                      or prev.x1 < right - c["right_slack_chars"] * ch
                      or ln.x0 > left + c["indent_chars"] * ch
                      or bool(heading.match(text))
                      or (p.number == prev_page and ln.top - prev.top > c["paragraph_gap_lines"] * pitch))
            if starts:
                flush()
                cur, cur_start = [text], (ordinal, p.number)
            else:
                cur.append(text)  # type: ignore[union-attr]
            prev, prev_page = ln, p.number
    flush()
    return out


def _right_margin(xs1: list[float], ch: float) -> float:
    """Where full lines end: the most common line end (in half-character bins) among the longer half of lines.

    Robust to a few lines sticking out (a wide table, a page number at the right) and to OCR box jitter.
    """
    xs1 = sorted(xs1)
    upper = xs1[len(xs1) // 2:]
    bins: dict[int, list[float]] = {}
    for x in upper:
        bins.setdefault(int(x // (ch / 2)), []).append(x)
    best = max(bins.values(), key=lambda v: (len(v) + len(bins.get(int(v[0] // (ch / 2)) + 1, [])), v[0]))
    return max(best)


def _join(parts: list[str]) -> str:
    """Printed lines of one paragraph (or table cell) joined: no space between CJK, one between Latin words."""
    if not parts:
        return ""
    out = parts[0]
    for s in parts[1:]:
        out += (" " if out[-1:].isascii() and out[-1:].isalpha() and s[:1].isascii() and s[:1].isalpha() else "") + s
    return out
