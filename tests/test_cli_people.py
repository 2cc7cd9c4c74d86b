"""The CLI for people, run as a user runs it (a subprocess with COLUMNS=80) on the seed build: names in tables,
ids in ``show`` and never broken across lines, ``trace`` by name, Chinese for every code, exit code 5 for
"not found"."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from rich.cells import cell_len

ID = re.compile(r"\b(?:task|project|indicator|plan|agency):[0-9a-f]+")
ENGLISH_CODES = ("no_upper", "not_picked_up", "no_agency", "upper_not_loaded", "no_match", "not_broken_down",
                 "weaker_target", "missing_baseline", "unit_mismatch", "suggested", "within_plan", "Task", "Project")


def run(store, *args: str, columns: int = 80) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "dumb", "NO_COLOR": "1"}
    env.pop("NEO4J_URI", None)
    return subprocess.run([sys.executable, "-c", "import sys; from graph_builder.cli import main; sys.exit(main())",
                           *args, "--store", str(store.directory)], capture_output=True, text=True, env=env, timeout=300)


def check_80(out: str, ids: set[str]) -> None:
    """Every line fits 80 cells, and every id printed is a whole id of the graph (none folded)."""
    for line in out.splitlines():
        assert cell_len(line) <= 80, line
        for m in ID.findall(line):
            assert m in ids, f"id broken across lines: {m!r} in {line!r}"


@pytest.fixture(scope="module")
def graph_ids(seed_store):
    return set(seed_store.load().nodes)


@pytest.mark.parametrize("args", [("report", "orphans"), ("report", "orphans", "--kind", "no_agency"),
                                  ("report", "overlaps"), ("report", "coverage"), ("report", "indicators"),
                                  ("review", "list", "--limit", "20"), ("show", "宿州市"),
                                  ("trace", "完善市场监管综合体系", "--down"), ("trace", "宿州市")])
def test_cli_at_80_columns_keeps_ids_whole_and_speaks_chinese(seed_store, graph_ids, args):
    res = run(seed_store, *args)
    assert res.returncode == 0, res.stderr
    check_80(res.stdout, graph_ids)
    for code in ENGLISH_CODES:
        assert not re.search(rf"(?<![A-Za-z_]){code}(?![A-Za-z_])", res.stdout), f"English code {code} in output"
    assert re.search("[\u4e00-\u9fff]", res.stdout)


def test_show_prints_ids_that_trace_accepts(seed_store, graph_ids):
    out = run(seed_store, "show", "宿州市").stdout
    tid = next(m for m in ID.findall(out) if m.startswith("task:"))
    res = run(seed_store, "trace", tid)
    assert res.returncode == 0 and tid in res.stdout


def test_trace_by_region_name_and_by_task_title(seed_store):
    g = seed_store.load()
    up = run(seed_store, "trace", "宿州市")
    assert up.returncode == 0, up.stderr
    assert "安徽省" in up.stdout, "Suzhou's plan traces up to the Anhui plan"
    down = run(seed_store, "trace", "完善市场监管综合体系", "--down")
    assert down.returncode == 0, down.stderr
    suzhou = {n.title for n in g.nodes.values() if n.label in ("Task", "Project")
              and g.nodes[n.get("plan")].get("region") == "宿州市"}
    rows = [ln for ln in down.stdout.splitlines() if "宿州市" in ln]
    assert rows and all(any(t[:6] in ln for t in suzhou) for ln in rows), "Suzhou items by region name"
    assert "plan:" not in "".join(rows), "the plan column shows the region, not a plan id"


def test_not_found_has_its_own_exit_code(seed_store):
    for args in (("trace", "没有这个任务"), ("show", "火星市"), ("brief", "火星市", "--out", "x.pptx"),
                 ("分工", "draft", "火星市")):
        res = run(seed_store, *args)
        assert res.returncode == 5, (args, res.returncode, res.stderr)
        assert "错误" in res.stderr and "Traceback" not in res.stderr
    missing_store = subprocess.run([sys.executable, "-c", "import sys; from graph_builder.cli import main; sys.exit(main())",
                                    "report", "orphans", "--store", "/nonexistent/store"], capture_output=True, text=True)
    assert missing_store.returncode == 4, "a missing store stays a configuration error"


def test_exit_codes_are_documented_in_help(seed_store):
    res = run(seed_store, "--help")
    assert "5 找不到" in res.stdout and "4 配置或参数错误" in res.stdout


def test_ambiguous_title_lists_candidates_with_ids(seed_store, graph_ids):
    res = run(seed_store, "trace", "食品")
    assert res.returncode == 5
    assert len([m for m in ID.findall(res.stderr) if m in graph_ids]) >= 2


def test_wide_shows_more_columns(seed_store):
    narrow = run(seed_store, "report", "orphans").stdout
    wide = run(seed_store, "report", "orphans", "--wide").stdout
    assert "类别" not in narrow.splitlines()[2] and "类别" in wide
    assert max(cell_len(x) for x in wide.splitlines()) > 80


def test_orphans_summarise_missing_upper_plans(seed_store):
    out = run(seed_store, "report", "orphans").stdout
    assert "上级规划未载入" in out and "请载入" in out
    rows = [ln for ln in out.splitlines() if "上级规划未载入" in ln and "项" not in ln]
    assert not rows, "no per-item rows for upper plans that are not loaded (use --all)"
    full = run(seed_store, "report", "orphans", "--all", "--wide").stdout
    assert full.count("上级规划未载入") > 100
