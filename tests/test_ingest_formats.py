"""Plans in the forms officials receive them give the same tasks and indicators as the plain text.

Fixtures are made here from the seeds (never checked in): a wrapped-line PDF (reportlab), a portal page, an
OFD, a .doc written by LibreOffice, and a scan rendered with Pillow and read back by offline OCR.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph_builder.ingest import ReadContext, read_document
from graph_builder.pipeline import extract_all

from . import format_fixtures as fx
from .conftest import SEEDS

CI = os.environ.get("CI") == "true"
ZJ_HEADER = "浙江省市場監管“十四五”規劃"


def _plain(path: Path):
    ex, report = extract_all([path])
    assert not report.failed, report.failed
    return ex[0].graph


def _other(path: Path, **kw):
    ex, report = extract_all([path], **kw)
    assert not report.failed, report.failed
    return ex[0].graph, report


@pytest.fixture(scope="module")
def zhejiang_text() -> str:
    return (SEEDS / "zhejiang-province.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def zhejiang_plain():
    return _plain(SEEDS / "zhejiang-province.txt")


def test_wrapped_pdf_rejoins_paragraphs_and_drops_running_headers(tmp_path, zhejiang_text, zhejiang_plain):
    pdf = fx.wrapped_pdf(zhejiang_text, tmp_path / "zhejiang.pdf", ZJ_HEADER)
    doc = read_document(pdf)
    texts = [ln.text for ln in doc.lines]
    assert sum(t == ZJ_HEADER for t in texts) == zhejiang_text.split("\n").count(ZJ_HEADER)  # header gone, title kept
    assert not any(t.startswith("—") for t in texts)  # page numbers gone
    assert any(t.startswith("(三)著力優化市場競爭秩序。") for t in texts)  # a heading split over two lines is whole
    assert max(ln.page for ln in doc.lines) >= 3
    graph, _ = _other(pdf)
    f = fx.figures(zhejiang_plain, graph)
    assert f["items_precision"] >= 0.95 and f["items_recall"] >= 0.95, f
    assert f["indicators_exact"] >= 0.95, f


def test_ruled_table_in_a_pdf_becomes_indicator_rows(tmp_path):
    lines = (SEEDS / "suzhou-city.txt").read_text("utf-8").split("\n")
    text = "\n".join(lines[:9] + lines[83:242]) + "\n"
    plain = _plain(fx_write(tmp_path / "plain" / "suzhou.txt", text))
    pdf = fx.wrapped_pdf(text, tmp_path / "suzhou.pdf", "宿州市“十四五”市场监管现代化规划")
    assert any(ln.text.startswith("市场活力 | 1.企业开办时间(工作日) | ≤1 | ≤1 | 预期性") for ln in read_document(pdf).lines)
    graph, _ = _other(pdf)
    f = fx.figures(plain, graph)
    assert f["indicators_plain"] >= 29 and f["indicators_exact"] >= 0.95, f


def test_portal_page_keeps_the_article_only_and_fills_issuer_and_date(tmp_path, zhejiang_text, zhejiang_plain):
    page = fx.portal_html(zhejiang_text, tmp_path / "zhejiang.html")
    graph, _ = _other(page)
    f = fx.figures(zhejiang_plain, graph)
    assert f["items_precision"] >= 0.95 and f["items_recall"] >= 0.95 and f["indicators_exact"] >= 0.95, f
    every = " ".join(str(n.props.get("title", "")) + str(n.props.get("text", "")) for n in graph.nodes.values())
    for chrome in ("分享到", "相关链接", "主办单位", "当前位置", "网站地图", "浙ICP备"):
        assert chrome not in every
    # without the signature lines in the text, the page's 发布机构/发布日期 give the plan's issuer and date
    body = "\n".join(ln for ln in zhejiang_text.split("\n") if ln not in ("浙江省人民政府辦公廳", "2021年5月28日"))
    bare = fx.portal_html(body, tmp_path / "bare.html", issuer="浙江省人民政府办公厅", date="2021-05-28")
    doc = read_document(bare)
    assert doc.meta["index_no"] == "002482410/2021-412345"
    plan = next(n for n in _other(bare)[0].nodes.values() if n.label == "Plan")
    assert (plan.props["issuer"], plan.props["date"]) == ("浙江省人民政府办公厅", "2021-05-28")


def test_ofd_text_objects_are_read_in_position_order(tmp_path, zhejiang_text, zhejiang_plain):
    doc_path = fx.ofd(zhejiang_text, tmp_path / "zhejiang.ofd", ZJ_HEADER)
    doc = read_document(doc_path)
    assert doc.lines[0].text.startswith("各市、縣(市、區)人民政府")
    graph, _ = _other(doc_path)
    f = fx.figures(zhejiang_plain, graph)
    assert f["items_precision"] >= 0.95 and f["items_recall"] >= 0.95 and f["indicators_exact"] >= 0.95, f


def _need_soffice():
    if fx.soffice() is None:
        if CI:
            pytest.fail("LibreOffice 未安装：scripts/test.sh 应调用 scripts/libreoffice.sh")
        pytest.skip("LibreOffice not installed (bash scripts/libreoffice.sh)")


def test_word_doc_made_by_libreoffice_reads_like_the_text(tmp_path):
    _need_soffice()
    text = (SEEDS / "guangdong-province.txt").read_text("utf-8")
    doc = fx.word_doc(text, tmp_path / "guangdong.doc")
    graph, _ = _other(doc)
    f = fx.figures(_plain(SEEDS / "guangdong-province.txt"), graph)
    assert f["items_precision"] >= 0.95 and f["items_recall"] >= 0.95 and f["indicators_exact"] >= 0.95, f


def fx_write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


# ------------------------------------------------------------------ scans (OCR): kept small, OCR is slow on 2 cores


def _scan_text() -> str:
    """Front matter, the indicator table and the first task items of the Suzhou seed (a 5-page scan)."""
    lines = (SEEDS / "suzhou-city.txt").read_text("utf-8").split("\n")
    return "\n".join(lines[:9] + lines[83:246]) + "\n"


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    d = tmp_path_factory.mktemp("scan")
    text = _scan_text()
    plain = fx_write(d / "plain" / "suzhou.txt", text)
    pdf = fx.scanned_pdf(text, d / "suzhou-scan.pdf", "宿州市“十四五”市场监管现代化规划")
    events = []
    cache = d / "cache"
    ex, report = extract_all([pdf], progress=events.append, cache_dir=cache)
    assert not report.failed, report.failed
    return {"plain": _plain(plain), "graph": ex[0].graph, "report": report, "events": events, "pdf": pdf, "cache": cache}


def test_scanned_pdf_gives_the_same_tasks_and_indicators_as_the_text(scan):
    import pdfplumber

    with pdfplumber.open(str(scan["pdf"])) as pdf:
        assert all(not p.chars for p in pdf.pages)  # a real scan: no text layer at all
    f = fx.figures(scan["plain"], scan["graph"])
    assert f["items_precision"] >= 0.90 and f["items_recall"] >= 0.90, f
    assert f["indicators_plain"] >= 29 and f["indicators_exact"] >= 0.85, f
    tasks = [n for n in scan["graph"].nodes.values() if n.label in ("Task", "Project")]
    assert tasks and all(isinstance(n.props.get("page"), int) and n.props["page"] >= 1 for n in tasks)


def test_ocr_reports_progress_per_page(scan):
    pages = [e for e in scan["events"] if e.stage == "ocr"]
    assert pages and pages[-1].done == pages[-1].total == scan["report"].timings["ocr_pages"] >= 3
    assert [e.done for e in pages] == list(range(1, pages[-1].total + 1))


def test_warm_rebuild_uses_the_ocr_cache(scan):
    ex, report = extract_all([scan["pdf"]], cache_dir=scan["cache"])
    assert report.timings.get("ocr", 0.0) == 0.0
    assert ex[0].graph.to_json() == scan["graph"].to_json()


def test_changed_image_is_ocr_d_again(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(fx._cjk_font_path(), 40)

    def page(text: str) -> Path:
        img = Image.new("L", (900, 200), 255)
        ImageDraw.Draw(img).text((40, 70), text, font=font, fill=0)
        f = tmp_path / "page.png"
        img.save(f)
        return f

    ctx = ReadContext(cache_dir=tmp_path / "cache")
    first = read_document(page("加强食品安全监管工作"), ctx)
    assert first.ocr_seconds > 0 and "食品安全" in first.lines[0].text
    again = read_document(tmp_path / "page.png", ctx)
    assert again.ocr_seconds == 0 and again.lines == first.lines
    changed = read_document(page("推进药品安全监管改革"), ctx)
    assert changed.ocr_seconds > 0 and "药品安全" in changed.lines[0].text


def test_low_confidence_page_is_named_in_a_warning(tmp_path, monkeypatch):
    from graph_builder.ingest import layout

    cfg = dict(layout.cfg())
    cfg["ocr"] = {**cfg["ocr"], "low_confidence": 1.01}  # every page is "low": the warning names it
    monkeypatch.setattr(layout, "cfg", lambda: cfg)
    monkeypatch.setattr("graph_builder.ingest.ocr.cfg", lambda: cfg)
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (900, 200), 255)
    ImageDraw.Draw(img).text((40, 70), "加强食品安全监管工作", font=ImageFont.truetype(fx._cjk_font_path(), 40), fill=0)
    img.save(tmp_path / "p.png")
    doc = read_document(tmp_path / "p.png")
    assert any("p.png" in w and "第 1 页" in w and "置信度低" in w for w in doc.warnings)
