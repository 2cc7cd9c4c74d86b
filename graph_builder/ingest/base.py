"""The reader contract: what every format reader returns, and what it may use while reading."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass(frozen=True, slots=True)
class SourceLine:
    no: int  # 1-based line number in the original file (.docx: paragraph/row ordinal; PDF/OCR/OFD: first printed line)
    text: str
    page: int | None = None


@dataclass(slots=True)
class SourceDoc:
    path: Path
    lines: list[SourceLine]
    encoding: str | None = None
    kind: str = "txt"
    warnings: list[str] = field(default_factory=list)
    # publication metadata found outside the text (web portal: 发布机构 → issuer, 发布日期 → date, 索引号 → index_no)
    meta: dict[str, str] = field(default_factory=dict)
    ocr_pages: int = 0  # pages recognised by OCR (0: none; cached pages count too)
    ocr_seconds: float = 0.0  # OCR time spent in this read (0 when the cache answered)

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(slots=True)
class ReadContext:
    """Where readers may keep a cache (OCR results by file hash) and whom they tell about progress."""

    cache_dir: Path | None = None
    # on_page(file name, pages done, pages total, message) — per-page progress of slow readers (OCR)
    on_page: Callable[[str, int, int, str], None] | None = None

    def page_done(self, name: str, done: int, total: int, message: str = "") -> None:
        if self.on_page is not None:
            self.on_page(name, done, total, message)
