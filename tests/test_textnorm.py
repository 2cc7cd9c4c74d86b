"""One normalisation order for extraction and linking, and a loud failure without OpenCC."""
from __future__ import annotations

import builtins

import pytest

from graph_builder import textnorm
from graph_builder.errors import ConfigError
from graph_builder.link.text import simplify
from graph_builder.normalize import to_match


def test_extraction_and_linking_share_one_form():
    for s in ("浙江省市場監管“十四五”規劃", "（一）深化商事制度改革", "每萬人口高價值發明專利擁有量（件）", "\uf9f4林"):
        assert simplify(s) == textnorm.simplified(s)
        assert to_match(s) == textnorm.simplified(s).replace("“", '"').replace("”", '"').replace(" ", "")


def test_missing_opencc_is_a_config_error_not_a_silent_no_op(monkeypatch):
    real_import = builtins.__import__

    def no_opencc(name, *a, **kw):
        if name == "opencc":
            raise ImportError("No module named 'opencc'")
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_opencc)
    textnorm._converter.cache_clear()
    textnorm.simplified.cache_clear()
    try:
        with pytest.raises(ConfigError, match="OpenCC") as ei:
            simplify("規劃")
        assert isinstance(ei.value.__cause__, ImportError)
    finally:
        monkeypatch.undo()
        textnorm._converter.cache_clear()
        textnorm.simplified.cache_clear()
    assert simplify("規劃") == "规划"
