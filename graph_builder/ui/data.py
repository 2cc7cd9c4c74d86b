"""Data access for the explorer: one store per process (``st.cache_resource``), query results per store version
(``st.cache_data``), and a read-only facade with the :class:`GraphStore` read methods so the view builders
work the same on a raw store (tests, benchmark) and on the cached one (the app).

Everything goes through the protocol and ``store.query(NAME, ...)``; nothing here pulls the whole graph from Neo4j.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import streamlit as st

from ..errors import ConfigError, GraphBuilderError
from ..models import Edge, Node
from .style import QUERY_ZH


def backend_settings() -> tuple[str, str]:
    """(kind, location) from the environment: Neo4j when NEO4J_URI is set, else the embedded directory."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        return "neo4j", f"{uri}#{os.environ.get('NEO4J_DATABASE', 'neo4j')}"
    from ..store import DEFAULT_STORE

    return "embedded", os.environ.get("PLANGRAPH_STORE") or str(DEFAULT_STORE)


def open_backend(kind: str, location: str):
    """Open the store named by :func:`backend_settings`; errors become :class:`GraphBuilderError`."""
    if kind == "embedded":
        from ..store import EmbeddedStore

        return EmbeddedStore(Path(location))
    from ..store import open_neo4j

    return open_neo4j()


@st.cache_resource(show_spinner=False)
def _store_resource(kind: str, location: str):
    return open_backend(kind, location)


def store_version(store) -> str:
    """Changes whenever the stored graph changes, so cached results never outlive a rebuild."""
    refreshed = str(st.session_state.get("_pg_refresh", 0)) if _in_streamlit() else "0"
    try:  # each write bumps a generation (Neo4j: load gen; embedded: file mtime), so a rebuild shows up here
        s = store.load_status()
    except GraphBuilderError:  # an unreachable server is reported by the page, not here
        return refreshed
    return f"{s.get('gen')}:{s.get('finished')}:{refreshed}"


def _in_streamlit() -> bool:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        return get_script_run_ctx() is not None
    except Exception:  # pragma: no cover - streamlit internals moved
        return False


def describe_backend(store) -> tuple[str, str]:
    """(backend name, where/database) for the sidebar."""
    if store.backend == "embedded":
        return "嵌入式存储", str(store.directory)
    db = store.settings.database or "默认数据库（neo4j）"
    return "Neo4j", f"{store.settings.uri} · 数据库 {db}"


# ------------------------------------------------------------------ cached calls
# The store is passed with a leading underscore (not hashed); ``ident`` + ``version`` key the cache instead.

@st.cache_data(show_spinner=False, max_entries=4000)
def _cached_query(_store, ident: str, version: str, name: str, params: tuple) -> list[dict[str, Any]]:
    return _store.query(name, **dict(params))


@st.cache_resource(show_spinner=False, max_entries=4)
def _lookup_memo(ident: str, version: str) -> dict:
    """Per store version: node/edge look-ups already answered. Many tiny calls per page would cost more
    through ``st.cache_data`` (hash + pickle each) than the look-up itself; Node/Edge are immutable, so
    sharing them across sessions is safe, and a new version starts an empty memo."""
    return {}


class CachedStore:
    """Read-only facade over a store: query results memoised with ``st.cache_data``, look-ups in a shared memo."""

    def __init__(self, store, ident: str):
        self.raw = store
        self.ident = ident
        self.backend = store.backend
        self.version = store_version(store)
        self._memo = _lookup_memo(ident, self.version)

    def _get(self, key: tuple, fetch):
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = fetch()
            return value

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        return _cached_query(self.raw, self.ident, self.version, name, tuple(sorted(params.items())))

    def node(self, node_id: str) -> Node | None:
        return self._get(("node", node_id), lambda: self.raw.node(node_id))

    def nodes(self, label: str | None = None, plan: str | None = None) -> list[Node]:
        return list(self._get(("nodes", label, plan), lambda: tuple(self.raw.nodes(label=label, plan=plan))))

    def edges(self, type_: str | None = None, source: str | None = None, target: str | None = None) -> list[Edge]:
        return list(self._get(("edges", type_, source, target),
                              lambda: tuple(self.raw.edges(type_=type_, source=source, target=target))))

    def counts(self) -> dict[str, int]:
        return dict(self._get(("counts",), self.raw.counts))


def get_store() -> CachedStore:
    """The app's store (opened once per process) behind the caching facade."""
    kind, location = backend_settings()
    return CachedStore(_store_resource(kind, location), f"{kind}:{location}")


def refresh() -> None:
    """Forget cached answers (the Neo4j graph may have been reloaded by someone else)."""
    st.session_state["_pg_refresh"] = st.session_state.get("_pg_refresh", 0) + 1
    _cached_query.clear()
    _lookup_memo.clear()


def try_query(store, name: str, **params: Any) -> list[dict[str, Any]] | None:
    """Run a library query; if it is not available (yet) or fails, show one Chinese line and return None."""
    try:
        return store.query(name, **params)
    except ConfigError as exc:
        st.warning(f"「{QUERY_ZH.get(name, name)}」查询暂不可用：{exc}", icon=":material/warning:")
    except GraphBuilderError as exc:
        st.error(f"「{QUERY_ZH.get(name, name)}」查询失败：{exc}", icon=":material/error:")
    return None


def plans(store) -> list[Node]:
    """All plans, national first, then by region — the order every picker uses."""
    from ..models import LEVEL_RANK

    return sorted(store.nodes(label="Plan"),
                  key=lambda p: (LEVEL_RANK.get(p.get("level"), 9), p.get("region") or "", p.title))


def plan_name(store, plan_id: str | None) -> str:
    """Short human name of a plan: its region, else its title."""
    if not plan_id:
        return "—"
    from .tables import plan_label

    return plan_label(store.node(plan_id), plan_id)


def item_label(store, node: Node) -> str:
    """'宿州市 · 任务 · 深化商事制度改革' for pickers."""
    from .style import LABEL_ZH

    return f"{plan_name(store, node.plan)} · {LABEL_ZH.get(node.label, node.label)} · {node.title}"


@st.cache_data(show_spinner=False, max_entries=64)
def _trace_html(_store, ident: str, version: str, focus: str, expanded: tuple, max_depth: int, cap: int, page: int,
                meeting: bool):
    from .trace import build_trace_view, render_html

    view = build_trace_view(_store, focus, expanded, max_depth=max_depth, cap=cap, page=page)
    return view, render_html(view, meeting=meeting, height=700 if meeting else 620)


def trace_view(store: CachedStore, focus: str, expanded=(), *, max_depth: int = 6, cap: int = 300, page: int = 0,
               meeting: bool = False):
    """(TraceView, pyvis HTML), memoised per store version so page switches do not rebuild the drawing."""
    return _trace_html(store, store.ident, store.version, focus, tuple(sorted(expanded)), max_depth, cap, page, meeting)


@st.cache_data(show_spinner=False, max_entries=64)
def _goal_html(_store, ident: str, version: str, focus: str, expand: tuple, meeting: bool):
    from ..goal import build_goal_view
    from .goal_view import goal_trace_view
    from .trace import render_html

    gv = build_goal_view(_store, focus, cap=30 if meeting else None, expand=expand)
    tv = goal_trace_view(_store, gv)
    return gv, tv, render_html(tv, meeting=meeting, height=620 if meeting else 560)


def goal_view(store: CachedStore, focus: str, expand=(), *, meeting: bool = False):
    """(GoalView, TraceView, pyvis HTML) of the goal view, memoised per store version."""
    return _goal_html(store, store.ident, store.version, focus, tuple(sorted(expand)), meeting)
