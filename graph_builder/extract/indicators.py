"""Indicators: rows of 主要指标 tables (three flattened layouts) and quantified targets stated in prose.

Layouts: one cell per line ending " |" (column order from the header cells); one row per line with
pipe-separated cells (a merged category cell is printed only on a group's first row); tab-separated
OCR rows whose name is split over two cells and with continuation rows (Guangdong). Guangdong marks
cumulative values with [ ] and new-during-the-period values with ( ).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..pattern_files import pattern_file
from ..models import Indicator, stable_id
from ..nlp import docs
from ..normalize import Paragraph, clean_display, to_match


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return pattern_file("indicators.toml")


@dataclass(slots=True)
class Row:
    line: int
    seq: str | None = None
    category: str | None = None
    name: str = ""
    unit: str | None = None
    baseline: str | None = None
    target: str | None = None
    attribute: str | None = None
    value_kind: str | None = None  # cumulative | period_new | None


@dataclass(slots=True)
class TableResult:
    caption: str
    line: int
    rows: list[Row] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _role(label: str) -> str | None:
    t = to_match(label)
    for role, words in _cfg()["table"]["roles"]:
        if any(w in t for w in words):
            return role
    return None


def find_tables(paras: list[Paragraph]) -> tuple[list[TableResult], list[tuple[int, str]]]:
    """Indicator tables in document order, plus warnings (e.g. a caption whose table is missing)."""
    tables, warnings = [], []
    i = 0
    while i < len(paras):
        p = paras[i]
        t = p.text.strip("|")
        if "指标" in t and len(t) <= 70 and not re.search("[，。；]", t) and not (p.table and "\t" in p.display and _is_data_tab(p)):
            rows = []
            j = i + 1
            if not p.table and j < len(paras) and not paras[j].table and len(paras[j].display) <= 40 and "指标" not in paras[j].display:
                j += 1  # a stray short line between caption and table
            while j < len(paras) and paras[j].table:
                rows.append(paras[j])
                j += 1
            if len(rows) >= 2:
                tables.append(parse_table(p, rows, paras[j:j + 2]))
                i = j
                continue
            if not p.table and ("主要指标" in t) and len(rows) == 0:
                warnings.append((p.line, f"指标表“{p.display.strip()}”缺少表格内容（原文未包含该表）"))
        i += 1
    return tables, warnings


def _is_data_tab(p: Paragraph) -> bool:
    return bool(re.match(r"\s*\d+\t", p.display))


def parse_table(caption: Paragraph, rows: list[Paragraph], after: list[Paragraph]) -> TableResult:
    res = TableResult(clean_display(caption.display.strip().strip("|").strip()), caption.line)
    for p in [caption, *rows, *after]:
        res.notes.extend(p.notes)
    res.notes.extend(p.display for p in after if "累计" in p.display or "[]" in p.display)
    if any("\t" in p.display for p in rows):
        _parse_tab(rows, res)
    elif sum(1 for p in rows if len(_cells(p.display)) >= 3) >= 2:
        _parse_pipe_rows(rows, res)
    else:
        _parse_cell_lines(rows, res)
    _apply_notes(res)
    return res


def _cells(s: str) -> list[str]:
    parts = [c.strip() for c in s.strip().split("|")]
    while parts and not parts[-1]:
        parts.pop()
    while parts and not parts[0]:
        parts.pop(0)
    return parts


def _is_header_label(s: str) -> bool:
    return _role(s) is not None and not re.fullmatch(r"[-—–]|[≥≤><≈]?[\d.]+%?", to_match(s))


def _is_attr(s: str) -> bool:
    return to_match(s) in _cfg()["table"]["attributes"]


def _is_value(s: str) -> bool:
    t = to_match(s)
    return bool(re.fullmatch(r"[-—–]|[≥≤><≈]?\s*[\[(]?\d[\d.,]*[\])]?\s*%?.{0,6}", t)) or t in ("", "-")


# ------------------------------------------------------------------ layout: one cell per line
def _parse_cell_lines(rows: list[Paragraph], res: TableResult) -> None:
    cells = [(p.line, c) for p in rows for c in _cells(p.display) if c]
    header: list[str] = []
    k = 0
    while k < len(cells) and _is_header_label(cells[k][1]) and len(header) < 8:
        header.append(_role(cells[k][1]))  # type: ignore[arg-type]
        k += 1
    if "name" not in header:
        res.warnings.append((res.line, "指标表缺少表头，无法识别列"))
        return
    body_roles = [r for r in header if r != "category"]
    category = None
    while k < len(cells):
        line, c = cells[k]
        if "category" in header and not re.match(r"\d", c) and not _is_value(c) and not _is_attr(c) \
                and k + 1 < len(cells) and re.match(r"\d", cells[k + 1][1]) and len(to_match(c)) <= 10:
            category = to_match(c)
            k += 1
            continue
        chunk = cells[k:k + len(body_roles)]
        if len(chunk) < len(body_roles):
            res.warnings.append((line, f"指标表在第 {line} 行被截断：最后一行只有 {len(chunk)} 个单元格"))
            break
        row = Row(line, category=category)
        for role, (_, val) in zip(body_roles, chunk):
            _set(row, role, val)
        if row.attribute is not None and not _is_attr(row.attribute):
            res.warnings.append((line, f"指标表第 {line} 行的列无法对齐（属性为“{row.attribute}”）"))
        res.rows.append(_finish(row))
        k += len(body_roles)


# ------------------------------------------------------------------ layout: pipe-separated rows
def _parse_pipe_rows(rows: list[Paragraph], res: TableResult) -> None:
    header = [_role(c) for c in _cells(rows[0].display)]
    if "name" not in header:
        res.warnings.append((rows[0].line, "指标表缺少表头，无法识别列"))
        return
    category = None
    for p in rows[1:]:
        cells = _cells(p.display)
        roles = header if len(cells) >= len(header) else [r for r in header if r != "category"]
        if len(cells) < len(roles):
            res.warnings.append((p.line, f"指标表第 {p.line} 行单元格不足（{len(cells)}/{len(roles)}）"))
            continue
        row = Row(p.line, category=category)
        for role, val in zip(roles, cells):
            if role:
                _set(row, role, val)
        category = row.category
        res.rows.append(_finish(row))


# ------------------------------------------------------------------ layout: tab-separated OCR rows
def _parse_tab(rows: list[Paragraph], res: TableResult) -> None:
    data = []
    for p in rows:
        cells = [c.strip() for c in p.display.split("\t")]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            data.append((p, cells))
    start = next((i for i, (_, c) in enumerate(data) if re.fullmatch(r"\d+", c[0])), None)
    if start is None:
        res.warnings.append((res.line, "指标表没有可识别的数据行"))
        return
    category = None
    prev_base: str | None = None
    prev: Row | None = None
    for i in range(start, len(data)):
        p, cells = data[i]
        attr_idx = max((k for k, c in enumerate(cells) if _is_attr(c)), default=None)
        if attr_idx is None or attr_idx < 4:
            res.warnings.append((p.line, f"指标表第 {p.line} 行无法识别（缺少属性列）"))
            continue
        target, baseline, unit = cells[attr_idx - 1], cells[attr_idx - 2], cells[attr_idx - 3]
        middle = cells[: attr_idx - 3]
        continuation = not re.fullmatch(r"\d+", middle[0]) if middle else True
        row = Row(p.line, attribute=cells[attr_idx], unit=_clean(unit) or None)
        row.baseline, row.target = _value(baseline), _value(target)
        if continuation and prev is not None:
            parts = [c for c in middle if c.strip()]
            row.seq, row.category = prev.seq, prev.category
            row.name = f"{prev_base}（{_clean(parts[-1]) if parts else ''}）"
        else:
            row.seq = middle[0]
            frag = re.sub(r"[^\u4e00-\u9fff]", "", middle[1]) if len(middle) > 1 else ""
            category = frag or category
            row.category = category
            parts = [c for c in middle[2:] if c.strip()]
            next_is_cont = i + 1 < len(data) and not re.fullmatch(r"\d+", data[i + 1][1][0] or "x")
            if len(parts) >= 2 and next_is_cont:
                prev_base = _clean(parts[0])
                row.name = f"{prev_base}（{_clean(parts[1])}）"
            else:
                row.name = _merge_parts(parts)
                prev_base = row.name
        _kind_from_brackets(row, baseline, target)
        res.rows.append(_finish(row, keep_name=True))
        prev = row


def _merge_parts(parts: list[str]) -> str:
    """Rejoin an indicator name that OCR split over two cells.

    >>> _merge_parts(['一般事项" 查比例', '双随机、一公开"监督抽'])
    '一般事项"双随机、一公开"监督抽查比例'
    >>> _merge_parts(['重点消费品质', '质量安全监测评价合格率'])
    '重点消费品质量安全监测评价合格率'
    """
    if not parts:
        return ""
    if len(parts) == 2:
        a, b = parts[0].strip(), parts[1].strip()
        gaps = re.findall(r"\s+", a)
        if len(gaps) == 1 and not re.search(r"\s", b):
            left, right = re.split(r"\s+", a)
            return _clean(left + b + right)
        a, b = _clean(a), _clean(b)
        if a and b and a[-1] == b[0]:
            b = b[1:]
        return a + b
    return "".join(_clean(p) for p in parts)


def _clean(s: str) -> str:
    return re.sub(r"\s+", "", clean_display(s))


def _value(s: str) -> str | None:
    s = _clean(s)
    return s or None


def _kind_from_brackets(row: Row, baseline: str, target: str) -> None:
    vals = f"{baseline}{target}"
    if "[" in vals:
        row.value_kind = "cumulative"
    elif re.search(r"\(\d", vals):
        row.value_kind = "period_new"
    for attr in ("baseline", "target"):
        v = getattr(row, attr)
        if v:
            setattr(row, attr, v.strip("[]()（）") if re.fullmatch(r"[\[(（][^\])）]*[\])）]", v) else v)


def _set(row: Row, role: str, val: str) -> None:
    val = val.strip()
    if role == "name":
        row.name = val
    elif role == "category":
        row.category = to_match(val) or row.category
    elif role == "seq":
        row.seq = val
    elif role == "unit":
        row.unit = val or None
    elif role in ("baseline", "target"):
        setattr(row, role, _value(val))
    elif role == "attribute":
        row.attribute = to_match(val)


_SEQ = re.compile(r"^\s*(\d{1,3})\s*[.、．]\s*")
_UNIT = re.compile(r"[（(]([^（()）]{1,10})[)）]\s*$|(%|％)\s*$")


def _finish(row: Row, keep_name: bool = False) -> Row:
    name = clean_display(row.name)
    m = _SEQ.match(name)
    if m:
        row.seq = row.seq or m.group(1)
        name = name[m.end():]
    if not keep_name:
        m = _UNIT.search(name)
        if m and _looks_like_unit(m.group(1) or m.group(2)):
            row.unit = row.unit or (m.group(1) or m.group(2))
            name = name[: m.start()].strip()
    if not row.unit and row.target:
        m = re.search(r"\d\s*([^\d\s≥≤><≈.]{1,6})$", row.target)
        if m and _looks_like_unit(m.group(1)):
            row.unit = m.group(1)
    row.name = name
    if row.attribute:
        row.attribute = to_match(row.attribute)
    if row.baseline in ("—", "–"):
        row.baseline = "-"
    return row


def _looks_like_unit(s: str) -> bool:
    """'万户', '%', '批次/千人', '工作日' are units; '区' in '示范县(区)' is not."""
    c = _cfg()["prose"]
    return "/" in s or s in ("%", "％", "工作日") or any(u in s for u in c["units"] if u != "分") or s == "分"


def _apply_notes(res: TableResult) -> None:
    cfg = _cfg()["table"]
    cum: set[str] | None = None
    for note in res.notes:
        m = re.search(cfg["cumulative_note"], to_match(note))
        if m:
            cum = set(re.findall(r"\d+", m.group(1)))
    brackets = any("[]" in to_match(n) and "累计" in n for n in res.notes)
    for row in res.rows:
        if row.value_kind is None and brackets:
            row.value_kind = "point"
        if row.value_kind is None:
            if cum is not None:
                row.value_kind = "cumulative" if row.seq in cum else "point"
            elif any(w in row.name for w in cfg["cumulative_words"]):
                row.value_kind = "cumulative"


def table_indicators(tables: list[TableResult], plan_id: str, plan_key: str) -> list[Indicator]:
    out: list[Indicator] = []
    seen: set[str] = set()
    for t in tables:
        for r in t.rows:
            iid = stable_id("indicator", plan_key, to_match(t.caption), r.seq or "", to_match(r.name))
            if iid in seen:
                continue
            seen.add(iid)
            cumulative = {"cumulative": True, "point": False, "period_new": False}.get(r.value_kind or "", None)
            out.append(Indicator(iid, plan_id, r.name, r.unit, r.baseline, r.target, r.attribute, cumulative,
                                 r.category, "table", r.line, seq=r.seq, quote=t.caption))
    return out


# ------------------------------------------------------------------ prose targets
@lru_cache(maxsize=1)
def _prose_rx() -> tuple[re.Pattern, re.Pattern]:
    """(quantity, cue) patterns; the quantity is the pipeline's TARGET span pattern (entities.toml)."""
    from ..nlp import span_patterns

    cues = re.compile("|".join(map(re.escape, _cfg()["prose"]["cues"])))
    return span_patterns()["TARGET"], cues


