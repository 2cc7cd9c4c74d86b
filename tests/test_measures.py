"""One Measure node per measure: keys that generalise, one MEASURES edge per indicator, linear growth."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from graph_builder.extract.indicators import merge_restated
from graph_builder.link import link_graph
from graph_builder.measures import measure_key, measure_similarity, prose_measure_text, unit_kind
from graph_builder.models import Edge, Graph, Indicator, Plan, Region, Task, stable_id


@pytest.mark.parametrize("a, b", [
    ("期末市场主体总量", "全省市场主体总量"),  # scope / date prefixes
    ("在册市场主体总量", "全市市场主体数"),
    ("知识产权质押融资登记金额", "知识产权质押登记融资金额"),  # same words, another order
    ("专利密集型产业增加值占GDP比重", "专利密集型产业增加值占地区生产总值的比重"),  # synonym from the data file
    ("每千人企业拥有数", "全省每千人拥有企业户"),  # unit word 户, filler 拥有
    ("社会公用计量标准（项）", "社会公用计量标准数量"),
])
def test_same_measure_in_other_wording_has_one_key(a, b):
    assert measure_key(a) == measure_key(b) != ""


@pytest.mark.parametrize("a, b", [
    ("市场主体总量", "企业类市场主体总量"),  # narrower scope
    ("每万人口发明专利拥有量", "每万人口拥有高价值发明专利数"),
    ("制修订国家标准", "主导制修订国家标准"),
    ("主导或参与国家标准制定", "主导或参与国际标准制定"),  # one character, but two real words
    ("万台特种设备死亡率", "万台特种设备事故率"),
])
def test_different_measures_stay_apart(a, b):
    assert measure_similarity(measure_key(a), measure_key(b)) < 0.9


@pytest.mark.parametrize("a, b", [
    ("市级抽查宿州市生产企业产品质量合格率", "市级抽查勃利县生产企业产品质量合格率"),  # the plan names its own region
    ("培育“食安安徽”食品安全街区", "培育“食安”食品安全街区"),  # province short name inside a brand
    ("安徽省市场主体总量", "市场主体总量"),
])
def test_division_names_in_a_name_are_scope_not_measure(a, b):
    assert measure_key(a) == measure_key(b) != ""


def test_a_name_that_is_only_a_division_keeps_it():
    assert measure_key("宿州市") != ""


def test_a_county_name_inside_a_word_stays():
    assert "示范县" in measure_key("食品安全示范县（市、区）")  # 示范县 holds 范县, a county of 河南
    assert "县级" in measure_key("市和县级监管机构")  # 和县 of 安徽 across two words


def test_one_character_ocr_slip_is_near_the_clean_name():
    assert measure_similarity(measure_key("食品评价性抽由检合格率"), measure_key("食品评价性抽检合格率")) >= 0.9


def test_prose_target_is_keyed_on_what_it_measures():
    assert prose_measure_text("每万人口高价值发明专利拥有量达2件") == "每万人口高价值发明专利拥有量"
    assert measure_key(prose_measure_text("到2025年全市有效发明专利总量达到6600件以上")) == measure_key("有效发明专利总量")


def _ind(iid, name, target, unit, source="table", line=1, task=None):
    return Indicator(iid, "plan:x", name, unit, None, target, None, None, None, source, line, task=task)


def test_table_row_restated_in_prose_is_one_indicator():
    table = [_ind("t1", "每万人口拥有高价值发明专利数", "2", "件"), _ind("t2", "有效发明专利总量", "6.6", "千件")]
    prose = [(_ind("p1", "每万人口高价值发明专利拥有量达2件", "2件", "件", "prose", 273, "task:a"), "task:a"),
             (_ind("p2", "全市有效发明专利总量达到6600件", "6600件", "件", "prose", 83), "sec:1"),
             (_ind("p3", "每万人口高价值发明专利拥有量达3件", "3件", "件", "prose", 280, "task:b"), "task:b")]
    kept = merge_restated(table, prose)
    assert [i.id for i, _ in kept] == ["p3"]  # another target value is another statement
    assert (table[0].prose_line, table[0].task) == (273, "task:a")
    assert table[1].prose_line == 83  # 6.6 千件 = 6600 件


# ------------------------------------------------------------------ generated corpus

VOCAB = [  # (variants of one measure, unit)
    (["市场主体总量", "在册市场主体总量", "期末市场主体总量", "市场主体数量"], "万户"),
    (["知识产权质押融资登记金额", "知识产权质押登记融资金额", "知识产权质押融资金额"], "亿元"),
    (["专利密集型产业增加值占GDP比重", "专利密集型产业增加值占地区生产总值的比重"], "%"),
    (["每千人企业拥有数", "每千人拥有企业户"], "户"),
    (["企业类市场主体总量"], "万户"),
    (["食品评价性抽检合格率"], "%"),
    (["药品抽检合格率"], "%"),
    (["每万人口高价值发明专利拥有量", "每万人口拥有高价值发明专利数"], "件"),
]
SCOPE = {"province": "全省", "city": "全市"}


def generated_corpus(provinces: int, cities: int, seed: int = 3) -> Graph:
    """National → provinces → cities, each plan naming every measure in a random variant and scope."""
    rng = random.Random(seed)
    g = Graph()
    cn = stable_id("region", "中国")
    g.add_node(Region(cn, "中国", "national", None).to_node())

    def plan(region: str, level: str, parent: str | None) -> None:
        rid = stable_id("region", region)
        if rid not in g.nodes:
            g.add_node(Region(rid, region, level, parent).to_node())
            if parent:
                g.add_edge(Edge("WITHIN", rid, parent))
        pid = stable_id("plan", region)
        g.add_node(Plan(pid, f"{region}“十四五”示例监管规划", region, level, None, "2021-06-01", f"{region}.txt").to_node())
        g.add_edge(Edge("COVERS", pid, rid))
        tid = stable_id("task", pid)  # task linking needs some text
        g.add_node(Task(tid, pid, "深化商事制度改革", f"{region}深化商事制度改革，优化营商环境。", ["三、主要任务"], 5).to_node())
        g.add_edge(Edge("CONTAINS", pid, tid))
        for k, (variants, unit) in enumerate(VOCAB):
            name = rng.choice(variants)
            if level in SCOPE and rng.random() < 0.5:
                name = SCOPE[level] + name
            iid = stable_id("indicator", pid, name)
            g.add_node(Indicator(iid, pid, name, unit, "1", str(rng.randint(1, 9)), "预期性", False, None, "table",
                                 k + 1, str(k + 1)).to_node())
            g.add_edge(Edge("CONTAINS", pid, iid))

    plan("中国", "national", None)
    for p in range(provinces):
        prov = f"示例{p}省"
        plan(prov, "province", cn)
        for c in range(cities):
            plan(f"示例{p}省{c}市", "city", stable_id("region", prov))
    return g


def _counts(g: Graph) -> Counter:
    c = Counter(e.type for e in g.edges)
    c["Measure"] = sum(1 for _ in g.by_label("Measure"))
    c["Indicator"] = sum(1 for _ in g.by_label("Indicator"))
    c["indicator_uppers"] = sum(1 for e in g.edges_of("上级规划") if g.nodes[e.source].label == "Indicator")
    return c


def test_indicator_edges_grow_linearly_with_indicators():
    small, big = generated_corpus(2, 3), generated_corpus(8, 6)
    link_graph(small)
    link_graph(big)
    cs, cb = _counts(small), _counts(big)
    assert cb["Indicator"] > 5 * cs["Indicator"]
    for c in (cs, cb):
        assert c["SAME_MEASURE"] == 0
        assert c["MEASURES"] == c["Indicator"]  # exactly one per indicator
        assert c["Measure"] == len(VOCAB)  # the number of measures, whatever the number of plans
        # a city indicator links to its province and to the nation, a province one to the nation: ≤ 2 each
        assert c["indicator_uppers"] <= 2 * c["Indicator"]
    # a pairwise scheme would grow with the square: here edges per indicator stay the same
    assert cb["MEASURES"] / cb["Indicator"] == cs["MEASURES"] / cs["Indicator"] == 1


def test_every_measure_key_on_exactly_one_measure_node():
    g = generated_corpus(3, 4)
    link_graph(g)
    owner: dict[str, list[str]] = {}
    for m in g.by_label("Measure"):
        for k in m.get("keys"):
            owner.setdefault(k, []).append(m.id)
    assert owner and all(len(v) == 1 for v in owner.values())
    for e in g.edges_of("MEASURES"):  # each indicator's own key is one of its Measure's keys
        assert e.get("key") in g.nodes[e.target].get("keys")
    narrow = measure_key("企业类市场主体总量")
    assert owner[narrow] != owner[measure_key("市场主体总量")]


def test_indicator_uppers_stay_in_one_region_chain_with_flags():
    g = generated_corpus(3, 2)
    link_graph(g)
    plans = {p.id: p for p in g.by_label("Plan")}
    region_parent = {r.get("name"): r.get("parent") for r in g.by_label("Region")}
    names = {r.id: r.get("name") for r in g.by_label("Region")}
    ups = [e for e in g.edges_of("上级规划") if g.nodes[e.source].label == "Indicator"]
    assert ups
    for e in ups:
        lo, up = plans[g.nodes[e.source].get("plan")], plans[g.nodes[e.target].get("plan")]
        chain, r = set(), region_parent.get(lo.get("region"))
        while r:
            chain.add(names[r])
            r = region_parent.get(names[r])
        assert up.get("region") in chain
        assert len(e.get("flags")) == len(e.get("reasons"))
        assert g.nodes[e.source].get("name") and e.get("status") == "suggested"


def test_counties_naming_themselves_share_the_city_measure_and_link_to_it():
    """A county plan restating 市级抽查宿州市… as 市级抽查砀山县… measures the same thing: one Measure, linked up."""
    from graph_builder.link import load_config
    from graph_builder.link.indicators import link_indicators
    from graph_builder.models import Node

    def ind(region: str) -> Node:
        return Node(f"indicator:{region}", "Indicator", {
            "name": f"市级抽查{region}生产企业产品质量合格率", "plan": f"plan:{region}", "source": "table",
            "unit": "%", "target": "95", "line": 1})

    counties = ["砀山县", "萧县", "灵璧县", "泗县", "埇桥区"]
    inds = [ind("宿州市")] + [ind(c) for c in counties]
    res = link_indicators(inds, {f"plan:{c}": {"plan:宿州市"} for c in counties}, load_config(None).indicators)
    assert len(res.measures) == 1 and len(res.measures[0].members) == len(inds)
    assert "宿州市" not in res.measures[0].name
    assert sorted((lo, up) for lo, up, _ in res.upper) == sorted(
        (f"indicator:{c}", "indicator:宿州市") for c in counties)


def test_relinking_replaces_measures_instead_of_adding():
    g = generated_corpus(2, 2)
    link_graph(g)
    first = _counts(g)
    link_graph(g)
    assert _counts(g) == first


# ------------------------------------------------------------------ the seed plans


def test_seed_graph_has_one_measure_edge_per_indicator_and_no_pairwise_edges(seed_graph):
    g = seed_graph
    inds = list(g.by_label("Indicator"))
    measures = Counter(e.source for e in g.edges_of("MEASURES"))
    assert not list(g.edges_of("SAME_MEASURE"))
    assert {n.id for n in inds} == set(measures) and set(measures.values()) == {1}
    regions = {p.id: p.get("region") for p in g.by_label("Plan")}
    by_measure: dict[str, set[str]] = {}
    for e in g.edges_of("MEASURES"):
        by_measure.setdefault(e.target, set()).add(regions[g.nodes[e.source].get("plan")])
    total = next(m for m in g.by_label("Measure") if m.get("keys") == [measure_key("市场主体总量")])
    assert by_measure[total.id] >= {"安徽省", "宿州市", "荆门市", "广东省"}  # 全省/全市/在册/期末
    assert total.get("unit_kind") == "count"


def test_seed_suzhou_states_one_indicator_in_table_and_prose(seed_graph):
    g = seed_graph
    suzhou = next(p.id for p in g.by_label("Plan") if p.get("region") == "宿州市" and p.get("loaded") is not False)
    rows = [n for n in g.by_label("Indicator") if n.get("plan") == suzhou
            and measure_key(n.get("name")) == measure_key("每万人口高价值发明专利拥有量") and n.get("target") in ("2", "2件")]
    prose = [n for n in rows if n.get("source") == "prose"]
    assert not prose  # the sentence "…拥有量达2件" is folded into a table row
    assert any(n.get("prose_line") for n in rows)


@pytest.mark.parametrize("unit, name, kind", [
    ("%", "消费品合格率", "percent"), ("亿元", "知识产权质押融资金额", "amount"), ("工作日", "企业开办时间", "duration"),
    ("件", "每万人口高价值发明专利拥有量", "ratio"), ("万户", "市场主体总量", "count"), ("分", "公共服务质量满意度", "score"),
    (None, "万台特种设备死亡率", "ratio"), (None, "信用风险分类抽查占比", "percent"),
])
def test_unit_kind_of_a_measure(unit, name, kind):
    assert unit_kind(unit, name) == kind
