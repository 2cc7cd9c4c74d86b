"""Input bounds from ``patterns/limits.toml``: file size, sections and items per plan.

One hostile document (200,000 ``第一章`` lines, a 2 GB text file) must not exhaust memory or the store;
the file fails with a line naming it and every other file still builds.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ParseError
from .pattern_files import pattern_file

@dataclass(frozen=True, slots=True)
class Limits:
    max_file_mb: float = 100
    max_sections: int = 50000
    max_items: int = 100000
    parallel_min_files: int = 24
    parallel_min_items: int = 20000


@lru_cache(maxsize=1)
def limits() -> Limits:
    return Limits(**pattern_file("limits.toml"))


def check_file(path: Path) -> None:
    """Refuse a file larger than ``max_file_mb`` before reading it."""
    lim = limits()
    size = Path(path).stat().st_size
    if size > lim.max_file_mb * 1024 * 1024:
        raise ParseError(f"文件 {size / 1024 / 1024:.1f} MB，超过上限 {lim.max_file_mb:g} MB（patterns/limits.toml max_file_mb）",
                         path=str(path))


def check_counts(path: Path, sections: int, items: int) -> None:
    """Refuse a plan with more sections or items than the limits (the other files still build)."""
    lim = limits()
    if sections > lim.max_sections:
        raise ParseError(f"章节 {sections} 个，超过上限 {lim.max_sections}（patterns/limits.toml max_sections），疑为异常文件",
                         path=str(path))
    if items > lim.max_items:
        raise ParseError(f"任务和项目 {items} 个，超过上限 {lim.max_items}（patterns/limits.toml max_items），疑为异常文件",
                         path=str(path))


def check_extraction(path: Path, ex) -> None:
    """:func:`check_counts` on one extracted plan (nodes of its own plan only)."""
    sections = items = 0
    for n in ex.graph.nodes.values():
        if n.label == "Section":
            sections += 1
        elif n.label in ("Task", "Project"):
            items += 1
    check_counts(path, sections, items)
