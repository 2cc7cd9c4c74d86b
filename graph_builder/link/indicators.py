"""Indicators: the same measure under different wording, and whether the targets are consistent.

Names are reduced to a *measure key* (no unit, region prefix or neutral wording) and compared;
insertions that change the scope (高价值, 企业类, 主导) keep two names apart. Linked pairs get
consistency flags with a reason each.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..models import Node
from .config import IndicatorConfig, read_toml
from .text import norm, simplify

_UNIT_PAREN = re.compile(r"[（(]([^（()）]{0,14})[)）]\s*$")
_LEAD_NUM = re.compile(r"^\s*\d+\s*[.、．]\s*")
_VALUE = re.compile(r"(>=|<=|≥|≤|>|<|＞|＜)?\s*(-?\d+(?:\.\d+)?)")


@lru_cache(maxsize=1)
def _words() -> dict:
    return read_toml("link_indicator_words.toml")


def measure_key(name: str | None) -> str:
    """Canonical form of an indicator name for matching."""
    s = simplify(name or "").strip()
    s = _LEAD_NUM.sub("", s)
    s = _UNIT_PAREN.sub("", s)
    s = norm(s).rstrip("%")
    w = _words()
    for p in sorted(w.get("prefixes", []), key=len, reverse=True):
        if s.startswith(p) and len(s) > len(p) + 2:
            s = s[len(p):]
            break
    for old, new in w.get("rewrites", []):
        s = s.replace(old, new)
    for suf in sorted(w.get("suffixes", []), key=len, reverse=True):
        if s.endswith(suf) and len(s) > len(suf) + 3:
            s = s[: -len(suf)]
            break
    return s


def _without_neutral(a: str, b: str) -> bool:
    """True when the longer name is the shorter plus only neutral insertions (登记, 的)."""
    if len(a) > len(b):
        a, b = b, a
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    neutral = set(_words().get("neutral_inserts", []))
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        if tag != "insert" or b[j1:j2] not in neutral:
            return False
    return True


def measure_similarity(a: str, b: str) -> float:
    """1.0 for the same key; otherwise a difflib ratio, 0 when one only adds a scope qualifier."""
    if not a or not b:
        return 0.0
    if a == b or _without_neutral(a, b):
        return 1.0
    if a in b or b in a:
        return 0.0  # 市场主体总量 vs 企业类市场主体总量: a narrower or wider measure
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(slots=True)
class Value:
    comp: str
    number: float


def parse_value(v) -> Value | None:
    if v is None:
        return None
    s = unicodedata.normalize("NFKC", str(v)).replace(" ", "")
    m = _VALUE.search(s)
    if not m:
        return None
    comp = {"≥": ">=", "≤": "<=", "＞": ">", "＜": "<"}.get(m.group(1) or "", m.group(1) or "")
    if not comp and re.search(r"(以上|不少于|不低于)$", s):
        comp = ">="
    if not comp and re.search(r"(以下|不超过|不高于|以内)$", s):
        comp = "<="
    return Value(comp, float(m.group(2)))


def unit_of(n: Node) -> str:
    u = n.get("unit")
    if not u:
        m = _UNIT_PAREN.search(simplify(n.get("name") or ""))
        u = m.group(1) if m else ""
    return unicodedata.normalize("NFKC", str(u or "")).strip()


@dataclass(slots=True)
class Verdict:
    flags: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def add(self, flag: str, reason: str) -> None:
        self.flags.append(flag)
        self.reasons.append(reason)


def _same_unit(a: str, b: str, cfg: IndicatorConfig) -> bool:
    if a == b or not a or not b:
        return True
    return any(a in g and b in g for g in cfg.unit_groups)


def _period_kind(n: Node) -> str:
    """cumulative | new | point (unknown → point)."""
    name = simplify(n.get("name") or "")
    w = _words()
    if any(m in name for m in w.get("new_markers", [])) or "新增" in str(n.get("target") or ""):
        return "new"
    if n.get("cumulative") is True or any(m in name for m in w.get("cumulative_markers", [])):
        return "cumulative"
    return "point"


_PERIOD_ZH = {"cumulative": "累计值", "new": "期内新增", "point": "时点/年度值"}


def consistency(low: Node, up: Node | None, cfg: IndicatorConfig, *, hierarchical: bool) -> Verdict:
    """Flags a reviewer wants to see on a linked indicator pair (each with a Chinese reason)."""
    v = Verdict()
    ul, uu = unit_of(low), unit_of(up) if up is not None else ""
    if up is None:
        return v
    if not _same_unit(ul, uu, cfg):
        v.add("unit_mismatch", f"单位不同：下级“{ul}”，上级“{uu}”")
    pl, pu = _period_kind(low), _period_kind(up)
    if pl != pu and (low.get("cumulative") is not None and up.get("cumulative") is not None or "new" in (pl, pu)):
        v.add("period_mismatch", f"统计口径不同：下级为{_PERIOD_ZH[pl]}，上级为{_PERIOD_ZH[pu]}")
    for side, n in (("下级", low), ("上级", up)):
        # prose targets never state a baseline; only a table row with an empty 基期值 is a gap
        if n.get("source") != "prose" and parse_value(n.get("baseline")) is None:
            v.add("missing_baseline", f"{side}指标“{n.get('name')}”缺少基期值")
    if hierarchical and _same_unit(ul, uu, cfg) and pl == pu:
        comparable = any(u and (u in cfg.comparable_units) for u in (ul, uu)) or any(
            m in simplify(low.get("name") or "") for m in cfg.comparable_name_markers)
        tl, tu = parse_value(low.get("target")), parse_value(up.get("target"))
        if comparable and tl and tu:
            comp = tu.comp or tl.comp
            if comp:
                lower_is_better = comp in ("<=", "<")
            else:
                name = simplify(up.get("name") or "")
                lower_is_better = any(m in name for m in _words().get("lower_better_markers", []))
            weaker = tl.number > tu.number if lower_is_better else tl.number < tu.number
            if weaker:
                binding = "（约束性指标）" if "约束" in str(low.get("attribute") or "") + str(up.get("attribute") or "") else ""
                v.add("weaker_target", f"下级目标 {low.get('target')} 弱于上级目标 {up.get('target')}{binding}")
    return v


@dataclass(slots=True)
class IndicatorLinks:
    upper: list[tuple[str, str, float]] = field(default_factory=list)  # (lower id, upper id, score)
    same: list[tuple[str, str, float]] = field(default_factory=list)  # (a id, b id, score), a < b


def _key_pairs(keys: list[str], threshold: float) -> list[tuple[str, str, float]]:
    """Pairs of distinct measure keys at or above *threshold* (bigram blocking, each pair once)."""
    post: dict[str, list[int]] = {}
    grams = [{k[i:i + 2] for i in range(len(k) - 1)} for k in keys]
    for n, gs in enumerate(grams):
        for g in gs:
            post.setdefault(g, []).append(n)
    out = []
    for n, gs in enumerate(grams):
        hits: dict[int, int] = {}
        for g in gs:
            for m in post[g]:
                if m > n:
                    hits[m] = hits.get(m, 0) + 1
        for m, shared in hits.items():
            if shared < 0.5 * min(len(gs), len(grams[m])):
                continue
            s = measure_similarity(keys[n], keys[m])
            if s >= threshold:
                out.append((keys[n], keys[m], s))
    return out


def link_indicators(inds: list[Node], chain: dict[str, set[str]], cfg: IndicatorConfig) -> IndicatorLinks:
    """上级规划 inside one region chain (best per lower indicator and upper plan), SAME_MEASURE otherwise.

    Work is grouped by distinct measure key, so many plans repeating one indicator cost
    O(plans × same_measure_max), not O(plans²).
    """
    res = IndicatorLinks()
    by_key: dict[str, list[Node]] = {}
    for n in sorted(inds, key=lambda n: (str(n.get("plan")), n.id)):
        k = measure_key(n.get("name"))
        if len(k) >= 2:
            by_key.setdefault(k, []).append(n)
    pairs = [(k, k, 1.0) for k in by_key] + _key_pairs(sorted(by_key), cfg.same_measure)
    best_up: dict[tuple[str, str], tuple[float, str]] = {}
    same_count: dict[str, int] = {}
    same_seen: set[tuple[str, str]] = set()
    for ka, kb, s in sorted(pairs, key=lambda t: -t[2]):
        for a_side, b_side in ((by_key[ka], by_key[kb]),) if ka == kb else ((by_key[ka], by_key[kb]), (by_key[kb], by_key[ka])):
            b_by_plan: dict[str, list[Node]] = {}
            for o in b_side:
                b_by_plan.setdefault(str(o.get("plan")), []).append(o)
            for n in a_side:
                pn = str(n.get("plan"))
                ups = chain.get(pn, set())
                for up_plan in ups:  # the chain is short: look the upper plans up directly
                    for o in b_by_plan.get(up_plan, ()):
                        cur = best_up.get((n.id, up_plan))
                        if cur is None or s > cur[0]:
                            best_up[(n.id, up_plan)] = (s, o.id)
                if same_count.get(n.id, 0) >= cfg.same_measure_max:
                    continue
                for plan, members in b_by_plan.items():
                    if plan == pn or plan in ups or pn in chain.get(plan, set()):
                        continue
                    o = members[0]
                    key = (n.id, o.id) if n.id < o.id else (o.id, n.id)
                    if key in same_seen:
                        continue
                    if same_count.get(o.id, 0) >= cfg.same_measure_max:
                        continue
                    same_seen.add(key)
                    same_count[n.id] = same_count.get(n.id, 0) + 1
                    same_count[o.id] = same_count.get(o.id, 0) + 1
                    res.same.append((key[0], key[1], s))
                    if same_count[n.id] >= cfg.same_measure_max:
                        break
    res.upper = [(low, up, s) for (low, _p), (s, up) in sorted(best_up.items())]
    return res
