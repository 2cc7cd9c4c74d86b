"""The query library: named, parameterised queries with one meaning on both stores.

Each query NAME has a Cypher file ``cypher/NAME.cypher`` (Neo4j) and a Python function here
(embedded store); differential tests check they return the same rows.
"""
from __future__ import annotations

from typing import Any, Callable

from .errors import ConfigError

EMBEDDED: dict[str, Callable[..., list[dict[str, Any]]]] = {}


def query(name: str):
    """Register an embedded implementation of query *name*."""

    def deco(fn):
        EMBEDDED[name] = fn
        return fn

    return deco


def load_library() -> None:
    """Import the modules that register embedded queries (traversal, analyse) so lookups see them all."""
    from . import analyse, traversal  # noqa: F401  (registration happens on import)


def run_embedded(store, name: str, **params: Any) -> list[dict[str, Any]]:
    load_library()
    fn = EMBEDDED.get(name)
    if fn is None:
        raise ConfigError(f"未知查询 {name!r}；可用：{', '.join(sorted(EMBEDDED)) or '（无）'}")
    import inspect

    try:
        inspect.signature(fn).bind(store, **params)
    except TypeError as exc:
        raise ConfigError(f"查询 {name} 的参数不对：{exc}") from exc
    return fn(store, **params)
