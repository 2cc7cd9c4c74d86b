"""Every shipped pattern file has a real schema (not "anything goes") and is read only through pattern_file()."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from graph_builder import pattern_files
from graph_builder.errors import PatternError

ROOT = Path(__file__).resolve().parents[1]
# Only user-supplied files (--config, --units) and the data manifest may be parsed outside pattern_files.
DIRECT_READERS = {"pattern_files.py", "link/config.py", "division.py", "pipeline.py"}


def test_only_pattern_files_parses_shipped_toml():
    pkg = ROOT / "graph_builder"
    offenders = [str(p.relative_to(pkg)) for p in pkg.rglob("*.py")
                 if "tomllib" in p.read_text("utf-8") and str(p.relative_to(pkg)) not in DIRECT_READERS]
    assert not offenders, f"read patterns through graph_builder.pattern_files.pattern_file: {offenders}"


@pytest.mark.parametrize("name", ["limits.toml", "sanitize.toml", "explorer.toml", "ingest.toml", "repair.toml",
                                  "division_units.toml", "link_indicator_words.toml", "link_synonyms.toml"])
def test_schema_rejects_a_misspelt_top_level_key(name):
    data = copy.deepcopy(pattern_files.read_toml(name))
    data["misspelt_key"] = 1
    with pytest.raises(PatternError, match="misspelt_key: 未知的键"):
        pattern_files.check(data, pattern_files.SCHEMAS[name], name)


@pytest.mark.parametrize("name, path, bad, problem", [
    ("limits.toml", ("max_sections",), "many", "应为 int"),
    ("explorer.toml", ("review_below",), "0.5", "应为 int|float"),
    ("sanitize.toml", ("remove", "bidi", "chars"), "U+200E", "应为列表"),
    ("ingest.toml", ("layout", "page_number"), "(\\d", "正则表达式无效"),
    ("plan_identity.toml", ("divisions", "zone"), "[省", "正则表达式无效"),
    ("indicators.toml", ("table", "cumulative_note"), "第(", "正则表达式无效"),
    ("link.toml", ("overlaps", "within_copy_full"), {"x": 1}, "应为"),
])
def test_schema_names_a_wrong_value(name, path, bad, problem):
    data = copy.deepcopy(pattern_files.read_toml(name))
    node = data
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = bad
    with pytest.raises(PatternError) as ei:
        pattern_files.check(data, pattern_files.SCHEMAS[name], name)
    assert ei.value.key == ".".join(path) and re.search(re.escape(problem), ei.value.problem)
