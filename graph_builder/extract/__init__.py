"""Extract: one plan document → typed records and edges (a per-plan :class:`Graph`)."""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from ..ingest import SourceDoc
from ..models import Edge, Graph, Plan, Region, stable_id
from ..nlp import docs, span_patterns
from ..normalize import Paragraph, paragraphs, to_match
from ..outline import OutlineNode, build_outline, chapter_kind
from ..regions import RegionInfo
from .indicators import find_tables, merge_restated, prose_targets, table_indicators
from .items import extract_items
from .plan_meta import PlanMeta, plan_identity_props, read_meta


@dataclass(slots=True)
class Warning_:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(slots=True)
class PlanExtraction:
    plan: Plan
    graph: Graph
    warnings: list[Warning_] = field(default_factory=list)
    key: str = ""


def plan_key(meta: PlanMeta, doc: SourceDoc) -> str:
    """What a plan's ids derive from: its region and normalised title (not the file name or encoding)."""
    return to_match(f"{meta.region.name if meta.region else ''}|{meta.title or doc.path.stem}")


def region_nodes(info: RegionInfo) -> tuple[list[Region], list[Edge]]:
    nodes, edges = [], []
    for r in info.chain():
        nodes.append(Region(region_id(r.name), r.name, r.level, r.parent))
        if r.parent:
            edges.append(Edge("WITHIN", region_id(r.name), region_id(r.parent)))
    return nodes, edges


def region_id(name: str) -> str:
    return stable_id("region", name)


def extract_plan(doc: SourceDoc, overrides: dict | None = None, on_line=None) -> PlanExtraction:
    paras = paragraphs(doc, on_line)
    root = build_outline(paras)
    front = root.body
    first_heading_body = next((c.body for c in root.children if c.kind == "heading"), [])
    meta = read_meta(front, first_heading_body, overrides, body=paras[:300])
    _fill_from_source(meta, doc.meta)
    key = plan_key(meta, doc)
    pid = stable_id("plan", key)
    region = meta.region
    plan = Plan(pid, meta.title or doc.path.stem, region.name if region else None, meta.level,
                meta.issuer, meta.date, doc.path.name, True, meta.doc_no)
    g = Graph()
    pnode = plan.to_node()
    pnode.props["cites"] = list(meta.cites)
    pnode.props["issuer_inferred"] = meta.issuer_inferred
    pnode.props["title_inferred"] = meta.title_inferred
    pnode.props.update(plan_identity_props(meta))
    g.add_node(pnode)
    warnings: list[Warning_] = [Warning_(doc.name, ln, msg) for ln, msg in meta.warnings]
    if region:
        rnodes, redges = region_nodes(region)
        for r in rnodes:
            g.add_node(r.to_node())
        for e in redges:
            g.add_edge(e)
        g.add_edge(Edge("COVERS", pid, region_id(region.name)))
    elif not meta.warnings:
        warnings.append(Warning_(doc.name, 1, "未能从正文识别规划所属行政区"))

    items = extract_items(root, pid, key)
    recs = [*items.tasks, *items.projects]
    dated = [r for r in recs if _may_have_spans(r.text)]  # jieba costs ~3 ms an item: parse only these
    for rec, sdoc in zip(dated, docs([rec.text for rec in dated])):
        annotate(rec, sdoc)
    parsed = {id(r) for r in dated}
    for rec in recs:
        if id(rec) not in parsed:
            rec.deadline, rec.cites = None, []
    for rec in (*items.sections, *items.tasks, *items.projects):
        g.add_node(rec.to_node())
    for e in items.edges:
        g.add_edge(e)
    if not items.tasks and not items.projects:
        warnings.append(Warning_(doc.name, 1, "未识别到任何任务章节标题：按段落逐条作为任务"))
        _fallback_tasks(paras, pid, key, g)

    tables, twarn = find_tables(paras)
    warnings.extend(Warning_(doc.name, ln, msg) for ln, msg in twarn)
    for t in tables:
        warnings.extend(Warning_(doc.name, ln, msg) for ln, msg in t.warnings)
    section_of_line = _section_lines(items.sections)
    table_inds = table_indicators(tables, pid, key)
    prose = []  # (indicator, container id)
    for rec in (*items.tasks, *items.projects):
        prose += [(ind, rec.id) for ind in prose_targets(rec.text, plan_id=pid, plan_key=key, line=rec.line, task_id=rec.id)]
    for node in root.walk():
        if node.kind == "item" and node.section_kind == "goals" and chapter_kind(node.title) != "context":
            prose += [(ind, section_of_line(node.line) or pid)
                      for ind in prose_targets(node.text, plan_id=pid, plan_key=key, line=node.line, task_id=None)]
    prose = merge_restated(table_inds, prose)  # a table row restated in prose stays one Indicator
    for ind in table_inds:
        g.add_node(ind.to_node())
        g.add_edge(Edge("CONTAINS", section_of_line(ind.line) or pid, ind.id))
    for ind, container in prose:
        g.add_node(ind.to_node())
        g.add_edge(Edge("CONTAINS", container, ind.id))
    return PlanExtraction(plan, g, warnings, key)


def _fill_from_source(meta: PlanMeta, found: dict[str, str]) -> None:
    """Publication metadata found outside the text (a portal's 发布机构/发布日期/文号) when the text lacks it."""
    if found.get("issuer") and (not meta.issuer or meta.issuer_inferred):
        meta.issuer, meta.issuer_inferred = found["issuer"], False
    if found.get("date") and not meta.date:
        meta.date = found["date"]
    if found.get("doc_no") and not meta.doc_no:
        meta.doc_no = found["doc_no"]


def _may_have_spans(text: str) -> bool:
    """Whether a DEADLINE or CITATION span can occur in *text* (else its doc would carry none to read)."""
    pats = span_patterns()
    return bool(pats["DEADLINE"].search(text) or pats["CITATION"].search(text))


def annotate(rec, doc: Doc) -> None:
    """Deadline and cited documents of a task: the DEADLINE and CITATION spans of its parsed text."""
    deadlines = [doc.text[slice(*sp._.exact)] for sp in doc.spans["DEADLINE"]]
    years = [d for d in deadlines if "20" in d]
    rec.deadline = (max(years) if years else (deadlines[0] if deadlines else None))
    rec.cites = list(dict.fromkeys(doc.text[slice(*sp._.exact)].strip("《》") for sp in doc.spans["CITATION"]))


def _section_lines(sections):
    ordered = sorted(sections, key=lambda s: s.line)

    def find(line: int) -> str | None:
        best = None
        for s in ordered:
            if s.line <= line:
                best = s.id
            else:
                break
        return best

    return find


def _fallback_tasks(paras: list[Paragraph], pid: str, key: str, g: Graph) -> None:
    """No recognisable headings: every prose paragraph becomes a task (with a warning), so nothing is lost."""
    from ..models import Task
    from ..outline import lead_split

    for p in paras:
        if p.table or len(p.display) < 10:
            continue
        lead = lead_split(p.display)
        title = lead[0] if lead else p.display[:30]
        t = Task(stable_id("task", key, str(p.line), to_match(title)), pid, title, p.display, [], p.line, p.page)
        g.add_node(t.to_node())
        g.add_edge(Edge("CONTAINS", pid, t.id))