_CMP = {"超过": ">", "高于": ">", "不少于": "≥", "不低于": "≥", "不超过": "≤", "低于": "<", "以上": "≥", "以下": "≤", "以内": "≤", "左右": "≈"}


def prose_targets(text: str, *, plan_id: str, plan_key: str, line: int, task_id: str | None) -> list[Indicator]:
    """Quantified targets in a task's text, one Indicator per clause ("到2025年,…达到95%以上" → ≥95%)."""
    cues = _prose_rx()[1]
    rows = []  # (sentence has a cue, clause, normalised clause); only clauses with a digit are parsed
    for sentence in re.split(r"(?<=[。！？])", text):
        scue = bool(cues.search(to_match(sentence)))
        for clause in _clauses(sentence):
            norm = to_match(clause)
            if "十三五" not in norm and any(ch.isdigit() for ch in norm):
                rows.append((scue, clause, norm))
    out = []
    for (scue, clause, norm), sdoc in zip(rows, docs([r[2] for r in rows])):
        hits = [sp._.parts for sp in sdoc.spans["TARGET"] if norm[sp._.exact[1]:sp._.exact[1] + 1] != "年"]
        hits = [h for h in hits if h.get("unit") or h.get("post") or h.get("cmp")]
        if not hits or not (scue or cues.search(norm) or "100%" in norm):
            continue
        m = hits[-1]
        comp = _CMP.get(m.get("post") or "") or _CMP.get(m.get("cmp") or "") or ""
        target = f"{comp}{m['num']}{m.get('unit') or ''}"
        name = clause.strip(" ，,；;。")
        iid = stable_id("indicator", plan_key, "prose", task_id or "", to_match(name))
        out.append(Indicator(iid, plan_id, name, m.get("unit"), None, target, None, None, None, "prose", line,
                             task=task_id, quote=name))
    return out


