"""Division-of-labour tables (csv/xlsx/docx fixtures made here) and the CLI's exit codes and summaries."""
from __future__ import annotations

import json

import pytest

from graph_builder.cli import main
from graph_builder.store import EmbeddedStore

from .conftest import SEEDS, write


def _division_rows():
    return [["序号", "任务", "牵头单位", "配合单位", "完成时限"],
            ["1", "深入推进商事制度改革", "市市场监管局", "市发展改革委、市商务局", "2025年底"],
            ["2", "一项计划里没有的任务", "市财政局", "", "长期"]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "docx"])
def test_division_table_adds_lead_and_support_edges(tmp_path, fmt):
    plans = tmp_path / "plans"
    write(plans / "suzhou-city.txt", (SEEDS / "suzhou-city.txt").read_text("utf-8"))
    f = plans / f"宿州市任务分工方案.{fmt}"
    rows = _division_rows()
    if fmt == "csv":
        write(f, "\n".join(",".join(r) for r in rows) + "\n")
    elif fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(str(f))
    else:
        import docx

        d = docx.Document()
        t = d.add_table(rows=len(rows), cols=5)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                t.cell(i, j).text = v
        d.save(str(f))
    from graph_builder.pipeline import build

    store = EmbeddedStore(tmp_path / "st")
    report = build([plans], store, link=False)
    g = store.load()
    task = next(n for n in g.nodes.values() if n.label == "Task" and n.title == "深入推进商事制度改革")
    edges = {(g.nodes[e.source].props["name"], e.props["role"], e.props.get("deadline")) for e in g.edges_of("责任") if e.target == task.id}
    assert ("宿州市市场监督管理局", "牵头", "2025年底") in edges
    assert ("宿州市发展和改革委员会", "配合", "2025年底") in edges
    assert any("一项计划里没有的任务" in w and f".{fmt}:" in w for w in report.warnings)


def test_cli_build_prints_chinese_summary_and_exports_json(tmp_path, capsys):
    store = tmp_path / "st"
    assert main(["build", str(SEEDS / "jingmen-city.txt"), "--store", str(store), "--no-link"]) == 0
    out = capsys.readouterr().out
    assert "构建结果" in out and "荆门市" in out
    assert main(["export", str(tmp_path / "g.json"), "--store", str(store)]) == 0
    data = json.loads((tmp_path / "g.json").read_text("utf-8"))
    assert data["schema"] == "plangraph/1"
    assert {"id", "label", "title", "region", "level", "loaded"} <= set(next(n for n in data["nodes"] if n["label"] == "Plan"))
    assert main(["export", str(tmp_path / "csv"), "--format", "csv", "--store", str(store)]) == 0
    assert (tmp_path / "csv" / "nodes.csv").read_text("utf-8-sig").startswith("id,label")
    assert main(["export", str(tmp_path / "g.graphml"), "--format", "graphml", "--store", str(store)]) == 0


def test_cli_failing_file_gives_exit_1_and_names_it(tmp_path, capsys):
    write(tmp_path / "p" / "empty.txt", "")
    write(tmp_path / "p" / "jingmen.txt", (SEEDS / "jingmen-city.txt").read_text("utf-8"))
    code = main(["build", str(tmp_path / "p"), "--store", str(tmp_path / "st"), "--no-link"])
    out = capsys.readouterr().out
    assert code == 1
    assert "empty.txt" in out and "空文件" in out and "成功" in out


def test_cli_missing_store_is_one_clear_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "x.json"), "--store", str(tmp_path / "nope")]) == 4
    err = capsys.readouterr().err
    assert "plangraph build" in err and "Traceback" not in err


def test_cli_show_prints_outline_with_counts(tmp_path, capsys):
    main(["build", str(SEEDS / "anhui-province.txt"), "--store", str(tmp_path / "st"), "--no-link"])
    capsys.readouterr()
    assert main(["show", "安徽省", "--store", str(tmp_path / "st")]) == 0
    out = capsys.readouterr().out
    assert "主要任务" in out and "深入推进商事制度改革" in out
