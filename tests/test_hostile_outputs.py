"""Hostile titles in spreadsheets and terminals (issue 13): every CSV/xlsx the project writes is read back
with no live formula, ``data/review.csv`` gives the original text back, and CLI tables neither crash on
rich markup nor pass escape sequences through."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from graph_builder.safeout import FORMULA_START, neutralise_cell, restore_cell, term_plain

from .hostile_fixtures import BREAKOUT, FORMULA, XSS, build_hostile, payload_nodes

ROOT = Path(__file__).resolve().parent.parent
LIVE = tuple(c for c in FORMULA_START)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile-out")
    store, report = build_hostile(d)
    g = store.load()
    ids = payload_nodes(g)
    # a title carrying raw terminal escapes, as a store built before ingest sanitising could hold
    raw = g.nodes[ids[FORMULA]]
    g.set_node(type(raw)(raw.id, raw.label, {**raw.props, "title": raw.title + "\x1b[2J\x1b]8;;http://evil\x07链接"}))
    store.replace_all(g)
    return d, store, ids


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from graph_builder.cli import main; sys.exit(main())", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                                                       "COLUMNS": "200", "TERM": "xterm-256color"})


def _csv_cells(path: Path) -> list[str]:
    return [c for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))) for c in row]


def _no_live_formula_csv(path: Path) -> list[str]:
    cells = _csv_cells(path)
    assert cells
    bad = [c for c in cells if c and c[0] in LIVE]
    assert not bad, f"{path.name}: cells start with a formula character: {bad[:3]}"
    return cells


def _no_formula_xlsx(path_or_bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes)
    values = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"formula cell {c.coordinate}: {c.value!r}"
                if isinstance(c.value, str):
                    assert c.value[:1] not in LIVE, c.value
                    values.append(c.value)
    return values


def test_cells_round_trip_exactly():
    for s in ["=1+1", "+x", "-2", "@SUM(A1)", "\tt", "\rr", "'=quoted", "''", "'", "plain", "", "中文=不变"]:
        v = neutralise_cell(s)
        assert v[:1] not in LIVE
        assert restore_cell(v) == s
    assert neutralise_cell(-3.5) == -3.5 and neutralise_cell(7) == 7


def test_report_csv_and_xlsx_have_no_live_formula(hostile, tmp_path):
    d, store, ids = hostile
    for name in ("orphans", "overlaps"):
        r = cli("report", name, "--format", "csv", "--out", str(tmp_path / f"{name}.csv"), "--store", str(store.directory), cwd=d)
        assert r.returncode == 0, r.stderr
        cells = _no_live_formula_csv(tmp_path / f"{name}.csv")
        r = cli("report", name, "--format", "xlsx", "--out", str(tmp_path / f"{name}.xlsx"), "--store", str(store.directory), cwd=d)
        assert r.returncode == 0, r.stderr
        values = _no_formula_xlsx(tmp_path / f"{name}.xlsx")
        if name == "orphans":
            assert any(FORMULA[:20] in restore_cell(c) for c in cells), "the payload row is in the report"
            assert any(FORMULA[:20] in restore_cell(v) for v in values)


def test_export_csv_has_no_live_formula(hostile, tmp_path):
    d, store, ids = hostile
    r = cli("export", str(tmp_path / "csv"), "--format", "csv", "--store", str(store.directory), cwd=d)
    assert r.returncode == 0, r.stderr
    cells = _no_live_formula_csv(tmp_path / "csv" / "nodes.csv")
    _no_live_formula_csv(tmp_path / "csv" / "edges.csv")
    assert any(restore_cell(c).startswith("=HYPERLINK") for c in cells)


def test_graphml_export_survives_control_characters(hostile, tmp_path):
    d, store, ids = hostile
    r = cli("export", str(tmp_path / "g.graphml"), "--format", "graphml", "--store", str(store.directory), cwd=d)
    assert r.returncode == 0, r.stderr
    import networkx as nx

    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() == len(store.load().nodes)


def test_app_excel_has_no_formula_cells():
    from graph_builder.ui.export import to_xlsx

    df = pd.DataFrame({"标题": [FORMULA, "+1", "-1", "@x", "普通"], "得分": [0.5, -1.0, 2, 3, 4]})
    values = _no_formula_xlsx(to_xlsx({"重叠任务": df, "孤立项": df}))
    assert restore_cell(values[2]) == FORMULA and values[:2] == ["标题", "得分"]


def test_review_file_is_neutralised_and_reads_back_original(hostile, tmp_path):
    from graph_builder.review import load_decisions, record

    d, store, ids = hostile
    g = store.load()
    path = tmp_path / "review.csv"
    notes = ['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "'=quoted"]
    src = ids[XSS]
    targets = [e.target for e in g.edges if e.type == "上级规划" and e.source == src]
    record(path, g, "local", ids[BREAKOUT], note=notes[0])
    record(path, g, "accept", src, targets[0], note=notes[1])
    record(path, g, "local", ids[FORMULA], note=notes[4])
    _no_live_formula_csv(path)
    back = {x.source: x for x in load_decisions(path)}
    assert back[ids[BREAKOUT]].note == notes[0]
    assert back[src].note == notes[1]
    assert back[ids[FORMULA]].note == notes[4]
    assert back[ids[FORMULA]].source_title.startswith("=HYPERLINK")


@pytest.mark.parametrize("args", [("report", "orphans"), ("report", "overlaps"), ("review", "list", "--status", "all"),
                                  ("show", "宿州市")])
def test_cli_tables_print_payloads_as_text(hostile, args):
    d, store, ids = hostile
    r = cli(*args, "--store", str(store.directory), cwd=d)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "MarkupError" not in r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout, "no raw escape sequence reaches the terminal"
    if args[:2] == ("report", "orphans") or args[0] == "show":
        assert "[/]" in r.stdout and "[link=http://evil.example]" in r.stdout, "markup shown literally"


def test_cli_trace_prints_payload_title(hostile):
    d, store, ids = hostile
    r = cli("trace", ids[XSS], "--store", str(store.directory), cwd=d)
    assert r.returncode == 0, r.stderr
    assert "onerror" in r.stdout and "\x1b" not in r.stdout


def test_terminal_text_shows_controls_escaped():
    assert term_plain("a\x1b[2Jb\u202ec\x07") == "a\\x1b[2Jb\\u202ec\\x07"
    assert term_plain("行\n\t列") == "行\n\t列"
