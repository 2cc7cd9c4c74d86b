"""Make plan documents in the forms officials receive them, from the plain-text seeds, at test time.

One typesetter lays a text out on A4 pages (paragraphs wrapped at the page width with a two-character
first-line indent, a running header, "— N —" page numbers, indicator tables as ruled grids); renderers
draw that layout as a text-layer PDF (reportlab), a scan (Pillow + a CJK font, no text layer), or an OFD.
The portal page and the .doc come from the same text. Never checked in: the seeds stay the only copy.
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

A4 = (595.0, 842.0)  # points
MARGIN = 72.0
FONT = 14.0
PITCH = 24.0
HEADER_LABELS = ("类别", "類別", "指标", "指標", "2020年", "2025年", "属性", "屬性", "序号", "指标名称", "指标要求")


@dataclass
class Layout:
    pages: list[list[tuple]] = field(default_factory=list)  # ("text", x, y_top, s) | ("rule", x0, y0, x1, y1)


def _cjk_font_path() -> str:
    for cand in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"):
        if Path(cand).exists():
            return cand
    out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout.split()
    if not out:
        raise RuntimeError("需要中文字体：bash scripts/browser.sh 会安装 fonts-noto-cjk")
    return out[0].rstrip(":")


def table_rows(cell_lines: list[str]) -> list[list[str]]:
    """The seeds' one-cell-per-line indicator table → grid rows (category printed on its group's first row)."""
    cells = [c.strip() for ln in cell_lines for c in ln.split("|") if c.strip()]
    header = []
    while cells and cells[0] in HEADER_LABELS:
        header.append(cells.pop(0))
    if len(header) < 2:
        return [[c] for c in cells]
    if header[0] not in ("类别", "類別"):  # no category column: plain rows
        return [header] + [cells[i:i + len(header)] for i in range(0, len(cells), len(header))]
    rows = [header]
    width = len(header) - 1
    category = ""
    i = 0
    while i < len(cells):
        c = cells[i]
        if not re.match(r"\d", c) and i + 1 < len(cells) and re.match(r"\d+[.．]", cells[i + 1]) and len(c) <= 10:
            category = c
            i += 1
            continue
        rows.append([category, *cells[i:i + width]])
        category = ""
        i += width
    return rows


def typeset(text: str, header: str, measure) -> Layout:
    """Lay *text* out; *measure(s)* gives a string's width in points at FONT size."""
    lay = Layout()
    width = A4[0] - 2 * MARGIN
    y = [A4[1]]

    def new_page():
        lay.pages.append([("text", MARGIN, 40.0, header), ("rule", MARGIN, 58.0, A4[0] - MARGIN, 58.0)])
        y[0] = MARGIN + 10

    def need(h: float):
        if not lay.pages or y[0] + h > A4[1] - MARGIN:
            new_page()

    lines = text.split("\n")
    i = 0
    while i < len(lines):
        ln = lines[i].strip()
        if ln.endswith("|"):
            block = []
            while i < len(lines) and lines[i].strip().endswith("|"):
                block.append(lines[i].strip())
                i += 1
            caption = [b for b in block if b.strip("| ") and not any(b.startswith(h) for h in HEADER_LABELS)][:1]
            if caption and ("指标" in caption[0] or "指標" in caption[0]):
                _paragraph(lay, caption[0].rstrip("| "), measure, width, y, need)
                block = block[block.index(caption[0]) + 1:]
            split = [[c.strip() for c in b.split("|")] for b in block]
            if any(len([c for c in cells if c]) >= 2 for cells in split):
                rows = [[c for c in cells if c] or [""] for cells in split if any(cells)]
            else:
                rows = table_rows(block) if block else []
            rows = [r for r in rows if any(r)]
            if not rows:
                continue
            if all(len(r) == 1 for r in rows) and not any(c in HEADER_LABELS for r in rows for c in r):
                # a box: a one-column ruled frame; caption row, then a row whose items (separated by spaces
                # in the text) are paragraphs; a row too long for the page continues on the next page
                for (cell,) in rows:
                    printed: list[tuple[float, str]] = []
                    for part in re.split(r"\s+(?=[^\s，,。；;]{2,24}[，,。])", cell):
                        first = True
                        for piece in _wrap_cell(part.strip(), width - 8 - (2 * FONT), measure):
                            printed.append((2 * FONT if first else 0.0, piece))
                            first = False
                    printed = _rewrap(printed, width - 8, measure)
                    while printed:
                        room = int((A4[1] - MARGIN - y[0]) // PITCH) - 1
                        if room < 2:
                            need(A4[1])  # forces a new page
                            continue
                        chunk, printed = printed[:room], printed[room:]
                        top = y[0]
                        rh = PITCH * (len(chunk) + 0.2)
                        for k, (indent, piece) in enumerate(chunk):
                            lay.pages[-1].append(("text", MARGIN + 4 + indent, top + 4 + k * PITCH, piece))
                        for yy in (top - 2, top + rh - 2):
                            lay.pages[-1].append(("rule", MARGIN, yy, MARGIN + width, yy))
                        for xx in (MARGIN, MARGIN + width):
                            lay.pages[-1].append(("rule", xx, top - 2, xx, top + rh - 2))
                        y[0] += rh
                y[0] += PITCH * 0.5
                continue
            ncol = max(len(r) for r in rows)
            cols = ([w * width / 32 for w in (4.5, 15.0, 4.5, 4.5, 3.5)] if ncol == 5 else [width / ncol] * ncol)
            for r, row in enumerate(rows):
                wrapped = [_wrap_cell(cell, w - 8, measure) for w, cell in zip(cols, row)]
                rh = PITCH * (max(len(c) for c in wrapped) + 0.2)
                need(rh)
                x = MARGIN
                top = y[0]
                for w, parts in zip(cols, wrapped):
                    for k, part in enumerate(parts):
                        lay.pages[-1].append(("text", x + 4, top + 4 + k * PITCH, part))
                    x += w
                lay.pages[-1].append(("rule", MARGIN, top - 2, x, top - 2))
                lay.pages[-1].append(("rule", MARGIN, top + rh - 2, x, top + rh - 2))
                xx = MARGIN
                for w in [0.0, *cols]:
                    xx += w
                    lay.pages[-1].append(("rule", xx, top - 2, xx, top + rh - 2))
                y[0] += rh
            y[0] += PITCH * 0.5
            continue
        if ln.count("\t") >= 2:  # a box cell holding several items: printed as one paragraph per item
            for part in ln.split("\t"):
                if part.strip():
                    _paragraph(lay, part.strip(), measure, width, y, need)
        elif ln:
            _paragraph(lay, ln, measure, width, y, need)
        i += 1
    for n, page in enumerate(lay.pages, 1):
        page.append(("text", A4[0] / 2 - 20, A4[1] - 40.0, f"— {n} —"))
    return lay


def _rewrap(printed: list[tuple[float, str]], width: float, measure) -> list[tuple[float, str]]:
    """Re-flow paragraph lines so each fills the cell width (the first line of a paragraph is indented)."""
    out: list[tuple[float, str]] = []
    para: list[str] = []
    paras: list[str] = []
    for indent, piece in printed:
        if indent and para:
            paras.append("".join(para))
            para = []
        para.append(piece)
    if para:
        paras.append("".join(para))
    for text in paras:
        line, avail, indent = "", width - 2 * FONT, 2 * FONT
        for ch in text:
            if line and measure(line + ch) > avail:
                out.append((indent, line))
                line, avail, indent = "", width, 0.0
            line += ch
        if line:
            out.append((indent, line))
    return out


def _wrap_cell(text: str, width: float, measure) -> list[str]:
    out = [""]
    for ch in text:
        if out[-1] and measure(out[-1] + ch) > width:
            out.append("")
        out[-1] += ch
    return out


def _paragraph(lay, text, measure, width, y, need):
    indent = 2 * FONT
    line, avail = "", width - indent
    x0 = MARGIN + indent
    for ch in text:
        if line and measure(line + ch) > avail:
            need(PITCH)
            lay.pages[-1].append(("text", x0, y[0], line))
            y[0] += PITCH
            line, avail, x0 = "", width, MARGIN
        line += ch
    if line:
        need(PITCH)
        lay.pages[-1].append(("text", x0, y[0], line))
        y[0] += PITCH


# ------------------------------------------------------------------ renderers


def _reportlab_font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    try:
        pdfmetrics.getFont("STSong-Light")
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light", lambda s: pdfmetrics.stringWidth(s, "STSong-Light", FONT)


def wrapped_pdf(text: str, out: Path, header: str) -> Path:
    """A text-layer PDF: wrapped lines, running header, page numbers, ruled indicator table."""
    from reportlab.pdfgen import canvas

    font, measure = _reportlab_font()
    lay = typeset(text, header, measure)
    c = canvas.Canvas(str(out), pagesize=A4)
    for page in lay.pages:
        c.setFont(font, FONT)
        for item in page:
            if item[0] == "text":
                c.drawString(item[1], A4[1] - item[2] - FONT, item[3])
            else:
                c.line(item[1], A4[1] - item[2], item[3], A4[1] - item[4])
        c.showPage()
    c.save()
    return out


def scanned_pdf(text: str, out: Path, header: str, dpi: int = 150) -> Path:
    """A scan: every page a picture of the printed page (Pillow + Noto CJK), no text layer at all."""
    from PIL import Image, ImageDraw, ImageFont

    k = dpi / 72.0
    font = ImageFont.truetype(_cjk_font_path(), int(FONT * k))
    lay = typeset(text, header, lambda s: font.getlength(s) / k)
    images = []
    for page in lay.pages:
        img = Image.new("L", (int(A4[0] * k), int(A4[1] * k)), 255)
        d = ImageDraw.Draw(img)
        for item in page:
            if item[0] == "text":
                d.text((item[1] * k, item[2] * k), item[3], font=font, fill=0)
            else:
                d.line([(item[1] * k, item[2] * k), (item[3] * k, item[4] * k)], fill=0, width=2)
        images.append(img)
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out


def ofd(text: str, out: Path, header: str) -> Path:
    """An OFD (GB/T 33190): OFD.xml → Document.xml → one Content.xml per page with positioned TextObjects."""
    from PIL import ImageFont

    mm = 25.4 / 72.0  # OFD units are millimetres
    font = ImageFont.truetype(_cjk_font_path(), 100)
    lay = typeset(text, header, lambda s: font.getlength(s) * FONT / 100)
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
                   f'<ofd:DocBody><ofd:DocInfo><ofd:DocID>fixture</ofd:DocID></ofd:DocInfo>'
                   f'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        pages = "".join(f'<ofd:Page ID="{100 + n}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(lay.pages)))
        z.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:CommonData>'
                   f'<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>'
                   f'<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>{pages}</ofd:Pages></ofd:Document>')
        z.writestr("Doc_0/PublicRes.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {ns} BaseLoc="Res">'
                   f'<ofd:Fonts><ofd:Font ID="1" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>')
        oid = 1000
        for n, page in enumerate(lay.pages):
            objs = []
            # written in reverse order: the reader must order text by position, not by file order
            for item in reversed(page):
                oid += 1
                if item[0] == "text":
                    x, y, s = item[1] * mm, item[2] * mm, html.escape(item[3])
                    w, h = (font.getlength(item[3]) * FONT / 100 + 2) * mm, FONT * 1.2 * mm
                    objs.append(f'<ofd:TextObject ID="{oid}" Boundary="{x:.2f} {y:.2f} {w:.2f} {h:.2f}" Font="1" '
                                f'Size="{FONT * mm:.2f}"><ofd:TextCode X="0" Y="{FONT * mm:.2f}">{s}</ofd:TextCode></ofd:TextObject>')
                else:
                    x0, y0, x1, y1 = (v * mm for v in item[1:])
                    objs.append(f'<ofd:PathObject ID="{oid}" Boundary="{min(x0, x1):.2f} {min(y0, y1):.2f} {abs(x1 - x0) + 0.1:.2f} '
                                f'{abs(y1 - y0) + 0.1:.2f}"><ofd:AbbreviatedData>M 0 0 L {abs(x1 - x0):.2f} {abs(y1 - y0):.2f}'
                                f'</ofd:AbbreviatedData></ofd:PathObject>')
            z.writestr(f"Doc_0/Pages/Page_{n}/Content.xml",
                       f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="{oid + 1}">'
                       + "".join(objs) + "</ofd:Layer></ofd:Content></ofd:Page>")
            oid += 2
    return out


