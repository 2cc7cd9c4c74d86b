"""Administrative divisions from jionlp's maintained data (no hand-written list): names, levels and parents.

The division tree is a networkx graph (parent → child). A full name shared by several places
(鼓楼区, 朝阳区, 南山区 …) is never resolved on its own: each such place is known by its *qualified*
name (南京市鼓楼区), which is also its Region name in the graph, so two plans of different 鼓楼区 never
share a Region. :func:`candidates` lists the places a bare name may mean; :func:`find_mentions` finds
division names in running text; :func:`zone_region` places a development zone (开发区, 高新区, 新区)
under its city.
"""
from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx

from .pattern_files import pattern_file

NATIONAL = "中国"
NATIONAL_NAMES = ("中国", "全国", "国家", "中华人民共和国")


@dataclass(frozen=True, slots=True)
class RegionInfo:
    name: str  # unique name: the full name (宿州市), qualified by the parent when shared (南京市鼓楼区)
    level: str  # national | province | city | county
    parent: str | None  # unique name of the parent region
    province: str | None = None
    short: str | None = field(default=None, repr=False, compare=False)  # the full name as printed (鼓楼区)

    @property
    def full(self) -> str:
        return self.short or self.name

    def chain(self) -> list["RegionInfo"]:
        """This region and its ancestors up to the nation (a walk up the networkx division tree)."""
        tree = _tree()
        if self.name in tree:
            path = nx.shortest_path(tree, NATIONAL, self.name)
            return [_info(n) for n in reversed(path)]
        parent = resolve_region(self.parent) if self.parent else None  # a zone outside jionlp's data
        return [self] + (parent.chain() if parent else [])


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return pattern_file("plan_identity.toml")


@lru_cache(maxsize=1)
def _jio():
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        import jionlp
    return jionlp


@lru_cache(maxsize=1)
def _tree() -> nx.DiGraph:
    """The division tree (parent → child) keyed by unique name; node attributes: level, full, province, alias."""
    data = _jio().china_location_loader()
    skip = re.compile(_cfg()["divisions"]["pseudo_unit"])
    rows: list[tuple[str, str, str | None, str, list[str]]] = []  # full, level, parent key, province, aliases

    def aliases(v) -> list[str]:
        a = v.get("_alias") if isinstance(v, dict) else None
        return [a] if isinstance(a, str) else list(a or [])

    for prov, pv in data.items():
        if prov.startswith("_"):
            continue
        rows.append((prov, "province", None, prov, aliases(pv)))
        for city, cv in pv.items():
            if city.startswith("_"):
                continue
            pseudo = bool(skip.search(city))  # 省直辖行政区划: counties directly under the province
            if city != prov and not pseudo:  # a municipality (北京市) is its own city level
                rows.append((city, "city", prov, prov, aliases(cv)))
            parent = prov if (city == prov or pseudo) else city
            for county, v in cv.items():
                if not county.startswith("_") and not skip.search(county):
                    rows.append((county, "county", parent, prov, aliases(v)))
    counts: dict[str, int] = {}
    for full, *_ in rows:
        counts[full] = counts.get(full, 0) + 1
    tree = nx.DiGraph()
    tree.add_node(NATIONAL, level="national", full=NATIONAL, province=None, alias=[])
    # provinces and cities are unique by full name; a shared county name is qualified by its parent
    for full, level, parent, prov, als in rows:
        key = full if counts[full] == 1 or level != "county" else f"{parent}{full}"
        if key in tree:
            continue
        tree.add_node(key, level=level, full=full, province=prov, alias=als)
        tree.add_edge(parent or NATIONAL, key)
    return tree


def _info(key: str) -> RegionInfo:
    a = _tree().nodes[key]
    parent = next(iter(_tree().predecessors(key)), None)
    return RegionInfo(key, a["level"], parent, a["province"], a["full"] if a["full"] != key else None)


