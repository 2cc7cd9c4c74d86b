"""汇报材料: a plan or a goal as a short Chinese briefing — .pptx (python-pptx) to show, .docx (python-docx) to file.

Slides: title; the goal view as an image (drawn with Pillow in a CJK font, no browser needed); the coverage
table; the top orphans and 未承接 plans; indicator consistency; the responsibility summary. Everything is
read through the store protocol and the query library, so the same briefing comes from Neo4j or the
embedded store. Fonts: Noto Sans CJK SC, declared as the East Asian font so PowerPoint/WPS/LibreOffice
do not fall back to a font without Chinese glyphs.
"""
from __future__ import annotations

import datetime as _dt
import functools
import io
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .goal import GoalView, build_goal_view, goal_coverage, plan_coverage, plan_name
from .orphan_report import REASON_ZH, settings, summarise

CJK_FONT = "Noto Sans CJK SC"
LEVEL_ZH = {"national": "国家级", "province": "省级", "city": "地市级", "county": "县级"}
LABEL_ZH = {"Task": "任务", "Project": "项目", "Indicator": "指标", "Plan": "规划"}
FLAG_ZH = {"weaker_target": "目标弱于上级", "missing_baseline": "缺少基期值", "unit_mismatch": "单位不一致",
           "attribute_mismatch": "属性不一致（约束性/预期性）", "cumulative_mismatch": "累计/年度口径不一致",
           "period_mismatch": "口径不一致（期间新增/累计）", "missing_target": "缺少目标值"}


@dataclass
class Section:
    title: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


@dataclass
class Briefing:
    title: str
    subtitle: str
    image: bytes  # PNG of the goal view
    sections: list[Section]


# ---------------------------------------------------------------- content


def _short(text: str, n: int) -> str:
    text = str(text or "").strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def collect(store, key_id: str) -> Briefing:
    """The briefing's content for a plan or an item (task/project/indicator) — no file format yet."""
    node = store.node(key_id)
    if node is None:
        from .errors import NotFoundError

        raise NotFoundError(f"图中没有 {key_id}")
    n_rows = settings()["brief_rows"]
    if node.label == "Plan":
        plan, view = node, None
        title = node.title
        subtitle = f"{plan_name(node)} · {LEVEL_ZH.get(node.get('level'), '')} · 规划承接情况汇报"
    else:
        view = build_goal_view(store, key_id)
        plan = view.plan
        title = node.title
        subtitle = f"{plan_name(plan)} · {LABEL_ZH.get(node.label, '')}的去向（{view.total} 项下级承接）"
    sections = []
    # coverage
    if view is not None:
        cov = goal_coverage(view)
        sections.append(Section("覆盖情况：哪些下级规划承接了该目标",
                                ["下级规划", "层级", "承接条目", "状态"],
                                [[c["region"], LEVEL_ZH.get(c["level"], ""), str(c["items"]),
                                  "已承接" if c["picked"] else "未承接"] for c in cov][:n_rows],
                                note="未承接：已载入的下级规划中找不到对应条目。"))
    else:
        cov = plan_coverage(store, plan.id)
        sections.append(Section("覆盖情况：下级规划承接本规划的程度", ["下级规划", "上级条目", "已承接", "承接率"],
                                [[c["region"], str(c["upper_items"]), str(c["covered"]), f"{c['share'] * 100:.1f}%"]
                                 for c in cov][:n_rows]))
    # orphans and 未承接
    summ = summarise(store, plan.id if plan is not None else None)
    rows = []
    if view is not None:
        rows += [[s.name, "（整个规划）", "未承接该目标"] for s in view.missing]
    rows += [[plan_name(store.node(r["plan"]), ""), _short(r["title"], 30), REASON_ZH.get(r["reason"], r["reason"])]
             for r in summ.rows]
    for m in summ.missing:
        ups = "、".join(plan_name(store.node(u), u) for u in m.uppers)
        rows.append([plan_name(store.node(m.lower), m.lower), f"{m.items} 项（需载入 {ups} 的上级规划）", "上级规划未载入"])
    counts = Counter(REASON_ZH.get(k[1], k[1]) for k, v in summ.counts.items() for _ in range(v))
    sections.append(Section("孤立项与未承接", ["规划", "条目", "原因"], rows[:n_rows],
                            note="；".join(f"{k} {v} 项" for k, v in counts.most_common())))
    # indicators
    flags = store.query("indicator_flags")
    mine = []
    for f in flags:
        lo, up = store.node(f["lower"]), store.node(f["upper"])
        if plan is None or plan.id in ((lo.plan if lo else None), (up.plan if up else None)):
            mine.append([_short(f["lower_name"], 16), _short(f["upper_name"], 16), FLAG_ZH.get(f["flag"], f["flag"]),
                         _short(f["reason"], 30)])
    sections.append(Section("指标一致性", ["下级指标", "上级指标", "问题", "说明"], mine[:n_rows],
                            note=f"共 {len(mine)} 项" if mine else "未发现不一致。"))
    # responsibility
    if view is not None:
        targets = {i.id for s in view.slots for i in s.items} | {key_id}
        resp = [r for p in {s.plan for s in view.slots} | {plan.id if plan else None} if p
                for r in store.query("responsibility", plan=p) if r["target"] in targets]
    else:
        resp = store.query("responsibility", plan=plan.id)
    work: dict[str, Counter] = {}
    for r in resp:
        work.setdefault(r["agency_name"], Counter())[r["role"]] += 1
    rrows = [[a, str(c["牵头"]), str(c["主责"]), str(c["配合"]), str(sum(c.values()))]
             for a, c in sorted(work.items(), key=lambda kv: -sum(kv[1].values()))]
    sections.append(Section("责任分工", ["部门", "牵头", "主责", "配合", "合计"], rrows[:n_rows],
                            note="主责：默认由发文部门负责；牵头/配合：来自正文或任务分工方案。"))
    image = goal_image(store, node, view)
    return Briefing(title, subtitle, image, sections)


