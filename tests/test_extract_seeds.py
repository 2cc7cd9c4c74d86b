"""Extraction on the real seed plans: structure that must hold whatever the wording (no answer files)."""
from __future__ import annotations

import re

import pytest

from graph_builder.normalize import to_match


def plan_of(graph, region):
    return next(n for n in graph.by_label("Plan") if n.props.get("region") == region and n.props.get("loaded"))


def items(graph, plan, label=("Task", "Project")):
    return [n for n in graph.nodes.values() if n.label in label and n.props.get("plan") == plan.id]


@pytest.mark.parametrize("region,level", [("安徽省", "province"), ("荆门市", "city"), ("浙江省", "province"),
                                          ("宿州市", "city"), ("广东省", "province")])
def test_every_seed_becomes_one_plan_with_region_and_level(seed_graph, region, level):
    plan = plan_of(seed_graph, region)
    assert plan.props["level"] == level
    assert len(items(seed_graph, plan)) >= 20


def test_suzhou_front_matter_is_read_from_text(seed_graph):
    p = plan_of(seed_graph, "宿州市").props
    assert p["doc_no"] == "宿市监发〔2022〕40号"
    assert p["date"] == "2022-05-30"
    assert p["issuer"] == "宿州市市场监督管理局"
    assert "市场监管现代化规划" in p["title"]


def test_zhejiang_titles_keep_traditional_script(seed_graph):
    plan = plan_of(seed_graph, "浙江省")
    titles = [n.title for n in items(seed_graph, plan)]
    assert "持續深化商事制度改革" in titles
    assert plan.props["title"].startswith("浙江省市場監管")


def test_task_chapters_only_no_context_or_safeguard_tasks(seed_graph):
    for plan in (n for n in seed_graph.by_label("Plan") if n.props.get("loaded")):
        for n in items(seed_graph, plan):
            head = to_match("".join(n.props["path"][:1]))
            assert not re.search("保障措施|发展基础|总体要求|规划实施|指导思想", head), (n.title, head)


def test_page_break_split_paragraph_is_rejoined(seed_graph):
    gd = plan_of(seed_graph, "广东省")
    t = next(n for n in items(seed_graph, gd) if n.title == "加大小微企业和个体工商户支持力度")
    assert "个体工商户发展政策体系" in t.props["text"]
    assert "— 26 —" not in "".join(n.props["text"] for n in items(seed_graph, gd))


def test_footnotes_are_not_items(seed_graph):
    sz = plan_of(seed_graph, "宿州市")
    assert not [n for n in items(seed_graph, sz) if n.title.startswith(("注", "“464”指"))]


def test_box_projects_in_three_layouts(seed_graph):
    jm, sz, gd = (plan_of(seed_graph, r) for r in ("荆门市", "宿州市", "广东省"))
    jm_projects = {n.title for n in items(seed_graph, jm, ("Project",))}
    assert {"国家运动服饰产品质量监督检验中心", "反食品浪费 市场监管"} <= jm_projects
    sz_projects = {n.title for n in items(seed_graph, sz, ("Project",))}
    assert {"减材料", "压成本", "提效率", "实施保健食品行业专项清理整治行动"} <= sz_projects
    assert "放心消费创建工程" in sz_projects and not {"目标", "任务"} & sz_projects  # part labels, not items
    gd_projects = {n.title for n in items(seed_graph, gd, ("Project",))}
    assert "设立广东省质量提升发展基金" in gd_projects


def test_leaf_section_without_items_is_one_task(seed_graph):
    jm = plan_of(seed_graph, "荆门市")
    t = next(n for n in items(seed_graph, jm, ("Task",)) if n.title == "发挥部门协调机制的作用")
    assert t.props["text"]


def indicators(graph, plan, source="table"):
    return {n.props["name"]: n.props for n in graph.nodes.values()
            if n.label == "Indicator" and n.props.get("plan") == plan.id and n.props["source"] == source}


def test_cell_per_line_table_with_notes_for_cumulative(seed_graph):
    ah = indicators(seed_graph, plan_of(seed_graph, "安徽省"))
    assert len(ah) == 20
    row = ah["全省市场主体总量"]
    assert (row["unit"], row["baseline"], row["target"], row["attribute"], row["cumulative"]) == ("万户", "587.82", ">900", "预期性", True)
    assert ah["企业开办时间"]["cumulative"] is False


def test_pipe_rows_with_merged_category(seed_graph):
    jm = indicators(seed_graph, plan_of(seed_graph, "荆门市"))
    row = jm["企业类市场主体总量"]
    assert (row["category"], row["baseline"], row["target"]) == ("营商环境", "5", "8")


def test_tab_ocr_rows_with_split_names_and_brackets(seed_graph):
    gd = indicators(seed_graph, plan_of(seed_graph, "广东省"))
    assert len(gd) == 28
    assert gd["全省每千人拥有企业户"]["baseline"] == "48.9"
    assert gd["期末市场主体总量"]["cumulative"] is True
    assert gd["重点消费品质量安全监测评价合格率"]["target"] == "≥88"
    assert any("双随机、一公开" in n and n.endswith("查比例") for n in gd)


def test_prose_targets_link_to_their_task(seed_graph):
    ah = plan_of(seed_graph, "安徽省")
    prose = [n for n in seed_graph.nodes.values() if n.label == "Indicator" and n.props.get("plan") == ah.id
             and n.props["source"] == "prose"]
    hit = [n for n in prose if "公平竞争环境社会满意率" in n.props["name"]]
    assert hit and hit[0].props["target"] == "≥95%"
    assert seed_graph.nodes[hit[0].props["task"]].label in ("Task", "Project")


def test_missing_indicator_table_is_a_warning_not_a_crash(seed_dir, tmp_path):
    from graph_builder.pipeline import extract_all

    _, report = extract_all([seed_dir / "zhejiang-province.txt"])
    assert any("zhejiang-province.txt:12" in w and "缺少表格" in w for w in report.warnings)


def test_ids_are_stable_across_builds(seed_graph, seed_dir, tmp_path):
    from graph_builder.pipeline import build, load_manifest
    from graph_builder.store import EmbeddedStore

    store = EmbeddedStore(tmp_path / "again")
    build([seed_dir], store, link=False, overrides=load_manifest(seed_dir.parent / "manifest.toml"))
    again = {n.id for n in store.load().nodes.values() if n.label in ("Task", "Project", "Indicator", "Section")}
    first = {n.id for n in seed_graph.nodes.values() if n.label in ("Task", "Project", "Indicator", "Section")}
    assert again == first


def test_default_owner_and_region_aware_agencies(seed_graph):
    ah = plan_of(seed_graph, "安徽省")
    owners = {seed_graph.nodes[e.source].props["name"] for e in seed_graph.edges_of("责任")
              if seed_graph.nodes[e.target].props.get("plan") == ah.id and e.props["role"] == "主责"}
    assert owners == {"安徽省市场监督管理局"}
