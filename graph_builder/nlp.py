"""spaCy pipeline for plan text: ``spacy.blank("zh")`` with the jieba segmenter and rule components.

No model is downloaded. The ``plan_entities`` component (``Language.factory``, declaring what it assigns)
marks AGENCY, REGION, CITATION, DEADLINE, QUANTITY, TARGET and RESPONSIBILITY (牵头/配合/负责 cue) spans,
from regular expressions kept in data files (entities.toml, agencies.toml), so the patterns change without
touching code. REGION spans come from a dictionary, jionlp's division names (``regions.name_starts``): at
each position where a name starts, the longest one (overlapping spans; shared names such as 鼓楼区 included). The ``plan_front`` component marks a plan's front-matter entities (FRONT_GROUPS: notice title
and issuer, document number, date, issuer line, title line, cited plans; entities.toml ``[front]`` and
plan_identity.toml's national issuers) on front-matter paragraphs only (``docs(texts, front=True)``).
Consumers (responsibility, extract, extract.plan_meta, extract.indicators) read ``doc.spans``; they do not
rerun patterns.

>>> nlp = get_nlp()
>>> [e.label_ for e in nlp("由省市场监管局牵头，到2025年完成《质量促进条例》修订").ents]
['AGENCY', 'DEADLINE', 'CITATION']
"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .pattern_files import FRONT_LABELS, pattern_file
from .regions import name_starts


@lru_cache(maxsize=1)
def agency_config() -> dict:
    return pattern_file("agencies.toml")


def _alt(words) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


@lru_cache(maxsize=1)
def agency_regex() -> re.Pattern:
    cfg = agency_config()
    national = _alt(a for n in cfg["national"] for a in n["aliases"])
    local = _alt(a for n in cfg["agency"] for a in n["aliases"])
    generic = _alt(cfg["generic"]["prefixes"])
    region = r"[\u4e00-\u9fff]{2,6}?(?:省|自治区|市(?!场)|县|区)"
    return re.compile(
        rf"(?P<national>{national})"
        rf"|(?P<generic>(?:{generic})(?:{local}))"
        rf"|(?P<prefix>{region}|省|市(?!场)|县|区)?(?P<local>{local})")


@lru_cache(maxsize=1)
def span_patterns() -> dict[str, re.Pattern]:
    raw = pattern_file("entities.toml")
    return {label: re.compile(rx) for label, rx in raw["patterns"].items()}


@lru_cache(maxsize=1)
def front_patterns() -> dict[str, tuple[re.Pattern, ...]]:
    """Front-matter span patterns per label, in order of preference (entities.toml ``[front]``); an ISSUER
    line is also any national body's (plan_identity.toml ``[national] issuer``, shared with plan_region)."""
    out = {label: tuple(map(re.compile, rxs)) for label, rxs in pattern_file("entities.toml")["front"].items()}
    out["ISSUER"] += (re.compile(pattern_file("plan_identity.toml")["national"]["issuer"]),)
    return out


#: Span groups ``plan_entities`` fills on every doc (``doc.spans[NAME]``); ``doc.ents`` holds the
#: non-overlapping subset of AGENCY, REGION, CITATION, DEADLINE and QUANTITY.
SPAN_GROUPS = ("AGENCY", "REGION", "CITATION", "DEADLINE", "QUANTITY", "TARGET", "RESPONSIBILITY")
_ENT_GROUPS = ("AGENCY", "REGION", "CITATION", "DEADLINE", "QUANTITY")
#: Span groups ``plan_front`` fills on front-matter docs only (``docs(..., front=True)``): one paragraph per
#: doc, so ^/$ are the paragraph's ends. Not part of ``doc.ents``.
#: ZONE: a development zone (plan_identity.toml ``[divisions] zone``) opening the paragraph or right after a
#: division name (合肥高新区…, 南京市江北新区…; never 创新区域) — name in ``kb_id``, start character in ``id``.
FRONT_GROUPS = FRONT_LABELS + ("ZONE",)

# Spans are widened to jieba token boundaries ("由省发展改革委"); the exact match travels with the span so
# consumers never search the text again: ``span._.exact`` = (start_char, end_char), ``span._.parts`` = the
# pattern's named groups (agency parts; TARGET cmp/num/unit/post; front groups e.g. title, issuer, year/month/day).
# RESPONSIBILITY spans are labelled with their cue kind (CUE_KINDS); a front span's ``pattern`` is the index of
# the pattern that found it (0 = the preferred form).
for _ext in ("exact", "parts", "pattern"):
    Span.set_extension(_ext, default=None, force=True)



@Language.factory("plan_entities", assigns=["doc.ents", "doc.spans", "span._.exact", "span._.parts"])
def make_plan_entities(nlp: Language, name: str):
    return PlanEntities()


@Language.factory("plan_front", assigns=["doc.spans", "span._.exact", "span._.parts", "span._.pattern"])
def make_plan_front(nlp: Language, name: str):
    return PlanFront()


CUE_KINDS = ("lead_before", "lead_after", "support_before", "support_after")


@lru_cache(maxsize=1)
def cue_patterns() -> dict[str, re.Pattern]:
    """Responsibility cue words per kind (agencies.toml ``[roles]``); the span label is the kind."""
    roles = agency_config()["roles"]
    return {k: re.compile(_alt(roles[k])) for k in CUE_KINDS}


