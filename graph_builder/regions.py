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


@lru_cache(maxsize=4096)
def resolve_region(name: str) -> RegionInfo | None:
    """Resolve an administrative name (full or short) to a :class:`RegionInfo`, or None.

    >>> resolve_region("宿州市")
    RegionInfo(name='宿州市', level='city', parent='安徽省', province='安徽省')
    >>> resolve_region("浙江省").level
    'province'
    >>> resolve_region("全国").level
    'national'
    """
    name = name.strip()
    if name in ("中国", "全国", "国家", "中华人民共和国"):
        return RegionInfo(NATIONAL, "national", None)
    if len(name) < 2 or not re.search(r"(省|自治区|市|自治州|地区|盟|县|区|旗)$", name):
        return None
    jio = _jio()
    with contextlib.redirect_stdout(io.StringIO()):
        loc = jio.parse_location(name, town_village=False, change2new=True)
    prov, city, county = loc.get("province"), loc.get("city"), loc.get("county")
    if name.endswith(("省", "自治区")):
        return RegionInfo(prov, "province", NATIONAL, prov) if prov == name and not city else None
    if county and name == county:
        return RegionInfo(county, "county", city or prov, prov)
    if city and name in (city, city[:-1]) and not county:
        if city == prov:  # municipality (北京市): treat as province level
            return RegionInfo(prov, "province", NATIONAL, prov)
        return RegionInfo(city, "city", prov, prov)
    if prov and name in (prov,) and not city:
        return RegionInfo(prov, "province", NATIONAL, prov)
    return None