def _clauses(sentence: str) -> list[str]:
    """Clauses of a sentence; a clause listing several quantities with 、 is split outside brackets."""
    out = []
    for clause in re.split(r"[，,；;。：:！？]", sentence):
        if len(re.findall(r"\d+", clause)) >= 2 and re.search("[、和及]", clause):
            out.extend(_split_outside_brackets(clause))
        elif clause.strip():
            out.append(clause)
    return out


def _split_outside_brackets(s: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in s:
        depth += ch in "(（“《"
        depth -= ch in ")）”》"
        if ch in "、和及" and depth <= 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    # keep a part without a number attached to the next (e.g. "报备率、及时率、规范率达100%")
    merged, carry = [], ""
    for p in parts:
        if re.search(r"\d", p):
            merged.append(carry + p if carry else p)
            carry = ""
        else:
            carry += p + "、"
    if carry and merged:
        merged[-1] += "、" + carry.rstrip("、")
    if len(merged) == 1:
        return [s]
    return [m for m in merged if m.strip()]


# ------------------------------------------------------------------ one Indicator per measure and plan
_MAG = {"百": 1e2, "千": 1e3, "万": 1e4, "亿": 1e8}


def _amount(target: str | None, unit: str | None) -> float | None:
    """The target as a plain number: '6.6' in 千件 → 6600; '2件' → 2."""
    m = re.search(r"\d+(?:\.\d+)?", to_match(target or ""))
    if not m:
        return None
    u = to_match(unit or "")
    tail = to_match(target or "")[m.end():]
    mag = _MAG.get(u[:1], 1.0) if u else 1.0
    if tail[:1] in _MAG and len(tail) > 1:
        mag = _MAG[tail[0]]
    return float(m.group()) * mag


def merge_restated(table: list[Indicator], prose: list[tuple[Indicator, str]]) -> list[tuple[Indicator, str]]:
    """Fold prose targets that restate a table row of the same plan into that row; return the others.

    Same measure (same measure key) and the same target amount: the plan states one indicator twice
    (a table row 2件 and a sentence "…拥有量达2件"). The row keeps the prose line (``prose_line``) and,
    when the sentence is in a task, that task (``task``).
    """
    from ..measures import measure_key, prose_measure_text

    by_key: dict[str, list[Indicator]] = {}
    for t in table:
        by_key.setdefault(measure_key(t.name), []).append(t)
    kept = []
    for ind, container in prose:
        k = measure_key(prose_measure_text(ind.name))
        amount = _amount(ind.target, ind.unit)
        row = next((t for t in by_key.get(k, []) if amount is not None and t.prose_line is None
                    and (a := _amount(t.target, t.unit)) is not None and abs(a - amount) <= 1e-6 * max(1.0, a)), None)
        if row is None or len(k) < 2:
            kept.append((ind, container))
            continue
        row.prose_line = ind.line
        row.task = row.task or ind.task
    return kept