# ---------------------------------------------------------------- the picture


@functools.cache
def font_path() -> str:
    """The installed Noto Sans CJK file (fonts-noto-cjk; installed by scripts/browser.sh)."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", f"{CJK_FONT}:lang=zh-cn"], capture_output=True, text=True,
                             timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    for cand in (out, "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"):
        if cand and "CJK" in cand and Path(cand).exists():
            return cand
    raise ConfigError("未找到中文字体 Noto Sans CJK（请运行 bash scripts/browser.sh 安装 fonts-noto-cjk）")


LEVEL_COLOR = {"national": "#c0392b", "province": "#d68910", "city": "#2471a3", "county": "#1e8449", None: "#7f8c8d"}


def goal_image(store, node, view: GoalView | None, width: int = 1600, height: int = 900) -> bytes:
    """Top-down picture: the goal (or plan) on top, one row per level below, a box per plan with its items;
    an empty dashed box for a plan that did not pick the goal up (未承接)."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    fp = font_path()
    big, mid, small = (ImageFont.truetype(fp, s, index=2) for s in (34, 24, 19))  # index 2: the SC face of the .ttc

    def box(x0, y0, x1, y1, fill, outline, dashed=False):
        if dashed:
            d.rectangle((x0, y0, x1, y1), fill="#ffffff")
            for x in range(int(x0), int(x1), 16):
                d.line((x, y0, min(x + 8, x1), y0), fill=outline, width=3)
                d.line((x, y1, min(x + 8, x1), y1), fill=outline, width=3)
            for y in range(int(y0), int(y1), 16):
                d.line((x0, y, x0, min(y + 8, y1)), fill=outline, width=3)
                d.line((x1, y, x1, min(y + 8, y1)), fill=outline, width=3)
        else:
            d.rounded_rectangle((x0, y0, x1, y1), radius=10, fill=fill, outline=outline, width=3)

    plan = store.node(node.plan) if node.label != "Plan" and node.plan else node
    colour = LEVEL_COLOR.get(plan.get("level") if plan else None, LEVEL_COLOR[None])
    top = f"{plan_name(plan)} · {_short(node.title, 26)}"
    tw = d.textlength(top, font=big)
    box(width / 2 - tw / 2 - 30, 30, width / 2 + tw / 2 + 30, 110, colour, "#111111")
    d.text((width / 2, 70), top, font=big, fill="white", anchor="mm")
    if view is not None:
        groups = [(s.name, s.level, [f"{_short(i.title, 16)}（{i.score:.2f}）" if i.score is not None else _short(i.title, 16)
                                     for i in s.items], s.picked) for s in view.slots]
    else:
        groups = [(c["region"], c["level"], [f"承接 {c['covered']}/{c['upper_items']} 项", f"承接率 {c['share'] * 100:.0f}%"],
                   True) for c in plan_coverage(store, node.id)]
    if not groups:
        d.text((width / 2, 300), "没有已载入的下级规划", font=mid, fill="#555555", anchor="mm")
    n = max(1, len(groups))
    col_w = min((width - 80) / n, 560)
    left = (width - col_w * n) / 2
    for k, (name, level, lines, picked) in enumerate(groups):
        x0 = left + k * col_w + 10
        x1 = x0 + col_w - 20
        y0 = 220
        shown = lines[:14]
        y1 = y0 + 70 + 34 * max(1, len(shown))
        c = LEVEL_COLOR.get(level, LEVEL_COLOR[None])
        d.line((width / 2, 110, (x0 + x1) / 2, y0), fill="#555555", width=3)
        box(x0, y0, x1, min(y1, height - 30), "#f7f9fc" if picked else "#ffffff", c if picked else "#999999",
            dashed=not picked)
        d.text(((x0 + x1) / 2, y0 + 30), f"{name}{'' if picked else '（未承接）'}", font=mid,
               fill=c if picked else "#777777", anchor="mm")
        for j, line in enumerate(shown):
            d.text((x0 + 16, y0 + 64 + 34 * j), _fit(d, "· " + line, small, x1 - x0 - 30), font=small, fill="#222222")
        if len(lines) > len(shown):
            d.text((x0 + 16, y0 + 64 + 34 * len(shown)), f"…另有 {len(lines) - len(shown)} 项", font=small, fill="#666666")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _fit(d, text: str, font, max_w: float) -> str:
    while text and d.textlength(text, font=font) > max_w:
        text = text[:-2] + "…"
    return text


