"""Progress reporting decoupled from the UI: stages call a callback; the CLI shows it with rich, the app with st.progress."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    stage: str  # ingest | outline | extract | link | store | load ...
    item: str  # file name or other unit
    done: int
    total: int
    message: str = ""


class ProgressCallback(Protocol):
    def __call__(self, event: ProgressEvent) -> None: ...


def null_progress(event: ProgressEvent) -> None:
    """Default callback: report nothing."""


Progress = Callable[[ProgressEvent], None]
