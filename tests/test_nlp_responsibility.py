"""spaCy rule component (on spacy.blank) and region-aware agency normalisation."""
from __future__ import annotations

from graph_builder.models import Graph
from graph_builder.nlp import get_nlp
from graph_builder.responsibility import assign_responsibility, mentions


def test_component_marks_agency_citation_deadline_quantity():
    doc = get_nlp()("由省发展改革委牵头，到2025年修订《安徽省质量促进条例》，新增示范单位100家以上")
    ents = [(e.text, e.label_) for e in doc.ents]  # spans are aligned to jieba tokens
    assert [label for _, label in ents] == ["AGENCY", "DEADLINE", "CITATION", "QUANTITY"]
    assert "省发展改革委" in ents[0][0] and ents[2][0] == "《安徽省质量促进条例》" and "100家" in ents[3][0]
    assert get_nlp().pipe_names == ["plan_entities"]


def test_short_forms_resolve_within_the_plans_region():
    got = mentions("由省市场监管局牵头，会同省发展改革委推进", "安徽省")
    assert [(a.name, role) for a, role in got] == [("安徽省市场监督管理局", "牵头"), ("安徽省发展和改革委员会", "配合")]


def test_city_prefix_resolves_to_the_city_and_national_bodies_stay_national():
    got = mentions("市市场监管局负责，配合国家药监局开展检查", "宿州市")
    assert [(a.name, a.region, role) for a, role in got] == [("宿州市市场监督管理局", "宿州市", "牵头"),
                                                             ("国家药品监督管理局", "中国", "配合")]


def test_same_body_name_in_different_provinces_are_different_agencies():
    zj = mentions("由浙江省市场监管局牵头", "浙江省")[0][0]
    js = mentions("由江苏省市场监管局牵头", "浙江省")[0][0]
    assert zj.name == "浙江省市场监督管理局" and js.name == "江苏省市场监督管理局"
    assert zj.id != js.id


def test_unassigned_mentions_make_no_edge():
    assert mentions("省市场监管局近年来成效显著", "安徽省") == []


def test_default_owner_is_the_issuing_department_with_evidence():
    from graph_builder.models import Plan, Task

    g = Graph([Plan("plan:x", "示例省市场监管“十四五”规划", "安徽省", "province", None, None, "x.txt").to_node(),
               Task("task:1", "plan:x", "强化竞争", "由省发展改革委牵头推进。", [], 3).to_node()])
    assign_responsibility(g)
    roles = sorted((g.nodes[e.source].props["name"], e.props["role"]) for e in g.edges_of("责任"))
    assert roles == [("安徽省发展和改革委员会", "牵头"), ("安徽省市场监督管理局", "主责")]
    assert "默认" in next(e for e in g.edges_of("责任") if e.props["role"] == "主责").props["evidence"]


def test_roles_come_from_cue_spans_next_to_the_agency():
    from graph_builder.nlp import get_nlp

    doc = get_nlp()("部门联合推进，立项市场监管总局科技计划项目，由省市场监管局牵头")
    assert {sp.label_ for sp in doc.spans["RESPONSIBILITY"]} >= {"support_before", "lead_before", "lead_after"}
    assert [sp._.exact for sp in doc.spans["AGENCY"]] and all(sp._.parts for sp in doc.spans["AGENCY"])
    got = mentions("部门联合推进，立项市场监管总局科技计划项目，由省市场监管局牵头", "安徽省")
    assert [(a.name, role) for a, role in got] == [("安徽省市场监督管理局", "牵头")], "a cue far before is no cue"
    got = mentions("省发展改革委等部门配合", "安徽省")
    assert [(a.name, role) for a, role in got] == [("安徽省发展和改革委员会", "配合")]
