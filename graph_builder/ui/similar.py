"""“其他规划中的相似任务”: one task's best matches in other plans (any level), on demand.

The embedded store answers from the same overlap index the build uses (:class:`~graph_builder.link.overlaps.
OverlapIndex`), built once per store version and kept for the process; a Neo4j store is never pulled whole,
so there the candidates come from its full-text ``search`` query on the task's title (an approximation,
labelled as such on the page).
"""
from __future__ import annotations

from typing import Any

import streamlit as st


@st.cache_resource(show_spinner=False, max_entries=2)
def _overlap_index(_store, ident: str, version: str):
    from ..link import load_config
    from ..link.index import CorpusIndex
    from ..link.overlaps import OverlapIndex
    from ..link.view import GraphView

    graph = _store.load()
    view = GraphView.build(graph)
    if not view.items:
        return None, {}
    cfg = load_config()
    index = CorpusIndex.build([it.text for it in view.items], cfg.text)
    ox = OverlapIndex(view, index, {p.id: p for p in graph.by_label("Plan")}, cfg.overlaps)
    return ox, {it.id: it.idx for it in view.items}


def similar_tasks(store, node_id: str, k: int = 10) -> tuple[list[dict[str, Any]], bool]:
    """(rows ``id, plan, title, score``, exact): *exact* is False when the rows are a full-text approximation."""
    raw = getattr(store, "raw", store)
    if raw.backend == "embedded":
        ox, pos = _overlap_index(raw, getattr(store, "ident", str(id(raw))), getattr(store, "version", ""))
        if ox is None or node_id not in pos:
            return [], True
        items = ox.view.items
        return [{"id": items[j].id, "plan": items[j].plan, "title": items[j].title, "score": s}
                for j, s in ox.similar(pos[node_id], k)], True
    node = store.node(node_id)
    if node is None:
        return [], False
    rows = store.query("search", text=str(node.title)[:30], limit=k * 3)
    own = node.props.get("plan")
    out = [{"id": r["id"], "plan": r["plan"], "title": r["title"], "score": None}
           for r in rows if r["plan"] != own and r["id"] != node_id and r["label"] in ("Task", "Project")]
    return out[:k], False
