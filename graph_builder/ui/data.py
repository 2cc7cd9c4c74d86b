"""Data access for the explorer: one store per process (``st.cache_resource``), query results per store version
(``st.cache_data``), and a read-only facade with the :class:`GraphStore` read methods so the view builders
work the same on a raw store (tests, benchmark) and on the cached one (the app).

Everything goes through the protocol and ``store.query(NAME, ...)``; nothing here pulls the whole graph from Neo4j.
"""
from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
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
# Keyed on ``ident`` + ``version`` (the store's load generation), so nothing outlives a rebuild. Results are
# shared objects, not copies: ``st.cache_data`` would pickle a 100,000-row answer on every page visit, which
# alone costs seconds on the national graph. Callers treat rows, nodes and edges as read-only.

_QUERY_MEMO_MAX = 2000  # distinct query calls kept per store version (searches vary; the rest are few)


class StoreIndex:
    """Nodes by label and plan, edges by source and target, of an embedded graph — made once per version,
    so a page's hundreds of look-ups each cost a dict access instead of a scan of a million edges."""

    def __init__(self, graph):
        by_label: dict[str, list[Node]] = {}
        by_plan: dict[str, list[Node]] = {}
        for n in graph.nodes.values():
            by_label.setdefault(n.label, []).append(n)
            by_plan.setdefault(n.props.get("plan"), []).append(n)
        out: dict[str, list[Edge]] = {}
        inc: dict[str, list[Edge]] = {}
        by_type: dict[str, list[Edge]] = {}
        for e in graph.edges:
            out.setdefault(e.source, []).append(e)
            inc.setdefault(e.target, []).append(e)
            by_type.setdefault(e.type, []).append(e)
        self.graph = graph
        self.by_label, self.by_plan, self.out, self.inc, self.by_type = by_label, by_plan, out, inc, by_type

    def nodes(self, label: str | None, plan: str | None) -> list[Node]:
        if plan is not None:
            return [n for n in self.by_plan.get(plan, ()) if label is None or n.label == label]
        if label is not None:
            return list(self.by_label.get(label, ()))
        return list(self.graph.nodes.values())

    def edges(self, type_: str | None, source: str | None, target: str | None) -> list[Edge]:
        if source is not None:
            pool = self.out.get(source, ())
        elif target is not None:
            pool = self.inc.get(target, ())
        elif type_ is not None:
            return list(self.by_type.get(type_, ()))
        else:
            return self.graph.edges
        return [e for e in pool if (type_ is None or e.type == type_) and (target is None or e.target == target)]


def _settle() -> None:
    """Move what is held so far (the graph, its index, cached answers) out of the cyclic garbage collector's
    reach. The national graph is tens of millions of objects; without this every full collection walks them
    all, which made each page switch ~2 s slower. Reference counting still frees them when a version goes."""
    gc.freeze()


@st.cache_resource(show_spinner=False, max_entries=4)
def _version_memo(ident: str, version: str) -> dict:
    """Per store version: look-ups, query answers and page data already computed (shared by sessions)."""
    return {"lookups": {}, "queries": OrderedDict(), "derived": {}, "lock": threading.RLock()}


