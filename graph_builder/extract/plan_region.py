"""Which region a plan covers, from the most qualified evidence its text gives — never a guess.

Order: a national issuer, document number or title makes the plan national (中国). Otherwise the
region the title names (else the issuer line, else the front matter's most frequent division name);
when that name is shared by several places (鼓楼区), the candidates are narrowed by the other names
in the same line (南京市鼓楼区), the issuer line, the document-number prefix (京朝市监发), the cited
parent plans, then the division names in the body. If several candidates remain the finding says so
(and the caller warns, pointing to the manifest). A development zone sits under the city it names.

Entities come from spaCy spans (:mod:`graph_builder.nlp`): division names are REGION spans, a national
issuer line is an ISSUER span of plan_identity.toml's national pattern, a document number's issuing part is
its DOC_NO span's ``prefix``. Texts given as strings are parsed with ``nlp.docs`` (cached: the front matter
read_meta parsed is not parsed again); the body only when a shared name is still open after the cited plans.
What stays here is classification of found text against data tables (plan_identity.toml) and the
development-zone pattern (``[divisions] zone``), matched where a division name ends.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span

from ..models import LEVEL_RANK
from ..nlp import docs, national_issuer_pattern, region_name
from ..pattern_files import pattern_file
from ..regions import (NATIONAL, RegionInfo, alias_regions, ancestors, province_abbreviations, qualify,
                       resolve_region, zone_region)

Text = str | Doc

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


def doc_no_prefix(doc_no: Text | Span | None) -> str:
    """The issuing part of a document number, from its DOC_NO span: 京朝市监发〔2021〕12号 → 京朝市监发.
    A manifest ``doc_no`` that is not one whole 文号 (京朝市监发[2021]12号) is a field, not text: its part
    before the first bracket or digit."""
    if doc_no is None:
        return ""
    if isinstance(doc_no, Span):
        return doc_no._.parts.get("prefix", "")
    d = _as_docs([doc_no])[0]
    numbers = [sp for sp in d.spans["DOC_NO"] if sp._.exact == (0, len(d.text))]
    if numbers:
        return numbers[0]._.parts.get("prefix", "")
    return re.split(r"[〔\[(（\d]", d.text, maxsplit=1)[0]


def _as_docs(items: Sequence[Text]) -> list[Doc]:
    """Docs for *items*: Docs as they are, strings parsed once with the front-matter groups (cached texts are
    not parsed again)."""
    texts = [t for t in items if not isinstance(t, Doc)]
    parsed = iter(docs(texts, front=True)) if texts else iter(())
    return [t if isinstance(t, Doc) else next(parsed) for t in items]


def mentions(doc: Doc, min_len: int = 2) -> list[tuple[int, str]]:
    """Division full names in *doc*, leftmost-longest, as (position, full name), read from its REGION spans
    (the longest name at each start); names shorter than *min_len* are ignored (城区, 郊区 are words in prose)."""
    out: list[tuple[int, str]] = []
    end = 0
    for sp in doc.spans["REGION"]:
        s, name = region_name(sp)
        if s >= end and len(name) >= min_len:
            out.append((s, name))
            end = s + len(name)
    return out


def _fulls(ds: Sequence[Doc], min_len: int) -> list[str]:
    return [f for d in ds for _, f in mentions(d, min_len)]


def _national_issuer(doc: Doc) -> bool:
    k = national_issuer_pattern()
    return any(sp._.pattern == k for sp in doc.spans["ISSUER"])


def national_evidence(title: Text | None, issuers: Sequence[Text], doc_no: Text | Span | None) -> str | None:
    """Where the text shows a national plan: ``issuer``, ``doc_no`` or ``title`` (None: not national)."""
    idocs = _as_docs(issuers)
    if any(mentions(d) for d in idocs):
        return None  # an issuer naming a division (宿州市市场监督管理局) is never national
    if any(_national_issuer(d) for d in idocs):
        return "issuer"
    if doc_no is not None and _rx("national", "doc_no").search(doc_no_prefix(doc_no)):
        return "doc_no"
    if title is not None:
        tdoc = _as_docs([title])[0]
        if _rx("national", "title").search(tdoc.text) and not mentions(tdoc):
            return "title"
    return None


def is_national_cite(cite: str) -> bool:
    return bool(_rx("national", "cite").search(cite))


def identify(title: Text | None, issuers: Sequence[Text], doc_no: Text | Span | None, cites: Sequence[Text],
             front: Sequence[Text], body: Sequence[Text]) -> RegionFinding:
    """The plan's region from its title, issuer lines, standalone document number, cited plans and text
    (each a parsed Doc or a string to parse; *body* is parsed only if a shared name needs it)."""
    title_docs = _as_docs([title] if title else [])
    issuer_docs = _as_docs(issuers)
    src = national_evidence(title_docs[0] if title_docs else None, issuer_docs, doc_no)
    if src:
        return RegionFinding(resolve_region(NATIONAL), "national", src)
    cite_docs, front_docs = _as_docs(cites), _as_docs(front)
    parsed_body: list[Doc] = []

    def body_docs() -> list[Doc]:
        if body and not parsed_body:
            parsed_body.extend(_as_docs(body))
        return parsed_body

    named = None
    for source, ds in (("title", title_docs), ("issuer", issuer_docs)):
        for d in ds:
            named = _named(d, issuer_docs + cite_docs, body_docs)
            if named:
                break
        if named:
            break
    if not named:
        source, named = "body", _most_frequent(front_docs)
    if not named:
        return RegionFinding()
    name, cands = named
    if len(cands) == 1:
        return RegionFinding(cands[0], cands[0].level, source)
    prefix = doc_no_prefix(doc_no)
    steps = (("issuer", lambda: _name_support(_fulls(issuer_docs, 2))),
             ("doc_no", lambda: lambda c: _doc_no_support(c, prefix)),
             ("cites", lambda: _name_support(_fulls(cite_docs, 2))),
             ("body", lambda: _name_support(_fulls(front_docs + body_docs(), 3))))
    for step, scorer in steps:
        if not cands:
            break
        score = scorer()
        s = {c.name: score(c) for c in cands}
        best = max(s.values())
        if best > 0:
            cands = [c for c in cands if s[c.name] == best]
            if len(cands) == 1:
                return RegionFinding(cands[0], cands[0].level, step)
    levels = {c.level for c in cands}
    return RegionFinding(None, levels.pop() if len(levels) == 1 else None, None, name, cands)


def _named(doc: Doc, context: list[Doc], body: Callable[[], list[Doc]]) -> tuple[str, list[RegionInfo]] | None:
    """The region *doc* (a title or issuer line) names, with its candidates agreeing with the line."""
    found = mentions(doc)
    # the ZONE span: a zone name opening the line or following a division name (合肥高新区…; never 创新区域)
    zs = doc.spans["ZONE"] if "ZONE" in doc.spans else ()
    zstart, zone = region_name(zs[0]) if zs else (0, "")
    zend = zstart + len(zone)
    if zone and not any(p <= zstart and p + len(f) >= zend for p, f in found):
        inner = [f for p, f in found if p < zend]
        cities = _cities_in(inner) or _alias_city(zone)
        if not cities:  # the zone's city named elsewhere: issuer line, cited plans, body
            for ds, min_len in ((lambda: context, 2), (body, 3)):
                cities = _cities_in(_fulls(ds(), min_len))
                if cities:
                    break
        if cities:
            return zone, [zone_region(_after(zone, c), c) for c in cities]
        return zone, []
    if not found:
        return None
    q = qualify([f for _, f in found])
    own = max(reversed([f for _, f in found]),
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


def _most_frequent(ds: list[Doc]) -> tuple[str, list[RegionInfo]] | None:
    """The division name the front matter repeats most (ties: the deeper level), with its candidates."""
    counts: dict[str, int] = {}
    for f in _fulls(ds, 3):
        counts[f] = counts.get(f, 0) + 1
    if not counts:
        return None
    q = qualify(list(counts))
    best = max(counts, key=lambda f: (counts[f], max(LEVEL_RANK.get(c.level, 0) for c in q[f])))
    return best, q[best]


def _name_support(fulls: list[str]) -> Callable[[RegionInfo], int]:
    """Scores a candidate by how many of the division names *fulls* are regions above it (or its own
    qualified name)."""
    def score(c: RegionInfo) -> int:
        above = ancestors(c)
        return sum(1 for f in fulls if f in above)
    return score


def _doc_no_support(c: RegionInfo, doc_no_prefix: str) -> int:
    """How well the region characters of a document-number prefix (京朝 in 京朝市监发) fit candidate *c*:
    each character must belong to a name on *c*'s chain (or be its province's 简称); a character counts
    by the depth of the deepest name holding it (南鼓: 南京 is nearer 鼓楼区 than 河南), else 0."""
    prefix = _rx("doc_no", "department").sub("", doc_no_prefix)
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
