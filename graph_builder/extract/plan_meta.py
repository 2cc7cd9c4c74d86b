"""Plan metadata (title, region, level, issuer, date, document number, cited upper plans) from the front matter."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..pattern_files import pattern_file
from ..errors import ParseError
from ..nlp import docs, span_patterns
from ..normalize import Paragraph, to_match
from ..regions import RegionInfo, candidates, resolve_region
from .plan_region import _cfg as _id_cfg
from .plan_region import identify


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return pattern_file("plan_meta.toml")


def _rx(name: str) -> re.Pattern:
    return re.compile(_cfg()["patterns"][name])


def _id_rx(section: str, key: str) -> re.Pattern:
    return re.compile(_id_cfg()[section][key])


def cited_plans(doc) -> list[str]:
    """Titles of the plans *doc* cites: its CITATION spans whose title reads as a plan (``cites`` pattern)."""
    out = []
    for sp in doc.spans["CITATION"]:
        m = _rx("cites").fullmatch(doc.text[slice(*sp._.exact)])
        if m:
            out.append(m.group(1))
    return out


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
    level: str | None = None
    region_source: str | None = None  # title | issuer | doc_no | cites | body | manifest
    level_source: str | None = None
    warnings: list[tuple[int, str]] = field(default_factory=list)


OVERRIDABLE = ("title", "issuer", "date", "doc_no", "region", "level")


def read_meta(front: list[Paragraph], first_body: list[Paragraph], overrides: dict | None = None,
              body: list[Paragraph] | None = None, manifest_name: str = "data/manifest.toml") -> PlanMeta:
    """Read metadata from the paragraphs before the first heading (*front*) and the first body paragraphs.

    *overrides* (the file's manifest entry) win over what the text says; ``region``/``level`` are
    recorded as ``region_source``/``level_source`` = ``manifest``. *body* (more of the text) only
    narrows a division name shared by several places.
    """
    meta = PlanMeta()
    texts = [(p, to_match(p.display)) for p in front]
    issuers: list[str] = []
    standalone_no: str | None = None
    title_line = 1
    for p, t in texts:
        m = _rx("notice_title").search(t) or _id_rx("notice", "plain_title").search(t)
        if m and not meta.title:
            meta.title = _display_slice(p.display, m.group(1))
            title_line = p.line
            im = _id_rx("notice", "issuer").match(t)
            if im and not t.startswith("关于"):
                issuers.append(im.group(1))
        m = _rx("doc_no").search(t)
        if m and not meta.doc_no:
            meta.doc_no = m.group(1)
        if m and standalone_no is None and m.group(1) == t.strip():
            standalone_no = m.group(1)
        m = _rx("date").match(t)
        if m and not meta.date:
            y, mo, d = m.groups()
            meta.date = f"{y}-{int(mo):02d}" + (f"-{int(d):02d}" if d else "")
        if len(t) <= 32 and (_rx("issuer").match(t) or _id_rx("national", "issuer").search(t)):
            issuers.append(t.strip())
            if not meta.issuer:
                meta.issuer = p.display.strip()
    if not meta.issuer and issuers:
        meta.issuer = issuers[0]
    if not meta.title:
        for p, t in texts:
            m = _rx("title_line").match(t)
            if m and "印发" not in t and "通知" not in t:
                meta.title = re.sub(r"^[(（][^)）]{1,10}[)）]", "", p.display.strip())
                title_line = p.line
                break
    cite_texts = [t for _, t in texts] + [to_match(q.display) for q in first_body]
    citing = [t for t in cite_texts if span_patterns()["CITATION"].search(t)]  # parse only these (jieba)
    parsed = dict(zip(citing, docs(citing)))
    for t in cite_texts:
        for c in cited_plans(parsed[t]) if t in parsed else ():
            if c not in meta.cites and (not meta.title or to_match(meta.title) not in c):
                meta.cites.append(c)
        for c in _rx("upper_phrase").findall(t):
            if c not in meta.cites:
                meta.cites.append(c)
    ov = {k: v for k, v in (overrides or {}).items() if k in OVERRIDABLE and v is not None}
    for k in ("title", "issuer", "date", "doc_no"):
        if k in ov:
            setattr(meta, k, ov[k])
            if k == "issuer":
                issuers.insert(0, to_match(ov[k]))
    if "doc_no" in ov:
        standalone_no = to_match(ov["doc_no"])
    front_texts = [t for _, t in texts] + [to_match(q.display) for q in first_body[:3]]
    if "region" in ov:
        meta.region = resolve_region(str(ov["region"]))
        if meta.region is None:
            raise ParseError(f"{manifest_name}: region “{ov['region']}” 不是唯一的行政区名称（同名时请写明上级，如 南京市鼓楼区）")
        meta.level, meta.region_source = meta.region.level, "manifest"
    elif ov.get("level") == "national":
        meta.region, meta.level, meta.region_source = resolve_region("中国"), "national", "manifest"
    else:
        found = identify(to_match(meta.title) if meta.title else None, issuers, standalone_no, meta.cites,
                         front_texts, [to_match(q.display) for q in (body or [])])
        meta.region, meta.level, meta.region_source = found.region, found.level, found.source
        if found.region is None and found.candidates:
            names = "、".join(_qualified(c) for c in found.candidates)
            meta.warnings.append((title_line, f"“{found.name}”有多个同名行政区：{names}；无法确定，"
                                              f"请在 {manifest_name} 中为该文件设置 region（如 region = \"{found.candidates[0].name}\"）"))
        elif found.region is None and found.name:
            meta.warnings.append((title_line, f"无法确定“{found.name}”所属的城市；请在 {manifest_name} 中为该文件设置 region"))
    if "level" in ov:
        meta.level, meta.level_source = str(ov["level"]), "manifest"
    if meta.region and not meta.title:
        meta.title = f"{meta.region.name}市场监管“十四五”规划"
        meta.title_inferred = True
    if not meta.issuer and meta.region and meta.region.level != "national":
        meta.issuer = meta.region.name + _cfg()["defaults"]["issuer_suffix"]
        meta.issuer_inferred = True
    return meta


def _qualified(r: RegionInfo) -> str:
    """A candidate as people write it: 江苏省南京市鼓楼区."""
    chain = [x for x in reversed(r.chain()) if x.level != "national"]
    out = ""
    for x in chain:
        out += x.full if not out.endswith(x.full) else ""
    return out


def _display_slice(display: str, matched: str) -> str:
    """The printed form of a matched (normalised) substring when it can be found, else the normalised one."""
    i = to_match(display).find(matched)
    return display[i:i + len(matched)] if i >= 0 and len(display) == len(to_match(display)) else matched


def plan_identity_props(meta: PlanMeta) -> dict:
    """Plan properties recording where the region and level came from (flat, for both stores)."""
    out: dict = {}
    if meta.region_source:
        out["region_source"] = meta.region_source
    if meta.level_source:
        out["level_source"] = meta.level_source
    return out


def check_override(entry: dict) -> str | None:
    """What is wrong with one manifest entry's ``region``/``level`` (a Chinese message), or None."""
    from ..models import LEVELS

    region, level = entry.get("region"), entry.get("level")
    if region is not None:
        if not isinstance(region, str) or resolve_region(region) is None:
            names = "、".join(_qualified(c) for c in candidates(str(region)))
            hint = f"同名行政区：{names}，请写明上级（如 {candidates(str(region))[0].name}）" if names else "不是已知的行政区名称"
            return f"region “{region}” {hint}"
    if level is not None and level not in LEVELS:
        return f"level “{level}” 应为 {'、'.join(LEVELS)} 之一"
    return None
