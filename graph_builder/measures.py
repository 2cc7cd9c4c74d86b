"""Measure keys: an indicator name → the canonical key of the measure it counts.

One module shared by extraction (a table row and a prose target of one plan naming the same
measure become one Indicator) and linking (every Indicator → one ``Measure`` node). The key is
word-order invariant: the name loses the division names in it (宿州市, 安徽), is cut into jieba words,
scope prefixes (全省, 期末, 在册 …), filler words (拥有) and trailing count/unit words (数, 总量, 户, 家,
个 …) are dropped, synonyms are rewritten from ``patterns/link_indicator_words.toml`` (地区生产总值 → GDP), and the remaining words
are sorted. All word lists live in that data file.
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache

from .normalize import to_match
from .pattern_files import pattern_file
from .regions import is_short_county, strip_names

_PUNCT = re.compile(r"[\s\u3000，,。.、；;：:！!？?“”\"'‘’《》〈〉()（）\[\]【】{}—\-–·…|/<>＜＞「」『』]+")
_UNIT_PAREN = re.compile(r"[（(]([^（()）]{0,14})[)）]\s*$")
_LEAD_NUM = re.compile(r"^\s*\d+\s*[.、．]\s*")
_QTY = re.compile(r"(?:\d+(?:\.\d+)?(?:\s*[-—~～]\s*\d+(?:\.\d+)?)?)\s*[%％]?")


@lru_cache(maxsize=1)
def words() -> dict:
    """The word lists of ``link_indicator_words.toml``."""
    return pattern_file("link_indicator_words.toml")


@lru_cache(maxsize=50_000)
def _cut(s: str) -> tuple[str, ...]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return tuple(t for t in jieba.lcut(s, HMM=True) if t.strip())


@lru_cache(maxsize=50_000)
def _known(word: str) -> bool:
    """A word of jieba's dictionary (an OCR slip like 抽由检 is not)."""
    import jieba

    jieba.dt.check_initialized()
    return len(word) > 1 and jieba.dt.FREQ.get(word, 0) > 0


def without_regions(s: str) -> str:
    """*s* without division names (市级抽查宿州市生产企业… measures what 市级抽查萧县生产企业… does), unless
    fewer than 2 characters would remain or ``strip_region_names`` is off."""
    if not words().get("strip_region_names", False):
        return s
    bare = strip_names(s)
    return bare if len(bare) >= 2 else s


def base_name(name: str | None) -> str:
    """NFKC/简体, no leading number, unit in parentheses, punctuation or trailing %."""
    s = to_match(name or "")
    s = _LEAD_NUM.sub("", s)
    for _ in range(2):
        s = _UNIT_PAREN.sub("", s)
    return _PUNCT.sub("", s).rstrip("%％")


def ordered_form(name: str | None) -> str:
    """The name with scope prefixes removed and synonyms/rewrites applied (word order kept)."""
    w = words()
    s = base_name(name)
    s = without_regions(s)
    prefixes = sorted(w.get("prefixes", []), key=len, reverse=True)
    for _ in range(3):  # 全省在册… : several scope words in a row
        p = next((p for p in prefixes if s.startswith(p) and len(s) > len(p) + 2), None)
        if p is None:
            break
        s = s[len(p):]
    for old, new in sorted(w.get("synonyms", []), key=lambda t: -len(t[0])):
        s = s.replace(old, new)
    for old, new in w.get("rewrites", []):
        s = s.replace(old, new)
    return s


def measure_tokens(name: str | None) -> list[str]:
    """Content words of the measure, in name order."""
    w = words()
    s = ordered_form(name)
    toks = list(_cut(s))
    filler = set(w.get("filler_words", []))
    neutral = set(w.get("neutral_inserts", []))
    toks = [t for t in toks if t not in filler and t not in neutral]
    if w.get("strip_region_names", False) and len(toks) > 1:  # 市级抽查萧县生产企业…: 萧县 is one word here
        toks = [t for t in toks if not is_short_county(t)] or toks
    tail = set(w.get("suffixes", [])) | set(w.get("unit_words", []))
    while len(toks) > 1 and toks[-1] in tail:
        toks.pop()
    return toks


@lru_cache(maxsize=200_000)
def measure_key(name: str | None) -> str:
    """Canonical key: sorted content words joined by spaces ('' for an empty name).

    >>> measure_key("知识产权质押融资登记金额") == measure_key("知识产权质押登记融资金额")
    True
    """
    toks = measure_tokens(name)
    return " ".join(sorted(toks) if words().get("order_invariant", True) else toks)


@lru_cache(maxsize=1)
def _prose_rx() -> tuple[re.Pattern, list[str]]:
    units = words().get("prose_units", [])
    unit_rx = "|".join(sorted(map(re.escape, units), key=len, reverse=True))
    qty = re.compile(rf"{_QTY.pattern}(?:[万亿千百]?(?:{unit_rx}))?") if unit_rx else _QTY
    return qty, sorted(words().get("prose_cues", []), key=len, reverse=True)


@lru_cache(maxsize=100_000)
def prose_measure_text(clause: str | None) -> str:
    """What a prose target measures: the clause without its quantities, years and cue words.

    >>> prose_measure_text("每万人口高价值发明专利拥有量达2件")
    '每万人口高价值发明专利拥有量'
    """
    s = without_regions(to_match(clause or ""))  # before the cues: 达 is one, and in 札达县, 达州市
    s = re.sub(r"(?:到|至|在)?20\d\d年(?:底|末)?", "", s)
    qty, cues = _prose_rx()
    s = qty.sub("", s)
    for cue in cues:
        s = s.replace(cue, "")
    return _PUNCT.sub("", s)


def measure_similarity(a: str, b: str) -> float:
    """Similarity of two measure keys: 1.0 for the same words, 0 when one only adds words.

    One name adding a qualifier (高价值, 企业类, 主导) is a narrower or wider measure, never the
    same; otherwise a character ratio of the sorted words (catches one-character variants).
    """
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ta, tb = set(a.split()), set(b.split())
    if ta == tb:
        return 1.0
    if ta < tb or tb < ta:
        return 0.0
    ua, ub = "".join(sorted(ta - tb)), "".join(sorted(tb - ta))
    if ua in ub or ub in ua:  # 主导制 vs 制: one only adds characters inside a word
        return 0.0
    if words().get("dictionary_guard", True) and all(_known(t) for t in ta ^ tb):  # 国家标准 vs 国际标准, 死亡率 vs 事故率: two real words differ
        return 0.0
    return difflib.SequenceMatcher(None, a.replace(" ", ""), b.replace(" ", ""), autojunk=False).ratio()


def unit_kind(unit: str | None, name: str | None = None) -> str:
    """percent | ratio | amount | duration | score | count | '': a per-population name, else the unit, else the name's ending."""
    kinds = words().get("unit_kinds", {})
    n = base_name(name)
    markers = dict(kinds.get("name_markers", {}))
    if any(m in n for m in markers.pop("ratio_contains", [])):  # 每万人口…拥有量 (件) is per population
        return "ratio"
    u = to_match(unit or "")
    if u:
        for kind in ("ratio", "percent", "amount", "duration", "score", "count"):
            spec = kinds.get(kind, {})
            if u in spec.get("exact", []) or any(x in u for x in spec.get("contains", [])):
                return kind
    for kind, ends in markers.items():
        if any(n.endswith(m) for m in ends):
            return kind
    return ""
