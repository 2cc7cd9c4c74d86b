"""Pattern files are loaded by one typed loader and validated at start-up: a bad file is one line, exit code 4."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph_builder import pattern_files
from graph_builder.errors import PatternError

ROOT = Path(__file__).resolve().parents[1]


def test_every_shipped_pattern_file_is_valid_and_has_a_schema():
    names = pattern_files.validate_all()
    assert "headings.toml" in names and "agencies.toml" in names
    assert set(names) <= set(pattern_files.SCHEMAS), "a pattern file without a schema"


@pytest.mark.parametrize("change, key, problem", [
    ({"patterns": {"CITATION": "《[^》"}}, "patterns.CITATION", "正则表达式无效"),
    ({"patterns": {"CITATION": 3}}, "patterns.CITATION", "正则表达式字符串"),
    ({"front": {"DOC_NO": ["〔(\\d〕"]}}, "front.DOC_NO[0]", "正则表达式无效"),
    ({"patern": {}}, "patern", "未知的键"),
])
def test_check_names_key_and_problem(change, key, problem):
    data = pattern_files.read_toml("entities.toml")
    for section, values in change.items():
        data[section] = {**data.get(section, {}), **values}
    with pytest.raises(PatternError) as ei:
        pattern_files.check(data, pattern_files.SCHEMAS["entities.toml"], "graph_builder/patterns/entities.toml")
    assert ei.value.key == key and problem in ei.value.problem
    assert str(ei.value).startswith(f"graph_builder/patterns/entities.toml: {key}: ")


def test_missing_required_key_and_wrong_type():
    schema = pattern_files.SCHEMAS["headings.toml"]
    data = pattern_files.read_toml("headings.toml")
    broken = {**data, "lead": {**data["lead"], "max_title_chars": "40"}}
    with pytest.raises(PatternError, match=r"lead\.max_title_chars: 应为 int"):
        pattern_files.check(broken, schema, "headings.toml")
    del broken["heading"]
    with pytest.raises(PatternError, match="heading: 缺少必需的键"):
        pattern_files.check(broken, schema, "headings.toml")


@pytest.mark.parametrize("file, old, new, key", [
    ("headings.toml", "box_end_min_chars = ", "box_end_min_chars = 'x' #", "lead.box_end_min_chars"),
    ("entities.toml", "CITATION = '", "CITATION = '(", "patterns.CITATION"),
    ("agencies.toml", "[roles]", "[rolez]", "rolez"),
    ("link.toml", "cite_match = ", "cite_matsh = ", "plans.cite_matsh"),
    ("entities.toml", "DOC_NO = [", "DOC_N0 = [", "front.DOC_N0"),
])
def test_cli_reports_a_bad_pattern_file_in_one_line_with_exit_code_4(tmp_path, file, old, new, key):
    pkg = tmp_path / "graph_builder"
    shutil.copytree(ROOT / "graph_builder", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    target = pkg / "patterns" / file
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    code = "import sys; from graph_builder.cli import main; sys.exit(main(['query', 'search', '-p', 'text=市场']))"
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path), "COLUMNS": "300"})
    assert r.returncode == 4, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert f"graph_builder/patterns/{file}" in lines[0] and key in lines[0]
