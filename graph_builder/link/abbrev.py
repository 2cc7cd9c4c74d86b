"""Abbreviations: expand “两品一械” to what it stands for before tasks are compared.

Two sources: ``patterns/link_synonyms.toml`` (every entry names its source) and the documents' own
definitions (“X”指…, …（以下简称“Y”）, 注：…), which apply to the defining plan only. Expansion
replaces the term by its meaning in matching text and keeps the term at the end, so both match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import ConfigError
from .config import read_toml
from .text import norm, simplify

SYNONYMS_FILE = "link_synonyms.toml"

# “X”指(的是)A、B、C。   注:四整合指整合监管事项…   注1.宿州十大重点产业指的是…
_DEF_QUOTED = re.compile(r"[“\"「]([^“”\"」]{2,12})[”\"」](?:[^，,。；;“”]{0,8}?)(?:是)?指(?:的是)?[:：]?([^。；;]{2,120})")
_DEF_NOTE = re.compile(r"注(?:释)?\s*\d*\s*[.:：、．]\s*([^“”\"，,。；;:：]{2,12}?)(?:是)?指(?:的是)?[:：]?([^。；;]{2,120})")
# 食品药品监督管理局（以下简称“药监局”）: the full form is the run before the bracket.
_DEF_SHORT = re.compile(r"([^，,。；;：:（(“”]{2,30})[（(]以下简称[“\"「]?([^“”\"」）)]{2,12})[”\"」]?[）)]")


@dataclass(frozen=True, slots=True)
class Term:
    """One abbreviation in matching form and what it means (matching form)."""

    term: str
    means: str
    source: str


@lru_cache(maxsize=1)
def pattern_terms() -> tuple[Term, ...]:
    """The entries of ``link_synonyms.toml``."""
    data = read_toml(SYNONYMS_FILE)
    out = []
    for k, e in enumerate(data.get("term", []), start=1):
        if not isinstance(e, dict) or not e.get("term") or not e.get("means") or not e.get("source"):
            raise ConfigError(f"{SYNONYMS_FILE}: 第 {k} 个条目需要 term、means 和 source")
        out.append(Term(norm(e["term"]), norm(e["means"]), str(e["source"])))
    return tuple(out)


def definitions(texts: list[str]) -> list[Term]:
    """Abbreviations a document defines itself, read from its text and footnotes."""
    found: dict[str, Term] = {}
    for raw in texts:
        s = simplify(raw or "")
        for m in list(_DEF_QUOTED.finditer(s)) + list(_DEF_NOTE.finditer(s)):
            term, means = norm(m.group(1)), norm(m.group(2))
            if 2 <= len(term) <= 12 and len(means) > len(term) and term not in found:
                found[term] = Term(term, means, s[max(0, m.start()):m.end()][:80])
        for m in _DEF_SHORT.finditer(s):
            full, short = norm(m.group(1)), norm(m.group(2))
            if 2 <= len(short) < len(full) and short not in found:
                found[short] = Term(short, full, m.group(0)[:80])
    return list(found.values())


def expand(text: str, terms: list[Term] | tuple[Term, ...]) -> str:
    """*text* (matching form) with each known term replaced by its meaning (longest terms first).

    The terms themselves follow at the end, so a text using the bare abbreviation still matches, while
    the words around a term stay next to its meaning (加强药品医疗器械化妆品安全监管 ~ 加强药品安全监管).
    """
    if not text or not terms:
        return text
    hits = [t for t in terms if t.term and t.term in text]
    if not hits:
        return text
    hits.sort(key=lambda t: -len(t.term))
    rx = re.compile("|".join(re.escape(t.term) for t in hits))
    means = {t.term: t.means for t in hits}
    found: list[str] = []
    out = rx.sub(lambda m: found.append(m.group(0)) or means[m.group(0)], text)
    return out + "".join(dict.fromkeys(found))
