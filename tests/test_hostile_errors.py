"""Every traceback case of issue 13 ends in one Chinese line on stderr and a documented non-zero exit code."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "plans"


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import sys; from graph_builder.cli import main; sys.exit(main())", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "300"})


def one_line(r: subprocess.CompletedProcess, code: int, *words: str) -> str:
    err = r.stderr.strip()
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    assert r.returncode == code, (r.returncode, r.stderr)
    assert len(err.splitlines()) == 1, err
    assert err.startswith("错误："), err
    for w in words:
        assert w in err, (w, err)
    return err


@pytest.fixture(scope="module")
def small_store(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("errs")
    (d / "plans").mkdir()
    (d / "plans" / "zhejiang-province.txt").write_bytes((SEEDS / "zhejiang-province.txt").read_bytes())
    r = cli("build", d / "plans", "--store", d / "store", cwd=d)
    assert r.returncode == 0, r.stderr
    return d / "store"


def test_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    one_line(cli("build", tmp_path / "empty", "--store", tmp_path / "s", cwd=tmp_path), 2, "empty", "没有找到规划文件")


def test_every_file_failing(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "a.txt").write_bytes(b"")
    (tmp_path / "bad" / "b.pdf").write_bytes(b"%PDF-1.4 broken")
    one_line(cli("build", tmp_path / "bad", "--store", tmp_path / "s", cwd=tmp_path), 2, "全部失败")


def test_plans_without_any_task_link_without_crash(tmp_path):
    """A plan with no Task/Project (one line of prose) builds; linking has nothing to index (was StopIteration)."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x.txt").write_text("某市市场监管工作要点\n加强监管。\n", encoding="utf-8")
    r = cli("build", tmp_path / "p", "--store", tmp_path / "s", cwd=tmp_path)
    assert "Traceback" not in r.stderr and r.returncode == 0, r.stderr


def test_store_that_is_a_file_is_rejected_before_extraction(tmp_path):
    (tmp_path / "store").write_text("x")
    r = cli("build", SEEDS, "--store", tmp_path / "store", cwd=tmp_path)
    one_line(r, 3, "store", "不是目录")
    assert "抽取" not in r.stdout and "关联" not in r.stdout, "no extraction or linking ran first"


def test_csv_export_onto_existing_file(small_store, tmp_path):
    (tmp_path / "out").write_text("x")
    one_line(cli("export", tmp_path / "out", "--format", "csv", "--store", small_store, cwd=tmp_path), 4, "out", "已存在")


def test_json_export_onto_directory(small_store, tmp_path):
    (tmp_path / "dir.json").mkdir()
    one_line(cli("export", tmp_path / "dir.json", "--format", "json", "--store", small_store, cwd=tmp_path), 4,
             "dir.json", "目录")


@pytest.mark.parametrize("payload", [{"schema": "plangraph/1", "nodes": [{"label": "Task"}], "edges": []},
                                     {"schema": "plangraph/1", "nodes": [], "edges": [{"type": "X"}]},
                                     ["not", "an", "object"], {"schema": "plangraph/1", "nodes": 5}])
def test_malformed_graph_json(tmp_path, payload):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "graph.json").write_text(json.dumps(payload))
    one_line(cli("report", "orphans", "--store", tmp_path / "s", cwd=tmp_path), 3, "graph.json")


def test_report_xlsx_onto_directory(small_store, tmp_path):
    (tmp_path / "o.xlsx").mkdir()
    one_line(cli("report", "orphans", "--format", "xlsx", "--out", tmp_path / "o.xlsx", "--store", small_store,
                 cwd=tmp_path), 4, "o.xlsx")
