"""OCR/PDF damage in titles and names is repaired against the corpus; the original is kept and reported."""
from __future__ import annotations

from graph_builder.pipeline import extract_all
from graph_builder.repair import Vocabulary, repair_text

from .conftest import SEEDS


def test_guangdong_damaged_indicator_names_are_repaired_with_raw_kept_and_a_warning_each():
    ex, report = extract_all([SEEDS])
    gd = next(e for e in ex if e.plan.source == "guangdong-province.txt")
    names = {n.props["name"]: n.props.get("name_raw") for n in gd.graph.nodes.values() if n.label == "Indicator"}
    assert names["药品抽检合格率"] == "药品抽检合构各率"
    assert names["食品评价性抽检合格率"] == "食品评价性抽由检合格率"
    assert names["千人食品检验量"] == "千人食品检验企量"
    repairs = [w for w in report.warnings if "修复" in w]
    assert any(w.startswith("guangdong-province.txt:165:") and "合构各率" in w for w in repairs)
    # only damaged names change: nothing else in the five seeds is touched
    assert len(repairs) == 3, repairs


def test_repairs_never_change_numbers_and_need_a_unique_verbatim_fix():
    vocab = Vocabulary(["食品评价性抽检合格率达到98%", "农产品和食品检验量"], [])
    assert repair_text("食品评价性抽由检合格率", vocab) == "食品评价性抽检合格率"
    assert repair_text("食品评价性抽由检合格率98.5%", vocab) == "食品评价性抽检合格率98.5%"  # numbers untouched
    assert repair_text("食品评价性抽检合格率", vocab) is None  # clean text stays
    assert repair_text("培育大院名所", vocab) is None  # an unknown phrase is not damage without a verbatim fix
