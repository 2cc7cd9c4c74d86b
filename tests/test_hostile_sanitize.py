"""Invisible and control characters from hostile documents (issue 13): removed at ingest with a per-file
warning, headings still detected, input limits refuse a hostile file while the others build."""
from __future__ import annotations

from pathlib import Path

import pytest

from graph_builder.ingest import read_document
from graph_builder.pipeline import build
from graph_builder.sanitize import clean_text
from graph_builder.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
SUZHOU = (ROOT / "data" / "plans" / "suzhou-city.txt").read_text(encoding="utf-8")


def _outline(store: EmbeddedStore) -> list[tuple[str, str]]:
    g = store.load()
    return sorted((n.label, n.title) for n in g.nodes.values() if n.label in ("Section", "Task", "Project"))


def _build(tmp: Path, name: str, text: str) -> tuple[EmbeddedStore, object]:
    d = tmp / name
    d.mkdir()
    (d / "suzhou-city.txt").write_text(text, encoding="utf-8")
    store = EmbeddedStore(tmp / f"{name}-store")
    return store, build([d], store, decisions=tmp / "review.csv")


def test_zwj_and_bom_prefixed_headings_build_the_clean_outline(tmp_path):
    clean, _ = _build(tmp_path, "clean", SUZHOU)
    hostile = SUZHOU.replace("四、主要任务", "\u200d四、主要任务", 1).replace("\n五、", "\n\ufeff五、", 1)
    hostile = hostile.replace("(一)营商环境", "\u200b(一)\u2060营商环境")
    assert hostile != SUZHOU
    dirty, report = _build(tmp_path, "dirty", hostile)
    assert _outline(dirty) == _outline(clean)
    counts = dirty.counts()
    assert counts["Section"] == clean.counts()["Section"] and counts["Task"] == clean.counts()["Task"]
    assert any("零宽字符" in w and "suzhou-city.txt" in w for w in report.warnings), report.warnings


def test_nul_bidi_and_escape_codes_removed_after_the_first_4kb(tmp_path):
    lines = SUZHOU.split("\n")
    k = next(i for i, ln in enumerate(lines) if ln.startswith("2.加强反垄断反不正当竞争执法"))
    assert sum(len(x) for x in lines[:k]) > 4096
    lines[k] = lines[k].replace("加强反垄断", "加强\x00反\u202e垄断\x1b[2J", 1)
    store, report = _build(tmp_path, "nul", "\n".join(lines))
    titles = [n.title for n in store.load().nodes.values() if n.label == "Task"]
    hit = [t for t in titles if "反" in t and "垄断" in t and "不正当竞争执法" in t]
    assert hit and all("\x00" not in t and "\u202e" not in t and "\x1b" not in t for t in titles), hit
    w = [w for w in report.warnings if "已移除" in w]
    assert w and "空字符 NUL 1 个" in w[0] and "双向控制符 1 个" in w[0] and "控制字符 1 个" in w[0], w
    from graph_builder.export import export_graph

    export_graph(store.load(), "graphml", tmp_path / "g.graphml")  # lxml refused NUL before


def test_clean_text_counts_per_group():
    counts: dict[str, int] = {}
    assert clean_text("\ufeff一\u200b二\u202a三\x00\x07四\t五", counts) == "一二三 四\t五"
    assert counts == {"zero_width": 2, "bidi": 1, "nul": 1, "control": 1}


def test_docx_text_is_sanitised_too(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("\u200d四、主要任务\u202e")
    path = tmp_path / "x.docx"
    d.save(path)
    doc = read_document(path)
    assert doc.lines[0].text == "四、主要任务"
    assert doc.warnings and "x.docx" in doc.warnings[0]


def test_limits_refuse_a_hostile_file_and_the_others_build(tmp_path, monkeypatch):
    d = tmp_path / "plans"
    d.mkdir()
    (d / "zhejiang-province.txt").write_bytes((ROOT / "data" / "plans" / "zhejiang-province.txt").read_bytes())
    import graph_builder.limits as lim

    small = lim.Limits(max_file_mb=lim.limits().max_file_mb, max_sections=300, max_items=lim.limits().max_items)
    monkeypatch.setattr(lim, "limits", lambda: small)  # the shipped limit is 50,000; same code path, smaller file
    limits = lim.limits
    n = limits().max_sections + 50
    (d / "chapters.txt").write_text("某省市场监管规划\n" + "".join(f"第一章 内容{i}\n" for i in range(n)),
                                    encoding="utf-8")
    store = EmbeddedStore(tmp_path / "store")
    report = build([d], store, decisions=tmp_path / "review.csv")
    failed = {Path(f.path).name: f.error for f in report.failed}
    built = {Path(f.path).name for f in report.files if not f.error}
    assert "zhejiang-province.txt" in built
    assert "chapters.txt" in failed["chapters.txt"] and "上限" in failed["chapters.txt"], failed
    assert store.counts().get("Section", 0) < limits().max_sections


def test_file_size_limit_names_the_file(tmp_path):
    from graph_builder.errors import ParseError
    from graph_builder.limits import check_file, limits

    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(int(limits().max_file_mb * 1024 * 1024) + 1)
    with pytest.raises(ParseError, match="big.txt.*超过上限"):
        check_file(big)
