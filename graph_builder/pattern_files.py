"""The one loader for pattern and word-list files under ``graph_builder/patterns/`` — typed and validated.

Every ``*.toml`` there has a schema in :data:`SCHEMAS` (keys, value types, which strings are regular
expressions). :func:`pattern_file` returns a file's validated content; :func:`validate_all` checks every
file at start-up (the CLI calls it), so a typo in a pattern file is one line naming the file, the key and
the problem — :class:`~graph_builder.errors.PatternError`, exit code 4 — instead of an error per document.

Schema notation: a Python type; ``REGEX`` (a string that must compile); ``[s]`` (a list of ``s``);
``{key: s}`` with ``"key?"`` for optional keys and ``"*"`` for any further keys (without ``"*"`` an unknown
key is an error, which catches misspelt keys). ``ANY`` accepts everything.
``link.toml`` is typed further by :mod:`graph_builder.link.config` (dataclasses). Every module reads its
shipped file through :func:`pattern_file`; only user-supplied files (``--config``, ``--units``) are read
directly, by the module that owns their format.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .errors import PatternError

REGEX = "regex"
ANY = "any"
NUM = (int, float)


def _path(name: str) -> str:
    return f"graph_builder/patterns/{name}"


def read_toml(name: str) -> dict[str, Any]:
    """Parse one pattern file; a syntax error is a :class:`PatternError` naming the file and line."""
    try:
        text = resources.files("graph_builder.patterns").joinpath(name).read_text("utf-8")
    except OSError as exc:
        raise PatternError(_path(name), "-", f"无法读取：{exc.strerror or exc}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PatternError(_path(name), "-", f"TOML 语法错误：{exc}") from exc


def check(value: Any, schema: Any, file: str, key: str = "") -> None:
    """Raise :class:`PatternError` at the first place *value* does not fit *schema*."""
    where = key or "(顶层)"
    if schema is ANY:
        return
    if schema is REGEX:
        if not isinstance(value, str):
            raise PatternError(file, where, f"应为正则表达式字符串，实际是 {type(value).__name__}")
        try:
            re.compile(value)
        except re.error as exc:
            raise PatternError(file, where, f"正则表达式无效：{exc}") from exc
        return
    if isinstance(schema, list):
        if not isinstance(value, list):
            raise PatternError(file, where, f"应为列表，实际是 {type(value).__name__}")
        for i, v in enumerate(value):
            check(v, schema[0], file, f"{key}[{i}]")
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise PatternError(file, where, f"应为表（table），实际是 {type(value).__name__}")
        for k, v in value.items():  # unknown keys first: a misspelt key also looks like a missing one
            sub = schema.get(k, schema.get(f"{k}?", schema.get("*")))
            if sub is None:
                known = sorted(s.rstrip("?") for s in schema if s != "*")
                raise PatternError(file, f"{key}.{k}" if key else k, f"未知的键（可用：{', '.join(known)}）")
        for k in schema:
            if k != "*" and not k.endswith("?") and k not in value:
                raise PatternError(file, f"{key}.{k}" if key else k, "缺少必需的键")
        for k, v in value.items():
            check(v, schema.get(k, schema.get(f"{k}?", schema.get("*"))), file, f"{key}.{k}" if key else k)
        return
    types = schema if isinstance(schema, tuple) else (schema,)
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        names = "|".join(t.__name__ for t in types)
        raise PatternError(file, where, f"应为 {names}，实际是 {type(value).__name__}（{value!r:.40}）")


_AGENCY = {"name": str, "aliases": [str]}
#: Labels of the front-matter span groups (entities.toml ``[front]``; the ``plan_entities`` component fills them).
FRONT_LABELS = ("NOTICE_TITLE", "NOTICE_ISSUER", "DOC_NO", "DATE", "ISSUER", "PLAN_TITLE", "CITED_PLAN", "UPPER_PLAN")
#: File → schema. Every table is closed (``"*"`` only for open maps: word → replacement, kind → words), so a
#: misspelt key in any shipped file is an error naming the file and the key.
SCHEMAS: dict[str, Any] = {
    "headings.toml": {
        "heading": [{"name": str, "regex": REGEX, "always_heading?": bool, "box?": bool, "box_item?": bool}],
        "lead": {"max_title_chars": int, "min_title_chars": int, "min_body_chars": int, "forbidden": REGEX,
                 "box_end_ratio": NUM, "box_end_min_chars": int},
        "chapters": {"context": [str], "goals": [str], "safeguard": [str]},
        "box": {"generic_titles": [str]},
    },
    "normalize.toml": {
        "ocr_fixes": {"*": str},
        "patterns": {"page_number_line": REGEX, "inline_page_number": REGEX, "toc_heading": REGEX,
                     "toc_entry": REGEX, "terminal": REGEX, "continues": REGEX, "footnotes": [REGEX]},
    },
    "entities.toml": {  # graph_builder.nlp
        "patterns": {"CITATION": REGEX, "DEADLINE": REGEX, "QUANTITY": REGEX, "TARGET": REGEX},
        "front": {label: [REGEX] for label in FRONT_LABELS},
    },
    "agencies.toml": {
        "agency": [_AGENCY], "national": [_AGENCY], "generic": {"prefixes": [str]},
        "roles": {"lead_before": [str], "lead_after": [str], "support_before": [str], "support_after": [str],
                  "support_after_skip": [str], "lead_after_gap": int, "gap_stops": str},
        "owner": {"*": str},
    },
    "plan_meta.toml": {"defaults": {"issuer_suffix": str}},  # graph_builder.extract.plan_meta
    "indicators.toml": {  # graph_builder.extract.indicators
        "table": {"caption": REGEX, "attributes": [str], "roles": [[ANY]], "cumulative_note": REGEX,
                  "cumulative_words": [str]},
        "prose": {"cues": [str], "units": [str], "magnitudes": [str]}},
    "link_indicator_words.toml": {  # graph_builder.measures
        "order_invariant": bool, "dictionary_guard": bool, "strip_region_names": bool, "synonyms": [[str]], "rewrites": [[str]],
        "prefixes": [str], "filler_words": [str], "neutral_inserts": [str], "suffixes": [str], "unit_words": [str],
        "prose_units": [str], "prose_cues": [str], "new_markers": [str], "cumulative_markers": [str],
        "lower_better_markers": [str],
        "unit_kinds": {"name_markers": {"*": [str]}, "*": {"contains?": [str], "exact?": [str]}},
    },
    "plan_identity.toml": {  # graph_builder.extract.plan_region, graph_builder.regions
        "national": {"issuer": REGEX, "doc_no": REGEX, "title": REGEX, "cite": REGEX},
        "doc_no": {"department": REGEX},
        "divisions": {"pseudo_unit": REGEX, "zone": REGEX, "strip_short": REGEX,
                      "province_abbr": {"*": str}}},
    "explorer.toml": {"review_below": NUM, "goal_node_cap": int, "brief_rows": int},  # graph_builder.orphan_report
    "division_units.toml": {"unit": [{"name": str, "keywords": [str]}]},  # graph_builder.division
    "limits.toml": {"max_file_mb?": NUM, "max_sections?": int, "max_items?": int, "parallel_min_files?": int,
                    "parallel_min_items?": int},  # graph_builder.limits
    "sanitize.toml": {  # graph_builder.sanitize; chars are "U+XXXX" or "U+XXXX-U+YYYY"
        "remove?": {"*": {"name": str, "chars": [str]}},
        "replace?": {"*": {"name": str, "chars": [str], "with?": str}}},
    "ingest.toml": {  # graph_builder.ingest
        "layout": {"heading_marker": REGEX, "page_number": REGEX, "margin_band": NUM, "repeat_share": NUM,
                   "right_slack_chars": NUM, "indent_chars": NUM, "paragraph_gap_lines": NUM, "cell_gap_chars": NUM},
        "ocr": {"low_confidence": NUM, "dpi": int, "min_text_chars": int, "empty_inner_cell": str,
                "cell_fixes": {"*": str}},
        "html": {"min_article_chars": int, "issuer": REGEX, "date": REGEX, "index_no": REGEX, "doc_no": REGEX,
                 "meta_issuer": [str], "meta_date": [str]},
    },
    "repair.toml": {"jieba_min_freq": int, "min_chars": int, "max_repairs": int, "function_chars": str,
                    "terms": [str]},  # graph_builder.repair
    "link_synonyms.toml": {"term": [{"term": str, "means": str, "source": str}]},  # graph_builder.link.abbrev
    "link.toml": {  # graph_builder.link.config: each section is a dataclass there (tests check both agree)
        "text": {"shingle?": int, "min_passage?": int, "max_shingle_df?": NUM, "min_shingle_df_cap?": int,
                 "ngram_min?": int, "ngram_max?": int, "lex_ngram?": int},
        "plans": {"cite_match?": NUM, "link_general?": bool},
        "tasks": {"min_lex?": NUM, "clause_min?": NUM, "clause_split?": int, "clause_full?": NUM,
                  "box_parent_ratio?": NUM, "clause_min_chars?": int, "base_coef?": [NUM], "base_intercept?": NUM,
                  "coef?": [NUM], "intercept?": NUM, "auto_accept?": NUM, "min_score?": NUM,
                  "secondary_ratio?": NUM, "max_parents?": int, "max_suggestions?": int, "verbatim_chars?": int,
                  "verbatim_floor?": NUM, "evidence_min?": NUM, "max_evidence?": int},
        "overlaps": {"peer_min_score?": NUM, "peer_top_k?": int, "peer_max_per_task?": int,
                     "same_region_max_per_task?": int, "within_max_per_task?": int, "candidate_max_df?": int,
                     "candidate_top_k?": int, "pair_budget?": int, "min_shared_terms?": int, "max_df_share?": NUM,
                     "min_shared_weight?": NUM, "within_min_passage?": int, "within_min_score?": NUM,
                     "w_copy?": NUM, "w_cos?": NUM, "rare_df_floor?": int, "within_copy_full?": int,
                     "within_shingle_df_divisor?": int, "within_shingle_max_in_plan?": int,
                     "evidence_shingle?": int, "evidence_block_limit?": int, "evidence_min_chars?": int,
                     "max_evidence?": int},
        "indicators": {"same_measure?": NUM, "unit_groups?": [[str]], "comparable_units?": [str],
                       "comparable_name_markers?": [str]},
    },
}


@lru_cache(maxsize=None)
def pattern_file(name: str) -> dict[str, Any]:
    """The validated content of ``graph_builder/patterns/NAME`` (cached; treat it as read-only)."""
    data = read_toml(name)
    check(data, SCHEMAS.get(name, ANY), _path(name))
    return data


def validate_all() -> list[str]:
    """Load and validate every pattern file (start-up check); returns the names checked."""
    names = sorted(p.name for p in resources.files("graph_builder.patterns").iterdir() if p.name.endswith(".toml"))
    for name in names:
        pattern_file(name)
    return names


# ---------------------------------------------------------------- typed views of single files


@dataclass(frozen=True, slots=True)
class HeadingStyle:
    name: str
    regex: re.Pattern
    always_heading: bool = False
    box: bool = False
    box_item: bool = False


@lru_cache(maxsize=1)
def heading_styles() -> tuple[HeadingStyle, ...]:
    """Heading styles in priority order (headings.toml); shared by normalisation and the outline."""
    return tuple(HeadingStyle(h["name"], re.compile(h["regex"]), h.get("always_heading", False),
                              h.get("box", False), h.get("box_item", False))
                 for h in pattern_file("headings.toml")["heading"])