@lru_cache(maxsize=1)
def _by_full() -> dict[str, list[str]]:
    """Full name (鼓楼区) → unique names of every place called so; also alias → cities/provinces."""
    out: dict[str, list[str]] = {}
    for key, a in _tree().nodes(data=True):
        if key != NATIONAL:
            out.setdefault(a["full"], []).append(key)
    return out


@lru_cache(maxsize=1)
def _by_alias() -> dict[str, list[str]]:
    """Short name (宿州, 鹤岗) → provinces and cities called so (counties' short names are too generic)."""
    out: dict[str, list[str]] = {}
    for key, a in _tree().nodes(data=True):
        if a["level"] in ("province", "city"):
            for al in a["alias"]:
                if len(al) >= 2 and al != a["full"]:
                    out.setdefault(al, []).append(key)
    return out


@lru_cache(maxsize=1)
def _name_lengths() -> dict[str, tuple[int, ...]]:
    """First character → lengths of the full names starting with it (longest first), for scanning text."""
    out: dict[str, set[int]] = {}
    for full in _by_full():
        out.setdefault(full[0], set()).add(len(full))
    return {k: tuple(sorted(v, reverse=True)) for k, v in out.items()}


def candidates(name: str) -> list[RegionInfo]:
    """Every place a full name may mean (several for 鼓楼区), nearest the nation first, then by name."""
    keys = _by_full().get(name.strip(), [])
    return sorted((_info(k) for k in keys), key=lambda r: r.name)


def alias_regions(short: str) -> list[RegionInfo]:
    """Provinces and cities whose short name is *short* (宿州 → 宿州市)."""
    return [_info(k) for k in _by_alias().get(short, [])]


def ancestors(info: RegionInfo) -> set[str]:
    """Unique names of the regions above *info* (networkx ancestors in the division tree)."""
    if info.name in _tree():
        return set(nx.ancestors(_tree(), info.name))
    return {r.name for r in info.chain()[1:]}


def find_mentions(text: str, min_len: int = 2) -> list[tuple[int, str]]:
    """Division full names in *text*, leftmost-longest, as (position, full name); names shorter than
    *min_len* characters are ignored (two-character names such as 城区, 郊区 are ordinary words in prose)."""
    lengths = _name_lengths()
    names = _by_full()
    out: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        hit = None
        for ln in lengths.get(text[i], ()):
            if ln >= min_len and i + ln <= n and text[i:i + ln] in names:
                hit = text[i:i + ln]
                break
        if hit:
            out.append((i, hit))
            i += len(hit)
        else:
            i += 1
    return out


@lru_cache(maxsize=1)
def _removable() -> tuple[frozenset[str], dict[str, tuple[int, ...]]]:
    """What :func:`strip_names` removes: full names of 3+ characters, province and city short names."""
    names = {f for f in _by_full() if len(f) >= 3} | set(_by_alias())
    lengths: dict[str, set[int]] = {}
    for n in names:
        lengths.setdefault(n[0], set()).add(len(n))
    return frozenset(names), {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}


@lru_cache(maxsize=100_000)
def strip_names(text: str) -> str:
    """*text* without the division names in it, leftmost-longest: full names of 3+ characters (宿州市, 勃利县)
    and province/city short names (安徽, 宿州). Two-character names are left to :func:`is_short_county` on
    words, since inside text they are often parts of words (示范县 holds 范县, 城区 is a word).

    >>> strip_names("市级抽查宿州市生产企业产品质量合格率"), strip_names("食品安全示范县")
    ('市级抽查生产企业产品质量合格率', '食品安全示范县')
    """
    names, lengths = _removable()
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ln = next((ln for ln in lengths.get(text[i], ()) if i + ln <= n and text[i:i + ln] in names), 0)
        if ln:
            i += ln
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def _short_counties() -> frozenset[str]:
    rx = re.compile(_cfg()["divisions"]["strip_short"])
    return frozenset(f for f in _by_full() if len(f) == 2 and rx.search(f))


