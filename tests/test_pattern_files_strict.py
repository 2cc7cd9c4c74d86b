"""Every shipped pattern file is closed: a misspelt key anywhere is a PatternError naming the file and the key.

The cases are generated from :data:`graph_builder.pattern_files.SCHEMAS` and the shipped files, so a new
file or section is covered without editing this test.
"""
from __future__ import annotations

import copy
import dataclasses
from importlib import resources

import pytest

from graph_builder import pattern_files
from graph_builder.errors import PatternError
from graph_builder.pattern_files import ANY, NUM, SCHEMAS

SHIPPED = sorted(p.name for p in resources.files("graph_builder.patterns").iterdir() if p.name.endswith(".toml"))


def _sub(schema: dict, key: str):
    return schema.get(key, schema.get(f"{key}?", schema.get("*")))


def _closed_tables(value, schema, path=()):
    """Paths (in the shipped data) of nested tables whose schema lists its keys (no ``"*"``)."""
    if isinstance(schema, list) and isinstance(value, list):
        for i, v in enumerate(value):
            yield from _closed_tables(v, schema[0], (*path, i))
    elif isinstance(schema, dict) and isinstance(value, dict):
        if path and "*" not in schema:
            yield path
        for k, v in value.items():
            yield from _closed_tables(v, _sub(schema, k), (*path, k))


def _dotted(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def test_every_shipped_file_has_a_schema_closed_at_the_top():
    assert set(SHIPPED) == set(SCHEMAS)
    assert [n for n in SHIPPED if "*" in SCHEMAS[n] or SCHEMAS[n] is ANY] == []


@pytest.mark.parametrize("name", SHIPPED)
def test_a_misspelt_top_level_key_is_named(name):
    data = copy.deepcopy(pattern_files.read_toml(name))
    data["misspelt_key"] = data[next(iter(data))]
    with pytest.raises(PatternError) as ei:
        pattern_files.check(data, SCHEMAS[name], f"graph_builder/patterns/{name}")
    assert ei.value.key == "misspelt_key" and "未知的键" in ei.value.problem
    assert str(ei.value).startswith(f"graph_builder/patterns/{name}: misspelt_key: ")


NESTED = [(n, p) for n in SHIPPED for p in _closed_tables(pattern_files.read_toml(n), SCHEMAS[n])]


def test_every_file_with_tables_has_a_nested_case():
    nested_files = {n for n, _ in NESTED}
    flat = {n for n in SHIPPED if not any(isinstance(v, (dict, list)) and v and isinstance(
        v if isinstance(v, dict) else v[0], dict) for v in pattern_files.read_toml(n).values())}
    assert nested_files | flat == set(SHIPPED)


@pytest.mark.parametrize("name, path", NESTED, ids=[f"{n}:{_dotted(p)}" for n, p in NESTED])
def test_a_misspelt_nested_key_is_named(name, path):
    data = copy.deepcopy(pattern_files.read_toml(name))
    node = data
    for p in path:
        node = node[p]
    node["misspelt_nested"] = 1
    with pytest.raises(PatternError) as ei:
        pattern_files.check(data, SCHEMAS[name], name)
    assert ei.value.key == f"{_dotted(path)}.misspelt_nested" and "未知的键" in ei.value.problem


def test_link_schema_lists_exactly_the_config_dataclass_fields_with_their_types():
    from graph_builder.link import config

    schema = SCHEMAS["link.toml"]
    assert set(schema) == set(config._SECTIONS)
    for section, cls in config._SECTIONS.items():
        keys = {k.rstrip("?"): v for k, v in schema[section].items()}
        assert set(keys) == {f.name for f in dataclasses.fields(cls)}, section
        defaults = cls()
        for key, kind in keys.items():
            value = getattr(defaults, key)
            if isinstance(value, bool):
                assert kind is bool, (section, key)
            elif isinstance(value, float):
                assert kind == NUM, (section, key)
            elif isinstance(value, int):
                assert kind is int, (section, key)
            else:
                assert isinstance(kind, list), (section, key)
