"""Indicators: one ``Measure`` per measure, and whether linked targets are consistent.

Names are reduced to a *measure key* (:mod:`graph_builder.measures`: no unit, scope prefix, filler
or unit word; words sorted). Keys that differ by a character or two join one Measure; a key that only
adds words (高价值, 企业类, 主导) is a narrower measure and stays apart. Every Indicator gets one
``MEASURES`` edge — linear in the number of indicators — and, inside one region chain, a ``上级规划``
to the upper plan's indicator of the same Measure, with consistency flags and reasons.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from ..measures import (base_name, measure_key, measure_similarity, prose_measure_text, unit_kind, without_regions,
                        words)
from ..models import LEVEL_RANK, Node, stable_id
from .config import IndicatorConfig
from .text import simplify

__all__ = ["measure_key", "measure_similarity", "indicator_key", "group_keys", "link_indicators", "consistency",
           "IndicatorLinks", "MeasureGroup"]

_UNIT_PAREN = re.compile(r"[（(]([^（()）]{0,14})[)）]\s*$")
_LEAD_NUM = re.compile(r"^\s*\d+\s*[.、．]\s*")
_VALUE = re.compile(r"(>=|<=|≥|≤|>|<|＞|＜)?\s*(-?\d+(?:\.\d+)?)")


def _words() -> dict:
    return words()


def indicator_key(n: Node) -> str:
    """The measure key of an Indicator node (a prose target is keyed on what it measures)."""
    name = n.get("name") or ""
    key = measure_key(prose_measure_text(name)) if n.get("source") == "prose" else ""
    if len(key) < 2:  # a prose clause naming nothing but its quantity ("每年不少于800万批次") keys on itself
        key = measure_key(name) or base_name(name)
    return key


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
class MeasureGroup:
    """One Measure: its keys, its member indicators and what the node shows."""

    id: str
    name: str
    unit_kind: str
    keys: list[str]
    members: list[tuple[str, str]]  # (indicator id, its key)


@dataclass(slots=True)
class IndicatorLinks:
    measures: list[MeasureGroup] = field(default_factory=list)
    upper: list[tuple[str, str, float]] = field(default_factory=list)  # (lower id, upper id, score)


def _key_pairs(keys: list[str], threshold: float) -> list[tuple[str, str, float]]:
    """Pairs of distinct measure keys at or above *threshold* (bigram blocking, each pair once)."""
    post: dict[str, list[int]] = {}
    flat = [k.replace(" ", "") for k in keys]
    grams = [{k[i:i + 2] for i in range(len(k) - 1)} for k in flat]
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


def _narrower(a: str, b: str) -> bool:
    ta, tb = set(a.split()), set(b.split())
    return ta != tb and (ta <= tb or tb <= ta)


def group_keys(keys: list[str], threshold: float) -> dict[str, str]:
    """Key → representative key of its Measure (union of near-identical keys, never a narrower one).

    Two groups join only when no key of one is a narrower/wider form of a key of the other, so
    a chain of small differences cannot put 市场主体总量 and 企业类市场主体总量 on one Measure.
    """
    keys = sorted(set(k for k in keys if k))
    parent = {k: k for k in keys}
    members = {k: [k] for k in keys}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _s in sorted(_key_pairs(keys, threshold), key=lambda t: (-t[2], t[0], t[1])):
        ra, rb = find(a), find(b)
        if ra == rb or any(_narrower(x, y) for x in members[ra] for y in members[rb]):
            continue
        root, other = (ra, rb) if ra < rb else (rb, ra)
        parent[other] = root
        members[root].extend(members.pop(other))
    return {k: find(k) for k in keys}


def _display(n: Node) -> str:
    """The indicator's name as a Measure name: no numbering, unit in parentheses, division name or scope prefix."""
    name = simplify(n.get("name") or "").strip()
    if n.get("source") == "prose" and len(prose_measure_text(name)) >= 2:
        name = prose_measure_text(name)
    name = _LEAD_NUM.sub("", name)
    name = _UNIT_PAREN.sub("", name).strip()
    name = without_regions(name)  # one Measure spans regions: not named after one of them
    for p in sorted(_words().get("prefixes", []), key=len, reverse=True):
        if name.startswith(p) and len(name) > len(p) + 2:
            name = name[len(p):]
            break
    return name


def _measures(inds: list[Node], keyed: dict[str, str], rep: dict[str, str],
              levels: dict[str, str]) -> list[MeasureGroup]:
    by_rep: dict[str, list[Node]] = {}
    for n in inds:
        by_rep.setdefault(rep[keyed[n.id]], []).append(n)
    out = []
    for r, members in sorted(by_rep.items()):
        shown = {n.id: _display(n) for n in members}
        names = Counter(shown.values())
        first = min(members, key=lambda n: (n.get("source") == "prose", LEVEL_RANK.get(levels.get(str(n.get("plan")), ""), 9),
                                            -names[shown[n.id]], len(shown[n.id]), shown[n.id]))
        name = shown[first.id] or r
        kinds = Counter(k for k in (unit_kind(unit_of(n), n.get("name")) for n in members) if k)
        kind = sorted(kinds.items(), key=lambda t: (-t[1], t[0]))[0][0] if kinds else ""
        keys = sorted({keyed[n.id] for n in members})
        out.append(MeasureGroup(stable_id("measure", r), name, kind, keys,
                                sorted((n.id, keyed[n.id]) for n in members)))
    return out


def link_indicators(inds: list[Node], chain: dict[str, set[str]], cfg: IndicatorConfig,
                    levels: dict[str, str] | None = None) -> IndicatorLinks:
    """One Measure per group of keys; 上级规划 to the upper plans' indicators of the same Measure.

    Cost is linear in the indicators (plus the distinct keys' near-duplicate search): each indicator
    gets exactly one Measure and at most one upper indicator per plan of its region chain.
    """
    levels = levels or {}
    keyed = {n.id: indicator_key(n) for n in inds}
    inds = sorted((n for n in inds if keyed[n.id]), key=lambda n: (str(n.get("plan")), n.id))
    rep = group_keys([keyed[n.id] for n in inds], cfg.same_measure)
    res = IndicatorLinks(measures=_measures(inds, keyed, rep, levels))
    by_measure_plan: dict[tuple[str, str], list[Node]] = {}
    for n in inds:
        by_measure_plan.setdefault((rep[keyed[n.id]], str(n.get("plan"))), []).append(n)
    for n in inds:
        k, r = keyed[n.id], rep[keyed[n.id]]
        for up_plan in sorted(chain.get(str(n.get("plan")), ())):
            cands = by_measure_plan.get((r, up_plan))
            if not cands:
                continue
            scored = [(max(measure_similarity(k, keyed[o.id]), cfg.same_measure), o) for o in cands]
            s, o = min(scored, key=lambda t: (-t[0], t[1].get("source") == "prose", t[1].get("line") or 0, t[1].id))
            res.upper.append((n.id, o.id, s))
    res.upper.sort()
    return res