def is_short_county(word: str) -> bool:
    """A whole word that is a two-character county name (萧县, 泗县), as jieba cuts it from a name.

    >>> is_short_county("萧县"), is_short_county("城区")
    (True, False)
    """
    return word in _short_counties()


def name_starts(text: str) -> list[tuple[int, str]]:
    """At every position of *text* where a division full name starts, the longest such name (overlapping):
    the spaCy REGION span group, from which :func:`find_mentions`' leftmost-longest reading follows for any
    minimum length."""
    lengths = _name_lengths()
    names = _by_full()
    out: list[tuple[int, str]] = []
    n = len(text)
    for i, ch in enumerate(text):
        for ln in lengths.get(ch, ()):
            if i + ln <= n and text[i:i + ln] in names:
                out.append((i, text[i:i + ln]))
                break
    return out


def qualify(fulls: list[str]) -> dict[str, list[RegionInfo]]:
    """For names mentioned together (南京市, 鼓楼区), each name's candidates that agree with the others:
    the candidates with the most other mentioned names among their ancestors (all of them if none has any)."""
    cands = {f: candidates(f) for f in dict.fromkeys(fulls)}
    out: dict[str, list[RegionInfo]] = {}
    for f, cs in cands.items():
        others = {r.name for g, rs in cands.items() if g != f for r in rs}
        score = {c.name: len(ancestors(c) & others) for c in cs}
        best = max(score.values(), default=0)
        out[f] = [c for c in cs if score[c.name] == best] if best else cs
    return out


def zone_region(zone: str, city: RegionInfo) -> RegionInfo:
    """A development zone (高新区, 开发区, 新区 …) not in the division data: level county, under *city*.
    Its unique name is the city's name followed by the zone's own words (合肥高新区 → 合肥市高新区)."""
    rest = zone
    for prefix in (city.full, *sorted(_tree().nodes[city.name]["alias"] if city.name in _tree() else [], key=len,
                                      reverse=True)):
        if prefix and rest.startswith(prefix):
            rest = rest[len(prefix):]
            break
    info = RegionInfo(f"{city.name}{rest}", "county", city.name, city.province, zone)
    _ZONES[info.name] = info
    return info


_ZONES: dict[str, RegionInfo] = {}


def zone_pattern() -> re.Pattern:
    return re.compile(_cfg()["divisions"]["zone"])


@lru_cache(maxsize=4096)
def resolve_region(name: str) -> RegionInfo | None:
    """Resolve a name to a :class:`RegionInfo`, or None (unknown, or shared by several places).

    Accepts a unique full name, a qualified name (南京市鼓楼区, 江苏省南京市鼓楼区) and a zone under a
    named city (合肥市高新区).

    >>> resolve_region("宿州市")
    RegionInfo(name='宿州市', level='city', parent='安徽省', province='安徽省')
    >>> resolve_region("浙江省").level
    'province'
    >>> resolve_region("全国").level
    'national'
    >>> resolve_region("鼓楼区") is None
    True
    >>> resolve_region("南京市鼓楼区").parent
    '南京市'
    >>> resolve_region("会同省") is None
    True
    """
    name = name.strip()
    if name in NATIONAL_NAMES:
        return RegionInfo(NATIONAL, "national", None)
    if name in _tree():
        return _info(name)
    if name in _ZONES:
        return _ZONES[name]
    keys = _by_full().get(name)
    if keys:
        return _info(keys[0]) if len(keys) == 1 else None
    found = find_mentions(name)
    if not found or found[0][0] != 0:
        return None
    end = found[-1][0] + len(found[-1][1])
    q = qualify([f for _, f in found])
    last = q[found[-1][1]]
    if end == len(name):
        return last[0] if len(last) == 1 else None
    rest = name[end:]
    m = zone_pattern().fullmatch(rest)
    if m and len(last) == 1 and last[0].level in ("city", "province"):
        return zone_region(rest, last[0])
    return None


def province_abbreviations() -> dict[str, str]:
    """One-character 简称 → province full name (from the pattern file; used in document numbers)."""
    return dict(_cfg()["divisions"]["province_abbr"])
