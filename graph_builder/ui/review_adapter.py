"""Review decisions from the explorer, through ``graph_builder.review`` (the same CSV file as ``plangraph review``).

The UI records a decision with :func:`graph_builder.review.record` and, on the embedded store, re-applies
the decision file at once so the page shows the new status; every later build re-applies it too, which
is what keeps an accepted link accepted after a rebuild. Neo4j picks decisions up on its next load.
"""
from __future__ import annotations

import os
from pathlib import Path

from .. import review
from ..errors import ConfigError
from ..models import Graph

ACTIONS = ("accept", "reject", "local")


def decisions_file() -> Path:
    """PLANGRAPH_DECISIONS (tests, other checkouts), else the review module's default under data/."""
    return Path(os.environ.get("PLANGRAPH_DECISIONS") or review.DEFAULT_DECISIONS)


def decide(action: str, source: str, target: str | None, store, path: Path | None = None) -> Path:
    """Record one decision; *store* is any GraphStore (only the two ends are read, never the whole graph)."""
    if action not in ACTIONS:
        raise ConfigError(f"未知的审核操作 {action!r}")
    ends = [n for n in (store.node(source), store.node(target) if target else None) if n is not None]
    path = path or decisions_file()
    review.record(path, Graph(ends), action, source, target or "", note="explorer")
    return path


def apply_to_store(raw_store, path: Path | None = None) -> bool:
    """Make decisions visible at once on the embedded store; returns False for Neo4j (applied on its next load)."""
    if raw_store.backend != "embedded":
        return False
    loaded = raw_store.load()
    g = loaded.copy()  # a copy: the store caches what it loaded
    review.apply_decisions(g, review.load_decisions(path or decisions_file()))
    raw_store.replace_all(g)
    return True


def backend_name() -> str:
    return f"graph_builder.review（{decisions_file()}）"
