"""Division-of-labour tables (重点任务分工方案): 序号 | 任务 | 牵头单位 | 配合单位 | 完成时限 → 责任 edges.

Both directions of the round trip a bureau does after a plan is issued:
- :func:`draft_rows` + :func:`write_draft_xlsx` write a draft table (one row per task, suggested units from
  the keyword → unit mapping in ``patterns/division_units.toml``, deadline from the text);
- :func:`load_division` reads a filled table back and replaces that plan's earlier 分工方案 edges.

The table rows come from ``ingest.read_table_rows`` (.csv/.xlsx/.docx); each row is matched to the plan's
task or project by its 任务编号 when the draft's id column survived, else by the most similar title
(normalised); its lead/supporting units become agencies normalised within the plan's region.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError
from .models import RESPONSIBLE, Edge, Graph, Node
from .nlp import agency_regex
from .normalize import to_match
from .pattern_files import pattern_file
from .responsibility import AgencyRef, _add_agency, resolve_mention

HEADERS = {"id": ("任务编号", "编号"), "task": ("任务", "工作任务", "重点任务", "主要任务"), "lead": ("牵头单位", "牵头部门", "责任单位"),
           "support": ("配合单位", "参与单位", "协办单位", "配合部门"), "deadline": ("完成时限", "时间要求", "完成时间")}
MIN_SIMILARITY = 0.6
ORIGIN = "分工方案"  # 责任.origin of edges read from a table; a newer table of the same plan replaces them
UNITS_FILE = Path(__file__).parent / "patterns" / "division_units.toml"
DRAFT_COLUMNS = ("序号", "任务编号", "任务", "牵头单位", "配合单位", "完成时限", "建议依据")


@dataclass(slots=True)
class DivisionRow:
    line: int
    task: str
    lead: str
    support: str
    deadline: str | None
    id: str | None = None


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
                    out.append(DivisionRow(line, get("task"), get("lead"), get("support"), get("deadline") or None,
                                           get("id") or None))
            return out
    return []


def looks_like_division(rows: list[tuple[int, list[str]]]) -> bool:
    return bool(parse_rows(rows[:20] + rows[20:21]))


def apply_division(graph: Graph, plan: Node, rows: list[DivisionRow], source: str) -> list[str]:
    """Add 责任 edges for *rows* on *plan*'s items; returns warnings for rows that match no task."""
    items = [n for n in graph.nodes.values() if n.label in ("Task", "Project") and n.props.get("plan") == plan.id]
    by_id = {n.id: n for n in items}
    keys = [to_match(n.title) for n in items]
    warnings = []
    region = plan.props.get("region")
    for r in rows:
        if not (r.lead or r.support):
            continue  # a draft row nobody filled in: nothing to record
        key = to_match(re.sub(r"^\s*[\d一二三四五六七八九十]+[.、]", "", r.task))
        best, score = by_id.get(r.id or ""), 1.0
        if best is None:
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
                props = {"role": role, "evidence": f"分工方案 {source} 第{r.line}行：{r.task}", "origin": ORIGIN}
                if r.deadline:
                    props["deadline"] = r.deadline
                prior = graph.edge(RESPONSIBLE, ref.id, best.id)
                if prior is not None and role_origin(prior) != "分工方案":  # kept, so a reload can restore it
                    props["prior_role"] = str(prior.get("role") or "")
                    props["prior_evidence"] = str(prior.get("evidence") or "")
                graph.add_edge(Edge(RESPONSIBLE, ref.id, best.id, props))
    return warnings


def _agencies(text: str, region: str | None) -> list[AgencyRef]:
    out = []
    for part in re.split(r"[、，,；;\s]+", text):
        if not part:
            continue
        m = agency_regex().fullmatch(part) or agency_regex().fullmatch("省" + part if region and region.endswith("省") else "市" + part)
        ref = resolve_mention({k: v for k, v in m.groupdict().items() if v}, m.group(0), region) if m else None
        if ref is None:
            bare = part[1:] if region and len(part) > 2 and part[0] in "省市县区" and region.endswith(part[0]) else part
            ref = AgencyRef(bare if not region or bare.startswith(region) else f"{region}{bare}", region, part)
        out.append(ref)
    return out


# ---------------------------------------------------------------- round trip: draft and read back


def role_origin(edge) -> str:
    """Where a 责任 edge comes from, for the 来源 column: 分工方案, 默认 (the issuing body) or 正文."""
    ev = str(edge.get("evidence") or "")
    if edge.get("origin") == ORIGIN or ev.startswith("分工方案"):
        return "分工方案"
    if ev.startswith("默认"):
        return "默认"
    return "正文"


@dataclass(slots=True)
class Unit:
    name: str
    keywords: tuple[str, ...]


def load_units(path: Path | None = None) -> list[Unit]:
    """The keyword → unit mapping (a bureau's own copy via *path*)."""
    if not path:
        return _units(pattern_file(UNITS_FILE.name), UNITS_FILE)
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到单位对照文件 {path}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: 单位对照文件格式错误：{exc}") from exc
    return _units(data, path)


