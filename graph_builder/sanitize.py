"""Strip invisible and control characters from document text at ingest, counting what was removed per file.

Zero-width characters and BOMs hide headings from the outline (``\u200d四、主要任务`` is not a heading),
bidi overrides spoof titles, NUL breaks GraphML/XML export, and C0/C1 controls (ESC …) reach terminals.
The character groups live in ``patterns/sanitize.toml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .pattern_files import pattern_file

@dataclass(frozen=True, slots=True)
class _Group:
    key: str
    name: str
    rx: re.Pattern
    replacement: str


def _char_class(specs: list[str]) -> str:
    parts = []
    for spec in specs:
        lo, _, hi = spec.partition("-")
        a, b = int(lo.strip()[2:], 16), int((hi or lo).strip()[2:], 16)
        parts.append(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}")
    return "[" + "".join(parts) + "]"


@lru_cache(maxsize=1)
def _groups() -> tuple[_Group, ...]:
    data = pattern_file("sanitize.toml")
    out = []
    for mode in ("remove", "replace"):
        for key, g in data.get(mode, {}).items():
            out.append(_Group(key, g["name"], re.compile(_char_class(g["chars"])), g.get("with", "") if mode == "replace" else ""))
    return tuple(out)


def clean_text(text: str, counts: dict[str, int] | None = None) -> str:
    """*text* without the configured invisible/control characters; adds per-group counts to *counts*."""
    for g in _groups():
        text, n = g.rx.subn(g.replacement, text)
        if n and counts is not None:
            counts[g.key] = counts.get(g.key, 0) + n
    return text


def describe(counts: dict[str, int]) -> str:
    """Chinese summary such as ``零宽字符 3 个、双向控制符 1 个``."""
    names = {g.key: g.name for g in _groups()}
    return "、".join(f"{names.get(k, k)} {n} 个" for k, n in counts.items() if n)


def sanitize_doc(doc):
    """Clean every line of a :class:`~graph_builder.ingest.SourceDoc` in place; one warning names what went
    (with the count per group), and the document is returned."""
    counts: dict[str, int] = {}  # dataclasses.replace keeps SourceLine without importing ingest (no cycle)
    doc.lines = [replace(ln, text=clean_text(ln.text, counts)) if _needs(ln.text) else ln for ln in doc.lines]
    if counts:
        doc.warnings.append(f"{doc.path}: 已移除不可见或控制字符：{describe(counts)}")
    return doc


@lru_cache(maxsize=1)
def _any_rx() -> re.Pattern:
    return re.compile("|".join(g.rx.pattern for g in _groups()))


def _needs(text: str) -> bool:
    return _any_rx().search(text) is not None
