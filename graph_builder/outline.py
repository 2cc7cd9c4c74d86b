"""Outline: turn paragraphs into a heading tree with items, boxes (专栏) and body text.

Heading styles live in ``patterns/headings.toml``. Nesting follows order of appearance: a style seen
again closes everything opened below it, which copes with numbering that differs between documents
and within one. A numbered line with a body after its first sentence is an *item* (a task), a
numbered line without body is a *heading*; a plain paragraph that opens with a short title sentence
is a *lead-sentence item*.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import mean

from .normalize import Paragraph, to_match
from .pattern_files import HeadingStyle, heading_styles, pattern_file


def _cfg() -> dict:
    return pattern_file("headings.toml")


heading_patterns = heading_styles  # the styles live with their loader (pattern_files), shared with normalize


@dataclass(slots=True)
class OutlineNode:
    kind: str  # root | heading | item | box
    title: str  # as printed, numbering removed
    heading: str  # the printed heading line (numbering kept), for paths
    line: int
    page: int | None = None
    style: str | None = None  # heading style or "lead" / "box_item"
    text: str = ""  # item body (after the title sentence)
    body: list[Paragraph] = field(default_factory=list)  # plain paragraphs directly inside
    children: list["OutlineNode"] = field(default_factory=list)
    section_kind: str = "task"  # task | context | goals | safeguard
    notes: list[str] = field(default_factory=list)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    @property
    def headings(self) -> list["OutlineNode"]:
        return [c for c in self.children if c.kind == "heading"]

    @property
    def items(self) -> list["OutlineNode"]:
        return [c for c in self.children if c.kind == "item"]


def match_style(display: str) -> tuple[HeadingStyle, int] | None:
    """The heading style a paragraph opens with and the length of its marker in *display*."""
    nfkc = unicodedata.normalize("NFKC", display)
    for st in heading_patterns():
        m = st.regex.match(nfkc)
        if m:
            return st, m.end()
    return None


_TRAIL = re.compile(r"[\s。．.|]+$")
_NOTE_REF = re.compile(r"[（(]注\d*[）)]|[①②③④⑤⑥⑦⑧⑨⑩]")


def clean_title(s: str) -> str:
    """Title as printed, without footnote marks and trailing punctuation.

    >>> clean_title("实施“464”服务高质量发展行动(注2)。")
    '实施“464”服务高质量发展行动'
    """
    return _TRAIL.sub("", _NOTE_REF.sub("", s)).strip()


def split_title(s: str) -> tuple[str, str]:
    """Split 'title。body' at the first full stop; no full stop → (s, '')."""
    m = re.search(r"[。！？]", s)
    if not m:
        return s.strip(), ""
    return s[: m.start()].strip(), s[m.end():].strip()


def short_title(s: str) -> tuple[str, str]:
    """Title of an item: its first sentence when short, else its first clause.

    >>> short_title("优化专利预审协作平台功能及网络,拓展重点产业专利预审服务。")[0]
    '优化专利预审协作平台功能及网络'
    """
    title, body = split_title(s)
    if len(title) <= 30 and not re.search("[，,；;]", title):
        return clean_title(title), body
    m = re.match(r"([^，,；;。]{2,60})[，,；;。]", s)
    return (clean_title(m.group(1)), s) if m else (clean_title(s[:40]), s)


def lead_split(display: str) -> tuple[str, str] | None:
    """(title, body) when *display* opens with a short title sentence, else None.

    >>> lead_split("深入推进商事制度改革。探索实施名称申报“企业承诺+事中事后监管”。")
    ('深入推进商事制度改革', '探索实施名称申报“企业承诺+事中事后监管”。')
    >>> lead_split("坚持系统集成、协同高效,推进全面深化改革。") is None
    True
    """
    c = _cfg()["lead"]
    s = display.lstrip("—-– ").strip()
    title, body = split_title(s)
    t = clean_title(title)
    if not (c["min_title_chars"] <= len(t) <= c["max_title_chars"]) or len(body) < c["min_body_chars"]:
        return None
    if re.search(c["forbidden"], t) or not body:
        return None
    return t, body


def chapter_kind(title: str) -> str | None:
    t = to_match(title)
    for kind in ("context", "goals", "safeguard"):
        if any(k in t for k in _cfg()["chapters"][kind]):
            return kind
    return None


class _Builder:
    def __init__(self):
        self.root = OutlineNode("root", "", "", 0, section_kind="context")
        self.stack: list[tuple[OutlineNode, str | None]] = [(self.root, None)]
        self.box: OutlineNode | None = None
        self.lead = _cfg()["lead"]

    @property
    def top(self) -> OutlineNode:
        return self.stack[-1][0]

    def pop_to(self, style: str) -> None:
        styles = [s for _, s in self.stack]
        if style in styles:
            del self.stack[styles.index(style):]

    def add(self, p: Paragraph) -> None:
        m = match_style(p.display)
        st = m[0] if m else None
        if st is not None and st.box:
            self.open_box(p, m[1])
            return
        if p.table:
            (self.box or self.top).body.append(p)
            return
        if self.box is not None:
            if self.box_accepts(p, st):
                self.box_add(p, st, m)
                return
            self.box = None
        if st is not None and not st.box_item:
            rest = p.display[m[1]:]
            title, body = split_title(rest)
            if st.always_heading or len(body) < self.lead["min_body_chars"]:
                self.pop_to(st.name)
                kind = chapter_kind(title) or self.top.section_kind if self.top.kind != "root" else (chapter_kind(title) or "task")
                node = OutlineNode("heading", clean_title(rest), p.display.rstrip("。 "), p.line, p.page, st.name,
                                   section_kind=kind, notes=list(p.notes))
                self.top.children.append(node)
                self.stack.append((node, st.name))
            else:
                self.pop_to(st.name)
                self.top.children.append(OutlineNode("item", clean_title(title), p.display, p.line, p.page, st.name,
                                                     text=body, section_kind=self.top.section_kind, notes=list(p.notes)))
            return
        lead = lead_split(p.display) if self.top.kind != "root" else None
        if st is not None and st.box_item:  # a "- 1." item outside any box
            t, b = split_title(p.display[m[1]:])
            lead = (clean_title(t), b)
        if lead:
            self.top.children.append(OutlineNode("item", lead[0], p.display, p.line, p.page, "lead", text=lead[1],
                                                 section_kind=self.top.section_kind, notes=list(p.notes)))
            return
        last = next((c for c in reversed(self.top.children) if c.kind != "box"), None)
        if last is not None and last.kind == "item":  # continues the item above (also across a box)
            last.text += p.display  # trailing text of an item (e.g. after a box or a footnote)
            last.notes.extend(p.notes)
        else:
            self.top.body.append(p)

    # ------------------------------------------------------------ boxes
    def open_box(self, p: Paragraph, marker_len: int) -> None:
        title = p.display.rstrip(" |").strip()
        box = OutlineNode("box", title, title, p.line, p.page, "box", section_kind=self.top.section_kind)
        self.top.children.append(box)
        self.box = box

    def box_accepts(self, p: Paragraph, st: HeadingStyle | None) -> bool:
        box = self.box
        assert box is not None
        if st is not None and not st.box_item:
            return False
        if any(b.table for b in box.body):
            return False
        if not box.body and not box.children:
            return True  # caption or first content
        if any(c.style == "box_item" for c in box.children):
            return st is not None and st.box_item
        lead = lead_split(p.display)
        sizes = [len(c.heading) for c in box.children] or [len(b.display) for b in box.body]
        if lead is None:
            return not box.children and not any(len(b.display) > 60 for b in box.body)
        return not (len(p.display) >= self.lead["box_end_min_chars"]
                    and len(p.display) >= self.lead["box_end_ratio"] * mean(sizes or [0]))

    def box_add(self, p: Paragraph, st: HeadingStyle | None, m) -> None:
        box = self.box
        assert box is not None
        if st is not None and st.box_item:
            t, b = short_title(p.display[m[1]:])
            box.children.append(OutlineNode("item", t, p.display, p.line, p.page, "box_item", text=b,
                                            section_kind=box.section_kind))
            return
        lead = lead_split(p.display)
        if lead and not (not box.children and not box.body and len(p.display) <= 60):
            box.children.append(OutlineNode("item", lead[0], p.display, p.line, p.page, "lead", text=lead[1],
                                            section_kind=box.section_kind))
        elif not box.children and not box.body and len(p.display) <= 60 and not re.search("[。，,]", p.display):
            box.title = f"{box.title} {p.display.strip()}"  # caption line after "专栏5-1:"
            box.heading = box.title
        else:
            box.body.append(p)


def build_outline(paras: list[Paragraph]) -> OutlineNode:
    b = _Builder()
    for p in paras:
        b.add(p)
    return b.root
