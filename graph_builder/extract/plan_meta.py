"""Plan metadata (title, region, level, issuer, date, document number, cited upper plans) from the front matter."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..normalize import Paragraph, to_match
from ..regions import RegionInfo, resolve_region


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return tomllib.loads(resources.files("graph_builder.patterns").joinpath("plan_meta.toml").read_text("utf-8"))


def _rx(name: str) -> re.Pattern:
    return re.compile(_cfg()["patterns"][name])


@dataclass(slots=True)
class PlanMeta:
    title: str | None = None
    region: RegionInfo | None = None
    issuer: str | None = None
    issuer_inferred: bool = False
    date: str | None = None
    doc_no: str | None = None
    cites: list[str] = field(default_factory=list)
    title_inferred: bool = False


def read_meta(front: list[Paragraph], first_body: list[Paragraph]) -> PlanMeta:
    """Read metadata from the paragraphs before the first heading (*front*) and the first body paragraphs."""
    meta = PlanMeta()
    texts = [(p, to_match(p.display)) for p in front]
    for p, t in texts:
        m = _rx("notice_title").search(t)
        if m and not meta.title:
            meta.title = _display_slice(p.display, m.group(1))
        m = _rx("doc_no").search(t)
        if m and not meta.doc_no:
            meta.doc_no = m.group(1)
        m = _rx("date").match(t)
        if m and not meta.date:
            y, mo, d = m.groups()
            meta.date = f"{y}-{int(mo):02d}" + (f"-{int(d):02d}" if d else "")
        m = _rx("issuer").match(t)
        if m and not meta.issuer and len(t) <= 32:
            meta.issuer = p.display.strip()
    if not meta.title:
        for p, t in texts:
            m = _rx("title_line").match(t)
            if m and "印发" not in t and "通知" not in t:
                meta.title = re.sub(r"^[(（][^)）]{1,10}[)）]", "", p.display.strip())
                break
    for p, t in texts + [(q, to_match(q.display)) for q in first_body]:
        for c in _rx("cites").findall(t):
            if c not in meta.cites and (not meta.title or to_match(meta.title) not in c):
                meta.cites.append(c)
        for c in _rx("upper_phrase").findall(t):
            if c not in meta.cites:
                meta.cites.append(c)
    meta.region = _find_region(meta.title, [t for _, t in texts] + [to_match(q.display) for q in first_body[:3]])
    if meta.region and not meta.title:
        meta.title = f"{meta.region.name}市场监管“十四五”规划"
        meta.title_inferred = True
    if not meta.issuer and meta.region:
        meta.issuer = meta.region.name + _cfg()["defaults"]["issuer_suffix"]
        meta.issuer_inferred = True
    return meta


def _display_slice(display: str, matched: str) -> str:
    """The printed form of a matched (normalised) substring when it can be found, else the normalised one."""
    i = to_match(display).find(matched)
    return display[i:i + len(matched)] if i >= 0 and len(display) == len(to_match(display)) else matched


def _find_region(title: str | None, texts: list[str]) -> RegionInfo | None:
    rx = _rx("region_candidate")
    if title:
        for cand in rx.findall(to_match(title)):
            r = resolve_region(cand)
            if r:
                return r
    counts: dict[str, int] = {}
    for t in texts:
        for cand in rx.findall(t):
            counts[cand] = counts.get(cand, 0) + 1
    for cand, _ in sorted(counts.items(), key=lambda kv: -kv[1]):
        r = resolve_region(cand)
        if r:
            return r
    return None
