"""Sections, tasks and projects from the outline tree.

Rules (see DOMAIN.md): only headings in task chapters yield tasks; every item (numbered with a body, or a
lead-sentence paragraph) is a Task; a task section with body text or a box but no items and no
sub-sections is itself one Task; section intro paragraphs are not tasks; items of a 专栏 box are Projects.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Edge, Project, Section, Task, stable_id
from ..normalize import Paragraph, to_match
from ..outline import OutlineNode, clean_title, split_title


@dataclass(slots=True)
class ItemsResult:
    sections: list[Section] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    boxes: list[tuple[OutlineNode, str | None]] = field(default_factory=list)  # (box node, owning section id)


class _Ids:
    """Stable ids that stay unique when a title repeats under the same path."""

    def __init__(self, plan_key: str):
        self.plan_key, self.seen = plan_key, {}

    def make(self, prefix: str, path: list[str], title: str) -> str:
        parts = (self.plan_key, *[to_match(p) for p in path], to_match(title))
        nid = stable_id(prefix, *parts)
        n = self.seen.get(nid, 0)
        self.seen[nid] = n + 1
        return nid if n == 0 else stable_id(prefix, *parts, str(n + 1))


def extract_items(root: OutlineNode, plan_id: str, plan_key: str) -> ItemsResult:
    res = ItemsResult()
    ids = _Ids(plan_key)
    _walk(root, [], plan_id, plan_id, ids, res)
    return res


def _walk(node: OutlineNode, path: list[str], parent_id: str, plan_id: str, ids: _Ids, res: ItemsResult) -> None:
    for child in node.children:
        if child.kind == "heading":
            sid = ids.make("section", path, child.heading)
            res.sections.append(Section(sid, plan_id, child.title, list(path), child.line, child.section_kind, child.page))
            res.edges.append(Edge("CONTAINS", parent_id, sid))
            sub_path = [*path, child.heading]
            if child.section_kind == "task" and _is_leaf_task(child):
                text = "".join(p.display for p in child.body if not p.table)
                tid = ids.make("task", sub_path, child.title)
                res.tasks.append(Task(tid, plan_id, child.title, text, list(path), child.line, child.page,
                                      notes=[n for p in child.body for n in p.notes]))
                res.edges.append(Edge("CONTAINS", sid, tid))
            _walk(child, sub_path, sid, plan_id, ids, res)
        elif child.kind == "item" and child.section_kind == "task":
            tid = ids.make("task", path, child.title)
            res.tasks.append(Task(tid, plan_id, child.title, child.text, list(path), child.line, child.page,
                                  notes=list(child.notes)))
            res.edges.append(Edge("CONTAINS", parent_id, tid))
        elif child.kind == "box":
            res.boxes.append((child, parent_id))
            if child.section_kind == "task" and not _is_indicator_box(child):
                for proj in merge_generic(child, box_projects(child)):
                    title, text, line = proj
                    pid = ids.make("project", [*path, child.title], title)
                    res.projects.append(Project(pid, plan_id, title, text, list(path), line, child.page, box=child.title))
                    res.edges.append(Edge("CONTAINS", parent_id, pid))


def _is_leaf_task(h: OutlineNode) -> bool:
    has_body = any(not p.table for p in h.body) or any(c.kind == "box" for c in h.children)
    return has_body and not h.headings and not h.items


def _is_indicator_box(box: OutlineNode) -> bool:
    return "指标" in to_match(box.title)


_CELL_SPLIT = re.compile(r"\s*\|\s*")
_DASH_ITEMS = re.compile(r"[—]{2}")
_ITEM_GAP = re.compile(r"\s+(?=[^\s，,。；;]{2,24}[，,。])")


def box_projects(box: OutlineNode) -> list[tuple[str, str, int]]:
    """(title, text, line) of each project in a 专栏 box, for the box layouts seen in plans."""
    out: list[tuple[str, str, int]] = [(c.title, c.text, c.line) for c in box.children if c.kind == "item"]
    rows = [p for p in box.body if p.table]
    multi = [p for p in rows if len([c for c in _CELL_SPLIT.split(p.display.strip().strip("|")) if c.strip()]) >= 2]
    if multi:  # a small table: 领域 | 监管重点 — first row is the header
        for p in multi[1:]:
            cells = [c.strip() for c in _CELL_SPLIT.split(p.display.strip().strip("|")) if c.strip()]
            out.append((clean_title(" ".join(cells[0].split())), "；".join(cells[1:]), p.line))
        return out
    for p in box.body:
        content = p.display.strip().rstrip("|").strip()
        chunks = _DASH_ITEMS.split(content)
        if len(chunks) > 2:  # intro ——item:text ——item:text
            for chunk in chunks[1:]:
                m = re.match(r"\s*([^:：。]{2,40})[:：](.*)", chunk, re.S)
                if m:
                    out.append((clean_title(m.group(1)), m.group(2).strip(), p.line))
        elif p.table:  # one cell holding several titled items separated by spaces
            for chunk in _ITEM_GAP.split(content):
                if chunk.strip():
                    out.append((*_title_of(chunk.strip()), p.line))
        else:
            out.append((*_title_of(content), p.line))
    return out


def merge_generic(box: OutlineNode, projects: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """A box whose items are only part labels (目标/任务) is one project named by the box caption."""
    from ..outline import _cfg as outline_cfg

    generic = set(outline_cfg()["box"]["generic_titles"])
    if len(projects) < 2 or not all(t in generic for t, _, _ in projects):
        return projects
    caption = re.sub(r"^专栏\s*[\d\-－—]*\s*[:：]?\s*", "", box.title).strip() or box.title
    return [(caption, "".join(f"{t}：{x}" for t, x, _ in projects), projects[0][2])]


def _title_of(chunk: str) -> tuple[str, str]:
    """Title of an untitled box paragraph: its lead sentence, else its first clause."""
    title, body = split_title(chunk)
    if 2 <= len(title) <= 25 and not re.search("[，,；;]", title):
        return clean_title(title), body
    m = re.match(r"([^，,；;。]{2,60})[，,；;。]", chunk)
    return (clean_title(m.group(1)), chunk) if m else (clean_title(chunk[:40]), chunk)
