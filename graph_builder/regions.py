"""Administrative divisions from jionlp's maintained data (no hand-written list): names, levels and parents."""
from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache

NATIONAL = "中国"


@dataclass(frozen=True, slots=True)
class RegionInfo:
    name: str  # full name, e.g. 宿州市
    level: str  # national | province | city | county
    parent: str | None  # full name of the parent region
    province: str | None = None

    def chain(self) -> list["RegionInfo"]:
        """This region and its ancestors up to the nation."""
        out = [self]
        cur = self
        while cur.parent:
            nxt = resolve_region(cur.parent)
            if nxt is None or nxt in out:
                break
            out.append(nxt)
            cur = nxt
        return out


@lru_cache(maxsize=1)
def _jio():
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        import jionlp
    return jionlp


@lru_cache(maxsize=1)
def _index() -> dict[str, RegionInfo | None]:
    """Every division's full name → RegionInfo, from jionlp's maintained data (None where a name is ambiguous)."""
    data = _jio().china_location_loader()
    idx: dict[str, RegionInfo | None] = {}

    def put(info: RegionInfo) -> None:
        idx[info.name] = None if info.name in idx and idx[info.name] != info else info

    for prov, pv in data.items():
        if prov.startswith("_"):
            continue
        put(RegionInfo(prov, "province", NATIONAL, prov))
        for city, cv in pv.items():
            if city.startswith("_"):
                continue
            if city != prov:  # a municipality (北京市) is its own city level
                put(RegionInfo(city, "city", prov, prov))
            for county in cv:
                if not county.startswith("_"):
                    put(RegionInfo(county, "county", city if city != prov else prov, prov))
    return idx


@lru_cache(maxsize=4096)
def resolve_region(name: str) -> RegionInfo | None:
    """Resolve a full administrative name to a :class:`RegionInfo`, or None (unknown or ambiguous).

    >>> resolve_region("宿州市")
    RegionInfo(name='宿州市', level='city', parent='安徽省', province='安徽省')
    >>> resolve_region("浙江省").level
    'province'
    >>> resolve_region("全国").level
    'national'
    >>> resolve_region("会同省") is None
    True
    """
    name = name.strip()
    if name in ("中国", "全国", "国家", "中华人民共和国"):
        return RegionInfo(NATIONAL, "national", None)
    if len(name) < 2 or not re.search(r"(省|自治区|市|自治州|地区|盟|县|区|旗)$", name):
        return None
    return _index().get(name)