class PlanEntities:
    """Rule component: regex spans (patterns from data files) → ``doc.spans[GROUP]`` for every GROUP in
    :data:`SPAN_GROUPS` (spaCy's ``assigns`` names only ``doc.spans``) and ``doc.ents``."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        groups: dict[str, list[Span]] = {g: [] for g in SPAN_GROUPS}

        def add(group: str, start: int, end: int, label: str | None = None, **ext) -> None:
            sp = _span(doc, start, end, label or group, **ext)
            if sp is not None:
                groups[group].append(sp)

        for m in agency_regex().finditer(text):
            add("AGENCY", m.start(), m.end(), parts={k: v for k, v in m.groupdict().items() if v})
        for cue, rx in cue_patterns().items():
            for m in rx.finditer(text):
                add("RESPONSIBILITY", m.start(), m.end(), label=cue)
        # Dictionary entities: jionlp's division names, overlapping. Several may widen to the same tokens
        # (河东区 / 东区), whose ``_`` values spaCy would share, so the name travels as kb_id and its start
        # character as the span's id: ``region_name(span)``.
        for start, full in name_starts(text):
            sp = doc.char_span(start, start + len(full), label="REGION", kb_id=full, span_id=start,
                               alignment_mode="expand")
            if sp is not None:
                groups["REGION"].append(sp)
        for label, rx in span_patterns().items():
            for m in rx.finditer(text):
                add(label, m.start(), m.end(), parts={k: v for k, v in m.groupdict().items() if v})
        for g, spans in groups.items():
            doc.spans[g] = spans
        doc.ents = filter_spans([sp for g in _ENT_GROUPS for sp in groups[g]])
        return doc


class PlanFront:
    """Rule component for a plan's front matter (entities.toml ``[front]``) → ``doc.spans[GROUP]`` for every
    GROUP in :data:`FRONT_GROUPS`, in pattern order (the preferred form first). Disabled in the shared
    pipeline: only front-matter paragraphs pay for it (:func:`docs` with ``front=True``)."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        for label, rxs in front_patterns().items():
            spans = []
            for i, rx in enumerate(rxs):
                for m in rx.finditer(text):
                    sp = _span(doc, m.start(), m.end(), label, pattern=i,
                               parts={k: v for k, v in m.groupdict().items() if v})
                    if sp is not None:
                        spans.append(sp)
            doc.spans[label] = spans
        doc.spans["ZONE"] = _zone_spans(doc)
        return doc


def _zone_spans(doc: Doc) -> list[Span]:
    """The first development zone at the paragraph start or where a division name (REGION, leftmost-longest,
    two characters or more) ends: the zone pattern is tried at those positions only."""
    from .regions import zone_pattern

    starts, end = [0], 0
    for sp in doc.spans["REGION"]:
        s, name = region_name(sp)
        if s >= end and len(name) >= 2:
            end = s + len(name)
            starts.append(end)
    for pos in starts:
        m = zone_pattern().match(doc.text, pos)
        if m:
            sp = doc.char_span(m.start(1), m.end(1), label="ZONE", kb_id=m.group(1), span_id=m.start(1),
                               alignment_mode="expand")
            return [sp] if sp is not None else []
    return []


def _span(doc: Doc, start: int, end: int, label: str, **ext) -> Span | None:
    """The span of characters start..end widened to token boundaries, carrying the exact match."""
    sp = doc.char_span(start, end, label=label, alignment_mode="expand")
    if sp is None:
        return None
    sp._.exact = (start, end)
    for k, v in ext.items():
        setattr(sp._, k, v)
    return sp


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline, built once per process (jieba's dictionary load is the slow part)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("plan_entities")
    nlp.add_pipe("plan_front")
    nlp.disable_pipe("plan_front")  # run by docs(front=True) on front-matter paragraphs only
    return nlp


#: Recently parsed texts → Doc, so the build's stages share one tokenisation of each item (extraction reads
#: DEADLINE/CITATION, the responsibility pass reads AGENCY/RESPONSIBILITY of the same item texts).
_RECENT: dict[str, Doc] = {}
_RECENT_MAX = 2_000  # bounded: Docs are heavy; past this a later stage parses again (same result)


def docs(texts: list[str], *, front: bool = False, batch_size: int = 256) -> list[Doc]:
    """``nlp.pipe`` over the *texts* not parsed recently (one call per build stage, not one per paragraph).

    *front*: the texts are front-matter paragraphs; their docs also get the ``plan_front`` span groups."""
    nlp = get_nlp()
    todo = list(dict.fromkeys(t for t in texts if t not in _RECENT))
    parsed = dict(zip(todo, nlp.pipe(todo, batch_size=batch_size))) if todo else {}
    out = [parsed[t] if t in parsed else _RECENT[t] for t in texts]  # before any eviction below
    if front:
        mark = nlp.get_pipe("plan_front")
        for d in out:
            if FRONT_GROUPS[0] not in d.spans:
                mark(d)
    if len(_RECENT) + len(parsed) > _RECENT_MAX:
        _RECENT.clear()
    if len(parsed) <= _RECENT_MAX:
        _RECENT.update(parsed)
    return out


def forget_parsed() -> None:
    """Drop the parsed texts kept for the next stage (start of a build: nothing carries over between builds)."""
    _RECENT.clear()


def reset() -> None:
    """Forget the pattern files and parsed texts (after a pattern file changed)."""
    for f in (agency_config, agency_regex, span_patterns, front_patterns, cue_patterns, get_nlp):
        f.cache_clear()
    _RECENT.clear()


def national_issuer_pattern() -> int:
    """The ``span._.pattern`` of an ISSUER span found by plan_identity.toml's national issuer pattern."""
    return len(front_patterns()["ISSUER"]) - 1


def region_name(span: Span) -> tuple[int, str]:
    """A REGION span's division name as printed and its start character in the doc text."""
    return span.id, span.kb_id_