class CachedStore:
    """Read-only facade over a store: answers memoised per store version; on the embedded store look-ups
    come from a :class:`StoreIndex` (on Neo4j each distinct look-up is one small query, then memoised)."""

    def __init__(self, store, ident: str):
        self.raw = store
        self.ident = ident
        self.backend = store.backend
        self.version = store_version(store)
        self._state = _version_memo(ident, self.version)
        self._memo = self._state["lookups"]

    def _get(self, key: tuple, fetch):
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = fetch()
            return value

    @property
    def index(self) -> StoreIndex | None:
        """The embedded graph's index (None on Neo4j), built on first use."""
        if self.backend != "embedded":
            return None
        return self.memo("index", lambda: StoreIndex(self.raw.load()))

    def memo(self, key, build):
        """Any value derived from this store version (page data, tables), computed once for all sessions."""
        derived = self._state["derived"]
        try:
            return derived[key]
        except KeyError:
            pass
        with self._state["lock"]:  # two sessions opening the same page must not both build it
            if key not in derived:
                derived[key] = build()
                _settle()
            return derived[key]

    def query(self, name: str, **params: Any) -> list[dict[str, Any]]:
        key = (name, tuple(sorted(params.items())))
        memo = self._state["queries"]
        try:
            rows = memo[key]
            memo.move_to_end(key)
            return rows
        except KeyError:
            pass
        except TypeError:  # an unhashable parameter: let the store's validation answer
            return self.raw.query(name, **params)
        rows = memo[key] = self.raw.query(name, **params)
        _settle()
        while len(memo) > _QUERY_MEMO_MAX:
            memo.popitem(last=False)
        return rows

    def node(self, node_id: str) -> Node | None:
        idx = self.index
        if idx is not None:
            return idx.graph.nodes.get(node_id)
        return self._get(("node", node_id), lambda: self.raw.node(node_id))

    def nodes(self, label: str | None = None, plan: str | None = None) -> list[Node]:
        idx = self.index
        if idx is not None:
            return idx.nodes(label, plan)
        return list(self._get(("nodes", label, plan), lambda: tuple(self.raw.nodes(label=label, plan=plan))))

    def edges(self, type_: str | None = None, source: str | None = None, target: str | None = None) -> list[Edge]:
        idx = self.index
        if idx is not None:
            return idx.edges(type_, source, target)
        return list(self._get(("edges", type_, source, target),
                              lambda: tuple(self.raw.edges(type_=type_, source=source, target=target))))

    def counts(self) -> dict[str, int]:
        return dict(self._get(("counts",), self.raw.counts))

    def load_status(self) -> dict[str, Any]:
        return self.raw.load_status()


def get_store() -> CachedStore:
    """The app's store (opened once per process) behind the caching facade."""
    kind, location = backend_settings()
    return CachedStore(_store_resource(kind, location), f"{kind}:{location}")


def refresh() -> None:
    """Forget cached answers (the Neo4j graph may have been reloaded by someone else)."""
    st.session_state["_pg_refresh"] = st.session_state.get("_pg_refresh", 0) + 1
    _version_memo.clear()
    _trace_html.clear()
    _goal_html.clear()


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

    def build():
        return sorted(store.nodes(label="Plan"),
                      key=lambda p: (LEVEL_RANK.get(p.get("level"), 9), p.get("region") or "", p.title))

    return list(store.memo("plans", build)) if isinstance(store, CachedStore) else build()


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


def plan_province(store) -> dict[str, str]:
    """Plan id → the province it belongs to ('国家' for national plans), by walking plan-level 上级规划 links up
    to a provincial plan; per store version. Pickers and filters group 3,000 plans by it."""
    def build() -> dict[str, str]:
        level = {p.id: p.get("level") for p in plans(store)}
        region = {p.id: p.get("region") or "" for p in plans(store)}
        ups: dict[str, list[str]] = {}
        for pid in level:
            ups[pid] = [e.target for e in store.edges("上级规划", source=pid)
                        if e.target in level and e.get("status") != "rejected"]
        out: dict[str, str] = {}

        def find(pid: str, seen: frozenset = frozenset()) -> str:
            if pid in out:
                return out[pid]
            if level.get(pid) == "national":
                return "国家"
            if level.get(pid) == "province":
                return region.get(pid) or "其他"
            for up in ups.get(pid, ()):
                if up not in seen:
                    got = find(up, seen | {pid})
                    if got not in ("国家", "其他"):
                        return got
            return "其他"

        for pid in level:
            out[pid] = find(pid)
        order = {"国家": 0}
        for p in plans(store):  # provinces in picker order, then the rest
            order.setdefault(out[p.id], len(order))
        order.setdefault("其他", len(order))
        return dict(sorted(out.items(), key=lambda kv: order[kv[1]]))

    return store.memo("plan_province", build) if isinstance(store, CachedStore) else build()
