"""Which region a plan covers, from the most qualified evidence its text gives — never a guess.

Order: a national issuer, document number or title makes the plan national (中国). Otherwise the
region the title names (else the issuer line, else the front matter's most frequent division name);
when that name is shared by several places (鼓楼区), the candidates are narrowed by the other names
in the same line (南京市鼓楼区), the issuer line, the document-number prefix (京朝市监发), the cited
parent plans, then the division names in the body. If several candidates remain the finding says so
(and the caller warns, pointing to the manifest). A development zone sits under the city it names.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..pattern_files import pattern_file
from ..models import LEVEL_RANK
from ..regions import (NATIONAL, RegionInfo, alias_regions, ancestors, find_mentions, province_abbreviations,
                       qualify, resolve_region, zone_pattern, zone_region)

_GENERIC_CHARS = set("省市区县州盟旗自治")


@dataclass(slots=True)
class RegionFinding:
    region: RegionInfo | None = None
    level: str | None = None
    source: str | None = None  # title | issuer | doc_no | cites | body (manifest: set by the caller)
    name: str | None = None  # the name as printed when it stays ambiguous
    candidates: list[RegionInfo] = field(default_factory=list)


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return pattern_file("plan_identity.toml")


def _rx(section: str, key: str) -> re.Pattern:
    return re.compile(_cfg()[section][key])


def doc_no_prefix(doc_no: str | None) -> str:
    """The issuing part of a document number: 京朝市监发〔2021〕12号 → 京朝市监发."""
    return re.split(r"[〔\[(（\d]", doc_no or "", maxsplit=1)[0]


def national_evidence(title: str | None, issuers: list[str], doc_no: str | None) -> str | None:
    """Where the text shows a national plan: ``issuer``, ``doc_no`` or ``title`` (None: not national)."""
    if any(find_mentions(i) for i in issuers):
        return None  # an issuer naming a division (宿州市市场监督管理局) is never national
    if any(_rx("national", "issuer").search(i) for i in issuers):
        return "issuer"
    if doc_no and _rx("national", "doc_no").search(doc_no_prefix(doc_no)):
        return "doc_no"
    if title and _rx("national", "title").search(title) and not find_mentions(title):
        return "title"
    return None


def is_national_cite(cite: str) -> bool:
    return bool(_rx("national", "cite").search(cite))


def identify(title: str | None, issuers: list[str], doc_no: str | None, cites: list[str],
             front: list[str], body: list[str]) -> RegionFinding:
    """The plan's region from its title, issuer lines, standalone document number, cited plans and text."""
    src = national_evidence(title, issuers, doc_no)
    if src:
        return RegionFinding(resolve_region(NATIONAL), "national", src)
    named = None
    for source, texts in (("title", [title] if title else []), ("issuer", issuers)):
        for t in texts:
            named = _named(t, issuers + cites, body)
            if named:
                break
        if named:
            break
    if not named:
        source, named = "body", _most_frequent(front)
    if not named:
        return RegionFinding()
    name, cands = named
    if len(cands) == 1:
        return RegionFinding(cands[0], cands[0].level, source)
    steps = (("issuer", lambda c: _name_support(c, issuers, 2)),
             ("doc_no", lambda c: _doc_no_support(c, doc_no)),
             ("cites", lambda c: _name_support(c, cites, 2)),
             ("body", lambda c: _name_support(c, front + body, 3)))
    for step, score in steps:
        if not cands:
            break
        s = {c.name: score(c) for c in cands}
        best = max(s.values())
        if best > 0:
            cands = [c for c in cands if s[c.name] == best]
            if len(cands) == 1:
                return RegionFinding(cands[0], cands[0].level, step)
    levels = {c.level for c in cands}
    return RegionFinding(None, levels.pop() if len(levels) == 1 else None, None, name, cands)


