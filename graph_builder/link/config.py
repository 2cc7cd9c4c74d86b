"""Linking settings: one typed view of ``patterns/link.toml`` so no number hides in the code."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..pattern_files import pattern_file

PATTERNS = Path(__file__).resolve().parent.parent / "patterns"
DEFAULT_CONFIG = PATTERNS / "link.toml"


@dataclass(slots=True)
class TextConfig:
    shingle: int = 8
    min_passage: int = 12
    max_shingle_df: float = 0.02
    min_shingle_df_cap: int = 6
    ngram_min: int = 2
    ngram_max: int = 3
    lex_ngram: int = 3


@dataclass(slots=True)
class PlanConfig:
    cite_match: float = 0.6
    link_general: bool = True


@dataclass(slots=True)
class TaskConfig:
    min_lex: float = 0.03
    clause_min: float = 0.35
    clause_split: int = 40
    clause_full: float = 12.0
    box_parent_ratio: float = 0.5
    clause_min_chars: int = 4
    base_coef: list[float] = field(default_factory=lambda: [0.0] * 8)
    base_intercept: float = 0.0
    coef: list[float] = field(default_factory=lambda: [0.0] * 10)
    intercept: float = 0.0
    auto_accept: float = 0.5
    min_score: float = 0.30
    secondary_ratio: float = 0.6
    max_parents: int = 3
    max_suggestions: int = 2
    verbatim_chars: int = 40
    verbatim_floor: float = 0.6
    evidence_min: float = 0.3
    max_evidence: int = 4


@dataclass(slots=True)
class OverlapConfig:
    peer_min_score: float = 0.10
    peer_top_k: int = 2
    peer_max_per_task: int = 20
    same_region_max_per_task: int = 8
    within_max_per_task: int = 10
    candidate_max_df: int = 50
    candidate_top_k: int = 64
    pair_budget: int = 4_000_000
    min_shared_terms: int = 3
    max_df_share: float = 0.13
    min_shared_weight: float = 0.35
    within_min_passage: int = 8
    within_min_score: float = 0.55
    w_copy: float = 0.5
    w_cos: float = 0.5
    rare_df_floor: int = 2
    within_copy_full: int = 16
    within_shingle_df_divisor: int = 2
    within_shingle_max_in_plan: int = 6
    evidence_shingle: int = 4
    evidence_block_limit: int = 8
    evidence_min_chars: int = 6
    max_evidence: int = 4


@dataclass(slots=True)
class IndicatorConfig:
    same_measure: float = 0.9
    unit_groups: list[list[str]] = field(default_factory=list)
    comparable_units: list[str] = field(default_factory=list)
    comparable_name_markers: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LinkConfig:
    """All linking settings; build with :func:`load_config`."""

    text: TextConfig = field(default_factory=TextConfig)
    plans: PlanConfig = field(default_factory=PlanConfig)
    tasks: TaskConfig = field(default_factory=TaskConfig)
    overlaps: OverlapConfig = field(default_factory=OverlapConfig)
    indicators: IndicatorConfig = field(default_factory=IndicatorConfig)


_SECTIONS = {"text": TextConfig, "plans": PlanConfig, "tasks": TaskConfig, "overlaps": OverlapConfig,
             "indicators": IndicatorConfig}


def _apply(cfg: LinkConfig, data: dict[str, Any], origin: str) -> None:
    for sec, values in data.items():
        cls = _SECTIONS.get(sec)
        if cls is None or not isinstance(values, dict):
            raise ConfigError(f"{origin}: 未知配置节 [{sec}]")
        target = getattr(cfg, sec)
        known = {f.name: f for f in fields(cls)}
        for key, value in values.items():
            if key not in known:
                raise ConfigError(f"{origin}: [{sec}] 中未知的键 {key!r}")
            default = getattr(target, key)
            if isinstance(default, bool) != isinstance(value, bool) or (
                    isinstance(default, (int, float)) and not isinstance(value, (int, float))):
                raise ConfigError(f"{origin}: [{sec}].{key} 类型错误：{value!r}")
            setattr(target, key, float(value) if isinstance(default, float) else value)


def _read(path: Path) -> dict[str, Any]:
    """A user's override file (``--config``); the shipped files load through :func:`pattern_file`."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"无法读取链接配置 {path}: {exc}") from exc


@lru_cache(maxsize=8)
def _load_cached(path: str | None) -> LinkConfig:
    cfg = LinkConfig()
    _apply(cfg, pattern_file(DEFAULT_CONFIG.name), str(DEFAULT_CONFIG))
    if path:
        _apply(cfg, _read(Path(path)), path)
    return cfg


def load_config(config: "LinkConfig | str | Path | dict | None" = None) -> LinkConfig:
    """Defaults from ``link.toml``, overridden by a file path or a ``{section: {key: value}}`` dict."""
    if isinstance(config, LinkConfig):
        return config
    if isinstance(config, dict):
        import copy

        cfg = copy.deepcopy(_load_cached(None))
        _apply(cfg, config, "config")
        return cfg
    import copy

    return copy.deepcopy(_load_cached(str(config) if config else None))


def read_word_list(name: str) -> list[str]:
    """A one-word-a-line list from ``patterns/`` ('#' comments)."""
    path = PATTERNS / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"无法读取词表 {path}: {exc}") from exc
    return [w for w in (ln.split("#", 1)[0].strip() for ln in lines) if w]


def read_toml(name: str) -> dict[str, Any]:
    """A validated file from ``patterns/`` (see :mod:`graph_builder.pattern_files`)."""
    return pattern_file(name)
