"""Graph stores: one :class:`GraphStore` protocol, an embedded (networkx, default) and a Neo4j implementation."""
from __future__ import annotations

import os
from pathlib import Path

from .base import GraphStore, LoadStats
from ..fileio import atomic_write_text
from .embedded import EmbeddedStore, owner_plan

DEFAULT_STORE = Path(os.environ.get("PLANGRAPH_STORE", ".plangraph/store"))

__all__ = ["GraphStore", "LoadStats", "EmbeddedStore", "DEFAULT_STORE", "open_store", "open_neo4j", "atomic_write_text", "owner_plan"]


def open_store(path: str | os.PathLike | None = None) -> EmbeddedStore:
    """The embedded store at *path* (default: the one git-ignored directory every command shares)."""
    return EmbeddedStore(Path(path) if path else DEFAULT_STORE)


def open_neo4j(uri: str | None = None, user: str | None = None, database: str | None = None,
               password: str | None = None, **overrides):
    """A Neo4jStore with settings from the arguments, else the environment (:func:`graph_builder.settings.neo4j_from_env`).

    The store itself never reads the environment; this is where the two meet.
    """
    from ..settings import neo4j_from_env
    from .neo4j_store import Neo4jStore

    settings, secret = neo4j_from_env(uri, user, database, password, **overrides)
    return Neo4jStore(settings, secret)