def portal_html(text: str, out: Path, *, issuer: str = "浙江省人民政府办公厅", date: str = "2021-05-28",
                index_no: str = "002482410/2021-412345") -> Path:
    """A government portal article page: navigation, breadcrumb, metadata table, share bar, related links, footer."""
    body = []
    for ln in text.split("\n"):
        ln = ln.strip()
        if not ln:
            continue
        if ln.endswith("|"):
            body.append(f"<p>{html.escape(ln)}</p>")
            continue
        m = re.match(r"^([一二三四五六七八九十]+、.{0,30})$", ln)
        lead = re.match(r"^([（(][一二三四五六七八九十]+[)）][^。]{2,40}。)(.*)$", ln)
        if m:
            body.append(f"<p><strong>{html.escape(ln)}</strong></p>")
        elif lead:
            body.append(f"<p>　　<strong>{html.escape(lead.group(1))}</strong>{html.escape(lead.group(2))}</p>")
        else:
            body.append(f"<p>　　{html.escape(ln)}</p>")
    nav = "".join(f'<li><a href="/{i}">{t}</a></li>' for i, t in enumerate(["首页", "要闻动态", "政务公开", "政务服务", "互动交流", "数据开放"]))
    related = "".join(f'<li><a href="/r{i}">{t}</a></li>' for i, t in enumerate(
        ["浙江省人民政府办公厅关于加强数字政府建设的通知", "浙江省人民政府关于印发浙江省营商环境优化提升行动方案的通知", "关于进一步加强安全生产工作的意见"]))
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>浙江省人民政府门户网站</title>
<meta name="ContentSource" content="{issuer}"><meta name="PubDate" content="{date} 10:00"></head><body>
<div class="header"><div class="logo">浙江省人民政府</div><ul class="nav">{nav}</ul><div class="search"><input placeholder="请输入关键词"><button>搜索</button></div></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/zcwj">政策文件</a></div>
<table class="xxgk"><tr><td>索引号：</td><td>{index_no}</td><td>发布机构：</td><td>{issuer}</td></tr>
<tr><td>发布日期：</td><td>{date}</td><td>主题分类：</td><td>市场监管、安全生产监管</td></tr></table>
<div class="article"><div class="article-content">{''.join(body)}</div></div>
<div class="share">分享到：<a>微信</a><a>微博</a><a>QQ空间</a> 【字体：大 中 小】 <a>打印本页</a> <a>关闭窗口</a></div>
<div class="related"><h3>相关链接</h3><ul>{related}</ul></div>
<div class="footer"><p>主办单位：浙江省人民政府办公厅　承办单位：浙江省大数据发展管理局</p><p>浙ICP备12345678号　浙公网安备 33010002000001号</p>
<p>网站标识码：3300000001　联系我们　网站地图　隐私声明</p></div></body></html>"""
    out.write_text(page, "utf-8")
    return out


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def word_doc(text: str, out: Path) -> Path:
    """A Word 97–2003 .doc written by LibreOffice from the text (the way an old office file is made)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("需要 LibreOffice：bash scripts/libreoffice.sh")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (out.stem + ".txt")
        src.write_text(text, "utf-8")
        subprocess.run([exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--infilter=Text (encoded):UTF8",
                        "--convert-to", "doc:MS Word 97", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=300)
        shutil.move(str(Path(tmp) / (out.stem + ".doc")), out)
    return out


# ------------------------------------------------------------------ comparing a build with the plain-text build


def plan_items(graph) -> tuple[list[tuple], list[tuple]]:
    """(tasks+projects, indicator rows) of a one-plan graph, in comparable (matching-text) form."""
    from graph_builder.normalize import to_match

    items = [(n.label, to_match(n.props.get("title") or "")) for n in graph.nodes.values() if n.label in ("Task", "Project")]
    inds = [(to_match(n.props.get("name") or ""), n.props.get("unit"), n.props.get("baseline"), n.props.get("target"),
             n.props.get("attribute"), n.props.get("source")) for n in graph.nodes.values() if n.label == "Indicator"]
    return items, inds


def agreement(plain: list, other: list) -> tuple[float, float]:
    """(precision, recall) of *other* against *plain* as multisets."""
    from collections import Counter

    a, b = Counter(plain), Counter(other)
    hit = sum((a & b).values())
    return (hit / sum(b.values()) if b else float(not a)), (hit / sum(a.values()) if a else float(not b))


def figures(plain_graph, other_graph) -> dict[str, float]:
    pi, pind = plan_items(plain_graph)
    oi, oind = plan_items(other_graph)
    p, r = agreement(pi, oi)
    ip, ir = agreement(pind, oind)
    return {"items_precision": p, "items_recall": r, "indicators_exact": min(ip, ir),
            "items": len(oi), "items_plain": len(pi), "indicators": len(oind), "indicators_plain": len(pind)}
