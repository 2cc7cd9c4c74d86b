"""Link settings come from patterns/link.toml; overrides are checked, not silently ignored."""
from __future__ import annotations

import pytest

from graph_builder.errors import ConfigError
from graph_builder.link import load_config
from graph_builder.link.indicators import measure_key, measure_similarity


def test_defaults_and_overrides(tmp_path):
    cfg = load_config()
    assert 0 < cfg.tasks.min_score < 1 and cfg.overlaps.peer_top_k >= 1
    assert load_config({"tasks": {"min_score": 0.5}}).tasks.min_score == 0.5
    assert load_config().tasks.min_score == cfg.tasks.min_score  # overrides never leak into the defaults
    f = tmp_path / "link.toml"
    f.write_text("[overlaps]\npeer_top_k = 1\n", encoding="utf-8")
    assert load_config(f).overlaps.peer_top_k == 1


@pytest.mark.parametrize("bad", [{"tasks": {"no_such_key": 1}}, {"nosection": {}}, {"tasks": {"min_score": "high"}}])
def test_bad_settings_raise(bad):
    with pytest.raises(ConfigError):
        load_config(bad)


def test_measure_names():
    same = ["每万人口拥有高价值发明专利数", "每万人口高价值发明专利拥有量", "每万人高价值发明专利拥有量（件）"]
    assert len({measure_key(n) for n in same}) == 1
    assert measure_similarity(measure_key("全省示例检测机构数量"), measure_key("全市示例检测机构")) == 1.0
    assert measure_similarity(measure_key("示例贷款登记金额"), measure_key("示例贷款金额")) == 1.0  # neutral insert
    # a narrower or different measure is not the same measure
    assert measure_similarity(measure_key("示例检测机构总量"), measure_key("民营示例检测机构总量")) < 0.9
    assert measure_similarity(measure_key("每万人口示例证书拥有量"), measure_key("每万人口高等级示例证书拥有量")) < 0.9
    assert measure_similarity(measure_key("万台示例设备故障率"), measure_key("万台示例设备停机率")) < 0.9
