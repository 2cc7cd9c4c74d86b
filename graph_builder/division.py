"""Division-of-labour tables (重点任务分工方案): 序号 | 任务 | 牵头单位 | 配合单位 | 完成时限 → 责任 edges.

The table rows come from ``ingest.read_table_rows`` (.csv/.xlsx/.docx); each row is matched to the plan's
task or project with the most similar title (normalised), and its lead/supporting units become agencies
normalised within the plan's region.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .models import Edge, Graph, Node
from .nlp import agency_regex
from .normalize import to_match
from .responsibility import AgencyRef, _add_agency, resolve_mention

HEADERS = {"task": ("任务", "工作任务", "重点任务", "主要任务"), "lead": ("牵头单位", "牵头部门", "责任单位"),
           "support": ("配合单位", "参与单位", "协办单位", "配合部门"), "deadline": ("完成时限", "时间要求", "完成时间")}
MIN_SIMILARITY = 0.6


@dataclass(slots=True)
class DivisionRow:
    line: int
    task: str
    lead: str
    support: str
    deadline: str | None


def parse_rows(rows: list[tuple[int, list[str]]]) -> list[DivisionRow]:
    """Find the header row and read the data rows under it."""
    for i, (_, cells) in enumerate(rows):
        cols = {}
        for key, names in HEADERS.items():
            for j, c in enumerate(cells):
                if to_match(c) in names:
                    cols[key] = j
        if "task" in cols and "lead" in cols:
            out = []
            for line, cells in rows[i + 1:]:
                get = lambda k: (cells[cols[k]].strip() if k in cols and cols[k] < len(cells) else "")  # noqa: E731
                if get("task"):
                    out.append(DivisionRow(line, get("task"), get("lead"), get("support"), get("deadline") or None))
            return out
    return []


def looks_like_division(rows: list[tuple[int, list[str]]]) -> bool:
    return bool(parse_rows(rows[:20] + rows[20:21]))


def apply_division(graph: Graph, plan: Node, rows: list[DivisionRow], source: str) -> list[str]:
    """Add 责任 edges for *rows* on *plan*'s items; returns warnings for rows that match no task."""
    items = [n for n in graph.nodes.values() if n.label in ("Task", "Project") and n.props.get("plan") == plan.id]
    keys = [to_match(n.title) for n in items]
    warnings = []
    region = plan.props.get("region")
    for r in rows:
        key = to_match(re.sub(r"^\s*[\d一二三四五六七八九十]+[.、]", "", r.task))
        best, score = None, 0.0
        for n, k in zip(items, keys):
            s = 1.0 if (len(k) >= 4 and (k in key or key in k)) else difflib.SequenceMatcher(None, key, k, autojunk=False).ratio()
            if s > score:
                best, score = n, s
        if best is None or score < MIN_SIMILARITY:
            warnings.append(f"{source}:{r.line}: 分工表任务“{r.task}”在规划中找不到对应任务")
            continue
        for text, role in ((r.lead, "牵头"), (r.support, "配合")):
            for ref in _agencies(text, region):
                _add_agency(graph, ref)
                props = {"role": role, "evidence": f"分工方案 {source} 第{r.line}行：{r.task}"}
                if r.deadline:
                    props["deadline"] = r.deadline
                graph.add_edge(Edge("责任", ref.id, best.id, props))
    return warnings


def _agencies(text: str, region: str | None) -> list[AgencyRef]:
    out = []
    for part in re.split(r"[、，,；;\s]+", text):
        if not part:
            continue
        m = agency_regex().fullmatch(part) or agency_regex().fullmatch("省" + part if region and region.endswith("省") else "市" + part)
        ref = resolve_mention(m, region) if m else None
        out.append(ref or AgencyRef(part if not region or part.startswith(region) else f"{region}{part}", region, part))
    return out