def _named(text: str, context: list[str], body: list[str]) -> tuple[str, list[RegionInfo]] | None:
    """The region *text* (a title or issuer line) names, with its candidates agreeing with the line."""
    mentions = find_mentions(text)
    # a zone name opens the line or follows a division name (合肥高新区…, 南京市江北新区…): never 创新区域
    zm = next((m for m in (zone_pattern().match(text, pos) for pos in [0] + [p + len(f) for p, f in mentions])
               if m), None)
    if zm and not any(p <= zm.start(1) and p + len(f) >= zm.end(1) for p, f in mentions):
        zone = zm.group(1)
        inner = [f for p, f in mentions if p < zm.end(1)]
        cities = _cities_in(inner) or _alias_city(zone)
        if not cities:  # the zone's city named elsewhere: issuer line, cited plans, body
            for texts, min_len in ((context, 2), (body, 3)):
                cities = _cities_in([f for t in texts for _, f in find_mentions(t, min_len)])
                if cities:
                    break
        if cities:
            return zone, [zone_region(_after(zone, c), c) for c in cities]
        return zone, []
    if not mentions:
        return None
    q = qualify([f for _, f in mentions])
    own = max(reversed([f for _, f in mentions]),
              key=lambda f: max(LEVEL_RANK.get(c.level, 0) for c in q[f]))
    return own, q[own]


def _after(zone: str, city: RegionInfo) -> str:
    """The zone's own words after a full city name printed before it (宿州市高新区 → 高新区)."""
    return zone[len(city.full):] if zone.startswith(city.full) else zone


def _cities_in(fulls: list[str]) -> list[RegionInfo]:
    """The deepest city- or province-level regions among mentioned names (agreeing with each other)."""
    if not fulls:
        return []
    q = qualify(fulls)
    for level in ("city", "province"):
        found = {c.name: c for f in fulls for c in q[f] if c.level == level}
        if found:
            return list(found.values())
    return []


def _alias_city(zone: str) -> list[RegionInfo]:
    """A city named by its short name at the start of a zone (合肥高新区 → 合肥市)."""
    for n in range(min(len(zone) - 1, 6), 1, -1):
        found = [r for r in alias_regions(zone[:n]) if r.level == "city"]
        if found:
            return found
    return []


def _most_frequent(texts: list[str]) -> tuple[str, list[RegionInfo]] | None:
    """The division name the front matter repeats most (ties: the deeper level), with its candidates."""
    counts: dict[str, int] = {}
    for t in texts:
        for _, f in find_mentions(t, 3):
            counts[f] = counts.get(f, 0) + 1
    if not counts:
        return None
    q = qualify(list(counts))
    best = max(counts, key=lambda f: (counts[f], max(LEVEL_RANK.get(c.level, 0) for c in q[f])))
    return best, q[best]


def _name_support(c: RegionInfo, texts: list[str], min_len: int) -> int:
    """How many division names in *texts* are regions above candidate *c* (or its own qualified name)."""
    above = ancestors(c)
    n = 0
    for t in texts:
        for _, f in find_mentions(t, min_len):
            if f in above:
                n += 1
    return n


def _doc_no_support(c: RegionInfo, doc_no: str | None) -> int:
    """How well the region characters of a document-number prefix (京朝 in 京朝市监发) fit candidate *c*:
    each character must belong to a name on *c*'s chain (or be its province's 简称); a character counts
    by the depth of the deepest name holding it (南鼓: 南京 is nearer 鼓楼区 than 河南), else 0."""
    prefix = _rx("doc_no", "department").sub("", doc_no_prefix(doc_no))
    if not prefix:
        return 0
    abbr = province_abbreviations()
    total = 0
    for ch in prefix:
        depth = max((LEVEL_RANK.get(r.level, 0) for r in c.chain()
                     if r.level != "national" and ch in r.full and ch not in _GENERIC_CHARS), default=0)
        if not depth and abbr.get(ch) == c.province:
            depth = LEVEL_RANK["province"]
        if not depth:
            return 0
        total += depth
    return total
