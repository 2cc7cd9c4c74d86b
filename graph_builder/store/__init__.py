"""Graph stores: one :class:`GraphStore` protocol, an embedded (networkx, default) and a Neo4j implementation."""
from __future__ import annotations

import os
from pathlib import Path

from .base import GraphStore
from .embedded import EmbeddedStore

DEFAULT_STORE = Path(os.environ.get("PLANGRAPH_STORE", ".plangraph/store"))

__all__ = ["GraphStore", "EmbeddedStore", "DEFAULT_STORE", "open_store"]


def open_store(path: str | os.PathLike | None = None) -> EmbeddedStore:
    """The embedded store at *path* (default: the one git-ignored directory every command shares)."""
    return EmbeddedStore(Path(path) if path else DEFAULT_STORE)
