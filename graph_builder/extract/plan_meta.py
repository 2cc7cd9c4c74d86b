"""Plan metadata (title, region, level, issuer, date, document number, cited upper plans) from the front matter.

Every entity here is a span of the spaCy ``plan_front`` component (entities.toml ``[front]``): the front
paragraphs and the first body paragraphs are parsed once with :func:`graph_builder.nlp.docs` and read through
``doc.spans`` (NOTICE_TITLE, NOTICE_ISSUER, DOC_NO, DATE, ISSUER, PLAN_TITLE, CITED_PLAN, UPPER_PLAN).
This module only decides between them (which line wins, what the manifest overrides); it runs no patterns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span

from ..errors import ParseError
from ..nlp import docs
from ..normalize import Paragraph, to_match
from ..pattern_files import pattern_file
from ..regions import RegionInfo, candidates, resolve_region
from .plan_region import identify

#: An issuer line is short; a longer paragraph matching an issuer pattern is prose.
MAX_ISSUER_CHARS = 32


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return pattern_file("plan_meta.toml")


def _exact(doc: Doc, sp: Span) -> str:
    """The matched text of a span (spans are widened to token boundaries; ``_.exact`` is the match)."""
    return doc.text[slice(*sp._.exact)]


def cited_plans(doc: Doc) -> list[str]:
    """Titles of the plans *doc* cites: its CITED_PLAN spans (a citation whose title reads as a plan)."""
    return [sp._.parts["title"] for sp in doc.spans["CITED_PLAN"]]


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
    texts = [p.text for p in front]
    parsed = docs(texts + [q.text for q in first_body], front=True)  # one nlp.pipe: front matter + first body
    front_docs = parsed[:len(front)]
    issuers: list[str] = []
    standalone_no: str | Span | None = None  # the DOC_NO span of a line holding only the number
    title_line = 1
    for p, t, doc in zip(front, texts, front_docs):
        notice = doc.spans["NOTICE_TITLE"]
        if notice and not meta.title:
            meta.title = _display_slice(p.display, t, notice[0]._.parts["title"])
            title_line = p.line
            named = doc.spans["NOTICE_ISSUER"]
            if named and not t.startswith("关于"):
                issuers.append(named[0]._.parts["issuer"])
        numbers = doc.spans["DOC_NO"]
        if numbers and not meta.doc_no:
            meta.doc_no = _exact(doc, numbers[0])
        if numbers and standalone_no is None and _exact(doc, numbers[0]) == t.strip():
            standalone_no = numbers[0]
        dates = doc.spans["DATE"]
        if dates and not meta.date:
            d = dates[0]._.parts
            meta.date = f"{d['year']}-{int(d['month']):02d}" + (f"-{int(d['day']):02d}" if d.get("day") else "")
        if len(t) <= MAX_ISSUER_CHARS and doc.spans["ISSUER"]:
            issuers.append(t.strip())
            if not meta.issuer:
                meta.issuer = p.display.strip()
    if not meta.issuer and issuers:
        meta.issuer = issuers[0]
    if not meta.title:
        for p, t, doc in zip(front, texts, front_docs):
            lines = doc.spans["PLAN_TITLE"]
            if lines and "印发" not in t and "通知" not in t:
                title = lines[0]._.parts["title"]
                meta.title = _display_tail(p.display, t, len(t) - len(title), title)
                title_line = p.line
                break
    for doc in parsed:
        for c in cited_plans(doc):
            if c not in meta.cites and (not meta.title or to_match(meta.title) not in c):
                meta.cites.append(c)
        for sp in doc.spans["UPPER_PLAN"]:
            if _exact(doc, sp) not in meta.cites:
                meta.cites.append(_exact(doc, sp))
    ov = {k: v for k, v in (overrides or {}).items() if k in OVERRIDABLE and v is not None}
    for k in ("title", "issuer", "date", "doc_no"):
        if k in ov:
            setattr(meta, k, ov[k])
            if k == "issuer":
                issuers.insert(0, to_match(ov[k]))
    if "doc_no" in ov:
        standalone_no = to_match(ov["doc_no"])
    region_docs = parsed[:len(front) + min(3, len(first_body))]  # front matter + first 3 body paragraphs
    if "region" in ov:
        meta.region = resolve_region(str(ov["region"]))
        if meta.region is None:
            raise ParseError(f"{manifest_name}: region “{ov['region']}” 不是唯一的行政区名称（同名时请写明上级，如 南京市鼓楼区）")
        meta.level, meta.region_source = meta.region.level, "manifest"
    elif ov.get("level") == "national":
        meta.region, meta.level, meta.region_source = resolve_region("中国"), "national", "manifest"
    else:
        found = identify(to_match(meta.title) if meta.title else None, issuers, standalone_no, meta.cites,
                         region_docs, [q.text for q in (body or [])])
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


def _display_slice(display: str, text: str, matched: str) -> str:
    """The printed form of a matched substring of *text* (``to_match(display)``) when the two align, else *matched*."""
    i = text.find(matched)
    return display[i:i + len(matched)] if i >= 0 and len(display) == len(text) else matched


def _display_tail(display: str, text: str, start: int, matched: str) -> str:
    """The printed form of ``text[start:]`` (*text* is *display* without whitespace, otherwise character for
    character) — whitespace inside kept; *matched* when the two do not align (NFKC changed a length)."""
    pos = [i for i, ch in enumerate(display) if not ch.isspace()]
    if len(pos) != len(text) or start >= len(pos):
        return matched
    return display[pos[start]:].strip()


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