# ---------------------------------------------------------------- writers


def _atomic_save(save, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        save(str(tmp))
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"无法写出 {path}：{exc}") from exc
    return path


def _ea_font(run_or_font_el, size=None) -> None:
    """python-pptx sets only the Latin face; the East Asian face decides how Chinese renders."""
    from pptx.oxml.ns import qn

    rpr = run_or_font_el
    for tag in ("a:latin", "a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", CJK_FONT)


def _text(tf, text: str, size: int, bold: bool = False, color=None) -> None:
    from pptx.util import Pt

    tf.word_wrap = True
    p = tf.paragraphs[0]
    run = p.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _ea_font(run._r.get_or_add_rPr())


def to_pptx(b: Briefing, path: Path) -> Path:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    s = prs.slides.add_slide(blank)
    _text(s.shapes.add_textbox(Inches(0.8), Inches(2.3), Inches(11.7), Inches(1.6)).text_frame, b.title, 40, True,
          RGBColor(0x1F, 0x3A, 0x5F))
    _text(s.shapes.add_textbox(Inches(0.8), Inches(4.0), Inches(11.7), Inches(0.8)).text_frame, b.subtitle, 22)
    _text(s.shapes.add_textbox(Inches(0.8), Inches(5.0), Inches(11.7), Inches(0.6)).text_frame,
          f"汇报材料 · {_dt.date.today():%Y年%m月%d日} · 规划任务图谱生成", 16, color=RGBColor(0x66, 0x66, 0x66))
    s = prs.slides.add_slide(blank)
    _text(s.shapes.add_textbox(Inches(0.5), Inches(0.2), Inches(12), Inches(0.7)).text_frame, "目标去向", 28, True)
    s.shapes.add_picture(io.BytesIO(b.image), Inches(0.5), Inches(1.0), width=Inches(12.3))
    for sec in b.sections:
        s = prs.slides.add_slide(blank)
        _text(s.shapes.add_textbox(Inches(0.5), Inches(0.2), Inches(12), Inches(0.7)).text_frame, sec.title, 28, True)
        if sec.rows:
            rows, cols = len(sec.rows) + 1, len(sec.columns)
            height = Emu(min(Inches(5.6), Inches(0.42) * rows))
            tbl = s.shapes.add_table(rows, cols, Inches(0.5), Inches(1.1), Inches(12.3), height).table
            for j, h in enumerate(sec.columns):
                tbl.cell(0, j).text_frame.text = ""
                _text(tbl.cell(0, j).text_frame, h, 14, True)
            for i, r in enumerate(sec.rows, 1):
                for j, v in enumerate(r):
                    _text(tbl.cell(i, j).text_frame, str(v), 12)
        else:
            _text(s.shapes.add_textbox(Inches(0.5), Inches(1.2), Inches(12), Inches(0.6)).text_frame, "（无）", 18)
        if sec.note:
            _text(s.shapes.add_textbox(Inches(0.5), Inches(6.8), Inches(12.3), Inches(0.5)).text_frame, sec.note, 13,
                  color=RGBColor(0x55, 0x55, 0x55))
    return _atomic_save(prs.save, path)


def to_docx(b: Briefing, path: Path) -> Path:
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    doc = docx.Document()
    for style in ("Normal", "Title", "Heading 1", "Heading 2"):
        st = doc.styles[style]
        st.font.name = CJK_FONT
        rpr = st.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), CJK_FONT)
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(b.title, level=0)
    doc.add_paragraph(b.subtitle)
    doc.add_paragraph(f"汇报材料 · {_dt.date.today():%Y年%m月%d日} · 规划任务图谱生成")
    doc.add_heading("目标去向", level=1)
    doc.add_picture(io.BytesIO(b.image), width=Inches(6.3))
    for sec in b.sections:
        doc.add_heading(sec.title, level=1)
        if sec.rows:
            t = doc.add_table(rows=1, cols=len(sec.columns))
            t.style = "Table Grid"
            for j, h in enumerate(sec.columns):
                t.rows[0].cells[j].text = h
            for r in sec.rows:
                cells = t.add_row().cells
                for j, v in enumerate(r):
                    cells[j].text = str(v)
        else:
            doc.add_paragraph("（无）")
        if sec.note:
            doc.add_paragraph(sec.note)
    return _atomic_save(doc.save, path)


def write_briefing(store, key_id: str, path: Path) -> Path:
    """.pptx or .docx by the file suffix."""
    b = collect(store, key_id)
    suffix = Path(path).suffix.lower()
    if suffix == ".pptx":
        return to_pptx(b, path)
    if suffix == ".docx":
        return to_docx(b, path)
    raise ConfigError(f"汇报材料只支持 .pptx 或 .docx（收到 {Path(path).name}）")


def briefing_bytes(store, key_id: str, suffix: str) -> bytes:
    """The same file in memory (the app's download button)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="plangraph-brief-") as tmp:
        return write_briefing(store, key_id, Path(tmp) / f"brief{suffix}").read_bytes()
