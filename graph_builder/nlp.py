"""spaCy pipeline for plan text: ``spacy.blank("zh")`` with the jieba segmenter and rule components.

No model is downloaded. The ``plan_entities`` component (registered with ``Language.factory``) marks
AGENCY, REGION, CITATION, DEADLINE and QUANTITY spans from regular expressions kept in data files, so the
patterns can change without touching code.

>>> nlp = get_nlp()
>>> [e.label_ for e in nlp("由省市场监管局牵头，到2025年完成《质量促进条例》修订").ents]
['AGENCY', 'DEADLINE', 'CITATION']
"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from .pattern_files import pattern_file


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


@Language.factory("plan_entities")
def make_plan_entities(nlp: Language, name: str):
    return PlanEntities()


class PlanEntities:
    """Rule component: regex spans (patterns from data files) → ``doc.ents``."""

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for m in agency_regex().finditer(doc.text):
            sp = doc.char_span(m.start(), m.end(), label="AGENCY", alignment_mode="expand")
            if sp is not None:
                spans.append(sp)
        for label, rx in span_patterns().items():
            for m in rx.finditer(doc.text):
                start = m.start()
                if label == "REGION":  # "在砀山县": the division is a tail of the match
                    start = next((m.start() + k for k in range(len(m.group(0)) - 1) if _is_region(m.group(0)[k:])), None)
                    if start is None:
                        continue
                sp = doc.char_span(start, m.end(), label=label, alignment_mode="expand")
                if sp is not None:
                    spans.append(sp)
        doc.ents = filter_spans(spans)
        return doc


def _is_region(name: str) -> bool:
    from .regions import resolve_region

    return resolve_region(name) is not None


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The shared pipeline, built once per process (jieba's dictionary load is the slow part)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("plan_entities")
    return nlp
