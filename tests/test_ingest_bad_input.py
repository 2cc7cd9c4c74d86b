"""Bad input: each gets a clear error naming the file, and never stops the other files of a build."""
from __future__ import annotations

import os
import tracemalloc

import pytest

from graph_builder.errors import ParseError
from graph_builder.ingest import read_document
from graph_builder.pipeline import build, extract_all
from graph_builder.store import EmbeddedStore

from .conftest import SEEDS, write


def test_empty_file_is_a_parse_error_naming_the_file(tmp_path):
    f = write(tmp_path / "empty.txt", "")
    with pytest.raises(ParseError, match="empty.txt.*空文件"):
        read_document(f)


def test_binary_junk_is_rejected(tmp_path):
    f = tmp_path / "junk.txt"
    f.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(ParseError, match="junk.txt"):
        read_document(f)


def test_gbk_copy_gives_the_same_graph_as_utf8(tmp_path):
    text = (SEEDS / "jingmen-city.txt").read_text("utf-8")
    a = write(tmp_path / "a" / "jingmen-city.txt", text)
    b = write(tmp_path / "b" / "jingmen-city.txt", text, "gbk")
    ga, _ = extract_all([a])
    gb, _ = extract_all([b])
    assert read_document(b).encoding == "gb18030"
    assert ga[0].graph.to_json() == gb[0].graph.to_json()


def test_utf16_without_bom_is_detected(tmp_path):
    f = tmp_path / "u16.txt"
    f.write_bytes("一、主要任务\n(一)加强食品安全监管。强化党委政府对食品安全工作的组织领导。\n".encode("utf-16-le"))
    assert read_document(f).lines[0].text == "一、主要任务"


def test_pdf_without_text_layer_says_ocr_is_needed(tmp_path):
    from reportlab.pdfgen import canvas

    f = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(f))
    c.rect(100, 100, 200, 200, fill=1)
    c.save()
    with pytest.raises(ParseError, match="scan.pdf.*OCR"):
        read_document(f)


def test_pdf_with_text_layer_keeps_page_numbers(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    f = tmp_path / "plan.pdf"
    c = canvas.Canvas(str(f))
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, "Page one")
    c.showPage()
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, "Page two 2025")
    c.save()
    doc = read_document(f)
    assert [(ln.text, ln.page) for ln in doc.lines if ln.text] == [("Page one", 1), ("Page two 2025", 2)]


def test_no_headings_become_paragraph_tasks_with_a_warning(tmp_path):
    f = write(tmp_path / "flat.txt", "宿州市加强食品安全工作。\n加强食品安全监管。强化党委政府对食品安全工作的组织领导，压实责任。\n"
              "推进质量提升。实施质量提升行动，提升产品质量，到2025年合格率达到95%以上。\n")
    ex, report = extract_all([f])
    tasks = [n for n in ex[0].graph.nodes.values() if n.label == "Task"]
    assert len(tasks) == 3
    assert any("flat.txt:1" in w and "未识别到任何任务章节" in w for w in report.warnings)


def test_truncated_indicator_table_keeps_rows_and_warns_with_line(tmp_path):
    text = "\n".join(["安徽省市场监管规划", "一、主要目标", "专栏1 主要指标 |", "类别 |", "指标 |", "2020年 |", "2025年 |", "属性 |",
                      "市场活力 |", "1.企业开办时间(工作日) |", "≤3 |", "≤1 |", "预期性 |", "2.市场主体总量(万户) |", "587 |"])
    f = write(tmp_path / "trunc.txt", text + "\n")
    ex, report = extract_all([f])
    rows = [n for n in ex[0].graph.nodes.values() if n.label == "Indicator"]
    assert [(r.props["name"], r.props["target"]) for r in rows] == [("企业开办时间", "≤1")]
    assert any("trunc.txt:14" in w and "截断" in w for w in report.warnings)


def test_same_plan_twice_is_one_plan(tmp_path):
    a = write(tmp_path / "a.txt", (SEEDS / "suzhou-city.txt").read_text("utf-8"))
    b = write(tmp_path / "b.txt", (SEEDS / "suzhou-city.txt").read_text("utf-8"))
    store = EmbeddedStore(tmp_path / "st")
    report = build([a, b], store, link=False)
    assert len([p for p in store.nodes("Plan") if p.props.get("loaded")]) == 1
    assert report.files[1].duplicate_of


def test_a_bad_file_never_stops_the_others_and_keeps_its_previous_plan(tmp_path, plans_copy):
    store = EmbeddedStore(tmp_path / "st")
    build([plans_copy], store, link=False)
    before = {n.id for n in store.nodes("Task")}
    (plans_copy / "jingmen-city.txt").write_bytes(b"\x00\x01\x02" * 1000)
    write(plans_copy / "empty.txt", "")
    report = build([plans_copy], store, link=False)
    assert {f.path.rsplit("/", 1)[-1] for f in report.failed} == {"jingmen-city.txt", "empty.txt"}
    assert {n.id for n in store.nodes("Task")} == before  # Jingmen's previous tasks kept, others rebuilt


def test_interrupted_write_leaves_previous_graph_intact(tmp_path, monkeypatch):
    store = EmbeddedStore(tmp_path / "st")
    build([SEEDS / "jingmen-city.txt"], store, link=False)
    before = store.file.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt("simulated crash during rename")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        build([SEEDS / "anhui-province.txt"], store, link=False)
    monkeypatch.undo()
    assert store.file.read_bytes() == before
    assert not [p for p in store.directory.iterdir() if p.name.startswith(".graph.json.")]


def test_rerun_after_crash_equals_clean_run(tmp_path, monkeypatch):
    crashed, clean = EmbeddedStore(tmp_path / "a"), EmbeddedStore(tmp_path / "b")
    build([SEEDS / "jingmen-city.txt"], crashed, link=False)
    monkeypatch.setattr(os, "replace", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(Exception):
        build([SEEDS], crashed, link=False)
    monkeypatch.undo()
    build([SEEDS], crashed, link=False)
    build([SEEDS], clean, link=False)
    assert crashed.load().to_json() == clean.load().to_json()


def test_large_file_is_processed_with_bounded_memory_and_progress(tmp_path):
    """A ~50 MB plan: extraction finishes, reports progress, and stays far below the file's size × 20."""
    body = (SEEDS / "anhui-province.txt").read_text("utf-8").split("三、主要任务")[0]
    chunk = body.encode("utf-8")
    f = tmp_path / "big.txt"
    with f.open("wb") as fh:
        fh.write(b"\xe4\xb8\x80\xe3\x80\x81\xe5\x8f\x91\xe5\xb1\x95\xe5\x9f\xba\xe7\xa1\x80\n")  # 一、发展基础
        written = 0
        while written < 50 * 1024 * 1024:
            fh.write(chunk)
            written += len(chunk)
    events = []
    tracemalloc.start()
    ex, report = extract_all([f], progress=events.append)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.failed
    assert events and events[-1].done == events[-1].total
    assert len([e for e in events if e.stage == "read"]) > 10  # progress within the big file
    assert peak < 20 * written