def _units(data: dict, path: Path) -> list[Unit]:
    units = []
    for i, u in enumerate(data.get("unit", []), 1):
        if not isinstance(u, dict) or not u.get("name") or not isinstance(u.get("keywords"), list):
            raise ConfigError(f"{path}: 第 {i} 个 [[unit]] 需要 name 和 keywords 列表")
        units.append(Unit(str(u["name"]), tuple(str(k) for k in u["keywords"] if k)))
    return units


def suggest_units(title: str, text: str, units: list[Unit]) -> tuple[list[str], str]:
    """(matched unit names, lead first; the keyword that decided the lead). Title matches rank before text ones."""
    found: list[tuple[int, int, str, str]] = []
    for order, u in enumerate(units):
        for where, hay in ((0, title), (1, text)):
            hits = [k for k in u.keywords if k in hay]
            if hits:
                found.append((where, order, u.name, hits[0]))
                break
    found.sort()
    return [name for _, _, name, _ in found], (found[0][3] if found else "")


@dataclass(slots=True)
class DraftRow:
    seq: int
    id: str
    task: str
    lead: str
    support: str
    deadline: str
    basis: str
    agencies: list[str] = field(default_factory=list)

    def cells(self) -> list:
        return [self.seq, self.id, self.task, self.lead, self.support, self.deadline, self.basis]


def draft_rows(store, plan_id: str, units: list[Unit] | None = None, max_support: int = 2) -> list[DraftRow]:
    """One row per task/project of the plan, in document order, with suggested units and the text's deadline.

    Units the text itself names as 牵头/配合 come first; keyword suggestions fill what is left.
    Works on any store (``nodes``/``edges``/``node``), so the app and the CLI share it.
    """
    units = load_units() if units is None else units
    items = sorted((n for n in store.nodes(plan=plan_id) if n.label in ("Task", "Project")),
                   key=lambda n: (n.get("line") or 0, n.id))
    out = []
    for i, n in enumerate(items, 1):
        text_lead, text_support = [], []
        for e in store.edges(RESPONSIBLE, target=n.id):
            if role_origin(e) != "正文":
                continue
            a = store.node(e.source)
            name = a.title if a else e.source
            (text_lead if e.get("role") == "牵头" else text_support).append(name)
        names, word = suggest_units(n.title, str(n.get("text") or ""), units)
        lead = text_lead[:1] or names[:1]
        support = [x for x in text_lead[1:] + text_support + names if x not in lead]
        support = list(dict.fromkeys(support))[:max_support]
        basis = "正文点名" if text_lead else (f"关键词“{word}”" if word else "未匹配，请填写")
        out.append(DraftRow(i, n.id, n.title, "、".join(lead), "、".join(support), str(n.get("deadline") or ""), basis))
    return out


def write_draft_xlsx(path: Path, plan_title: str, rows: list[DraftRow]) -> Path:
    """The draft table as .xlsx (title row naming the plan, so a build can match it; atomic write)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "任务分工方案"
    ws.append([f"{plan_title} 重点任务分工方案（草稿）"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(list(DRAFT_COLUMNS))
    for c in ws[2]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append(r.cells())
    for col, width in zip("ABCDEFG", (6, 24, 40, 24, 30, 14, 18)):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(tmp)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"无法写出 {path}：{exc}") from exc
    return path


def draft_bytes(plan_title: str, rows: list[DraftRow]) -> bytes:
    """The same draft in memory (the app's download button)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="plangraph-division-") as tmp:
        return write_draft_xlsx(Path(tmp) / "draft.xlsx", plan_title, rows).read_bytes()


@dataclass(slots=True)
class LoadResult:
    rows: int
    added: int
    removed: int
    warnings: list[str]


def load_division(graph: Graph, plan: Node, rows: list[DivisionRow], source: str) -> LoadResult:
    """Replace the plan's 分工方案 责任 edges with those of *rows* (a changed table replaces the old edges)."""
    items = {n.id for n in graph.nodes.values() if n.label in ("Task", "Project") and n.props.get("plan") == plan.id}
    old = [e for e in graph.edges_of(RESPONSIBLE) if e.target in items and role_origin(e) == "分工方案"]
    for e in old:
        graph.remove_edge(e.key)
        if e.get("prior_role"):  # the table had overwritten a default/text edge of the same agency: put it back
            graph.add_edge(Edge(RESPONSIBLE, e.source, e.target, {"role": e.get("prior_role"),
                                                           "evidence": e.get("prior_evidence") or ""}))
    before = sum(1 for e in graph.edges_of(RESPONSIBLE) if e.target in items)
    warnings = apply_division(graph, plan, rows, source)
    after = sum(1 for e in graph.edges_of(RESPONSIBLE) if e.target in items)
    return LoadResult(len(rows), after - before, len(old), warnings)


def read_division_file(path: Path) -> list[DivisionRow]:
    """Rows of a filled table (.xlsx/.csv/.docx); a clear Chinese error when the header is missing."""
    from .ingest import read_table_rows

    rows = parse_rows(read_table_rows(Path(path)))
    if not rows:
        raise ConfigError(f"{path}: 没有找到“任务/牵头单位”表头，无法读取分工方案")
    return rows
