"""Review decisions on links: a plain CSV under ``data/`` that survives rebuilds.

Each row is one decision keyed by stable ids plus a fingerprint of both ends' matching text. On every
build :func:`apply_decisions` re-applies them; when either end's text changed since the decision the
link becomes ``suspect`` (a person must look again) instead of silently keeping the old verdict.
Rows are sorted, so the file diffs cleanly in git.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path

from .errors import ConfigError
from .link.text import fingerprint
from .link.view import item_text
from .models import UPPER, Edge, Graph, Node
from .safeout import read_csv_dicts, write_csv

DEFAULT_DECISIONS = Path(os.environ.get("PLANGRAPH_DECISIONS") or "data/review.csv")
ACTIONS = ("accept", "reject", "add", "local")
LINK = UPPER


@dataclass(slots=True)
class Decision:
    """One reviewer decision. ``target`` is empty for ``local``."""

    action: str
    source: str
    target: str = ""
    source_fp: str = ""
    target_fp: str = ""
    date: str = ""
    note: str = ""
    source_title: str = ""  # for people reading the file; never used for matching
    target_title: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.target)


COLUMNS = [f.name for f in fields(Decision)]


@dataclass(slots=True)
class ReviewReport:
    """What re-applying the decisions did (shown by ``plangraph link``)."""

    applied: int = 0
    suspect: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)  # an end no longer exists


def node_fingerprint(node: Node | None) -> str:
    return fingerprint(item_text(node)) if node is not None else ""


def load_decisions(path: Path | None) -> list[Decision]:
    """Decisions from *path* (missing file → none)."""
    if path is None or not Path(path).exists():
        return []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"无法读取审核决定文件 {path}: {exc}") from exc
    out = []
    for n, row in enumerate(read_csv_dicts(text), start=2):
        action = (row.get("action") or "").strip()
        if action not in ACTIONS:
            raise ConfigError(f"{path}:{n}: 未知操作 {action!r}（可用：{'、'.join(ACTIONS)}）")
        if not (row.get("source") or "").strip():
            raise ConfigError(f"{path}:{n}: 缺少 source")
        out.append(Decision(**{c: (row.get(c) or "").strip() for c in COLUMNS}))
    return out


def save_decisions(path: Path, decisions: list[Decision]) -> None:
    """Write all decisions atomically, one per (source, target), sorted for clean diffs."""
    rows = ([asdict(d)[c] for c in COLUMNS] for d in sorted(decisions, key=lambda d: (d.source, d.target, d.action)))
    write_csv(Path(path), COLUMNS, rows, bom=False, lineterminator="\n")  # notes and titles neutralised


def record(path: Path, graph: Graph, action: str, source: str, target: str = "", note: str = "") -> Decision:
    """Add or replace the decision on (source, target), with today's fingerprints of both ends."""
    if action not in ACTIONS:
        raise ConfigError(f"未知操作 {action!r}")
    src = graph.nodes.get(source)
    if src is None:
        raise ConfigError(f"图中没有节点 {source}")
    tgt = graph.nodes.get(target) if target else None
    if action != "local" and tgt is None:
        raise ConfigError(f"图中没有节点 {target}" if target else "需要目标节点 id")
    if action == "local":
        target = ""
    d = Decision(action, source, target, node_fingerprint(src), node_fingerprint(tgt), date.today().isoformat(),
                 note, src.title, tgt.title if tgt is not None else "")
    decisions = [x for x in load_decisions(path) if x.key != d.key]
    decisions.append(d)
    save_decisions(path, decisions)
    return d


def apply_decisions(graph: Graph, decisions: list[Decision]) -> ReviewReport:
    """Re-apply decisions to a freshly linked graph (in place)."""
    rep = ReviewReport()
    for d in decisions:
        src = graph.nodes.get(d.source)
        tgt = graph.nodes.get(d.target) if d.target else None
        if src is None or (d.action != "local" and tgt is None):
            rep.stale.append(d.key)
            continue
        changed = node_fingerprint(src) != d.source_fp or (d.action != "local" and node_fingerprint(tgt) != d.target_fp)
        if d.action == "local":
            props = {"local": True}
            if changed:
                props["local_changed"] = True
                rep.suspect.append(d.key)
            graph.add_node(Node(src.id, src.label, props))
            rep.applied += 1
            continue
        old = graph.edge(LINK, d.source, d.target)
        if old is None and d.action == "reject":
            rep.applied += 1  # nothing proposed any more; the rejection stays on file
            continue
        props = dict(old.props) if old is not None else {
            "score": 1.0, "method": "manual", "evidence": [], "status": "accepted"}
        status = {"accept": "accepted", "add": "accepted", "reject": "rejected"}[d.action]
        if changed:
            status = "suspect"
            rep.suspect.append(d.key)
        props.update(status=status, decision=d.action, decided=d.date)
        if d.note:
            props["note"] = d.note
        graph.add_edge(Edge(LINK, d.source, d.target, props))
        rep.applied += 1
    return rep
