"""National-chain test: the real national plan (国务院 notice, 国发 number, a title naming no region) is
recognised, every lower plan's 上级规划 reaches it, and trace_down from a national task reaches city tasks."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph_builder.pipeline import build, extract_all, load_manifest
from graph_builder.store import EmbeddedStore
from tests.national_corpus import FRONT, SEEDS, write_corpus

TASK = """一、主要任务
(一)深化商事制度改革
推进“证照分离”改革全覆盖，建立健全涉企经营许可事项清单管理制度，优化企业开办服务。
"""

# a county plan of 宿州市 citing the national plan by its title, which names no region
LINGBI = """灵璧县“十四五”市场监管规划
灵璧县市场监督管理局
2022年6月1日
根据《“十四五”市场监管现代化规划》和《宿州市“十四五”市场监管现代化规划》，结合全县实际，编制本规划。
""" + TASK


def _build(root: Path, **kw) -> EmbeddedStore:
    plans = write_corpus(root, **kw)
    store = EmbeddedStore(root / "store")
    report = build([plans], store, overrides=load_manifest(root / "manifest.toml"), decisions=root / "review.csv")
    assert not report.failed, report.failed
    assert not any("未能从正文识别" in w for w in report.warnings), report.warnings
    return store


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    store = _build(tmp_path_factory.mktemp("national-full"))
    return store, store.load()


@pytest.fixture(scope="module")
def no_province(tmp_path_factory):
    store = _build(tmp_path_factory.mktemp("national-noprov"), with_province=False,
                   extra={"lingbi-county.txt": LINGBI})
    return store, store.load()


def _plan(g, prefix: str):
    return next(p for p in g.by_label("Plan") if p.get("loaded") is not False and p.title.startswith(prefix))


def _national(g):
    return next(p for p in g.by_label("Plan") if p.get("loaded") is not False and p.get("level") == "national")


def _plan_uppers(g, pid: str) -> set[str]:
    return {e.target for e in g.edges_of("上级规划") if e.source == pid and e.get("status") != "rejected"}


def _plan_closure(g, pid: str) -> list[str]:
    out, frontier = [], [pid]
    while frontier:
        nxt = []
        for p in frontier:
            for u in sorted(_plan_uppers(g, p)):
                if u not in out:
                    out.append(u)
                    nxt.append(u)
        frontier = nxt
    return out


def test_national_plan_is_recognised_from_its_real_front_matter(full):
    _, g = full
    nat = _national(g)
    assert nat.title == "“十四五”市场监管现代化规划"
    assert (nat.get("region"), nat.get("level")) == ("中国", "national")
    assert nat.get("issuer") == "国务院" and nat.get("doc_no") == "国发〔2021〕30号"
    assert nat.get("region_source") == "issuer"


def test_province_and_city_upper_plans_reach_the_loaded_national_plan(full):
    _, g = full
    nat, anhui, suzhou = _national(g), _plan(g, "安徽省"), _plan(g, "宿州市“十四五”")
    assert nat.id in _plan_uppers(g, anhui.id)
    e = g.edge("上级规划", anhui.id, nat.id)
    assert "国家有关规划" in e.get("evidence")  # Anhui's citation resolves to the loaded national plan
    chain = _plan_closure(g, suzhou.id)
    assert anhui.id in chain and nat.id in chain
    assert chain.index(anhui.id) < chain.index(nat.id)


def test_no_placeholder_remains_for_the_nation(full):
    _, g = full
    assert not [p.title for p in g.by_label("Plan") if p.get("loaded") is False and p.get("region") == "中国"]
    assert not _placeholders_of_present_plans(g)


def _placeholders_of_present_plans(g) -> list[str]:
    from graph_builder.link.plans import plan_kind

    present = {(p.get("region"), plan_kind(p.title)) for p in g.by_label("Plan") if p.get("loaded") is not False}
    return [p.title for p in g.by_label("Plan") if p.get("loaded") is False and (p.get("region"), p.get("kind")) in present]


def test_loading_the_province_later_replaces_its_placeholder(no_province, tmp_path):
    store, g = no_province
    assert [p for p in g.by_label("Plan") if p.get("loaded") is False and p.get("region") == "安徽省"]
    shutil.copytree(store.directory.parent, tmp_path / "c")  # the same corpus and stored graph
    plans = tmp_path / "c" / "plans"
    shutil.copy(SEEDS / "anhui-province.txt", plans / "anhui-province.txt")
    again = EmbeddedStore(tmp_path / "c" / "store")
    report = build([plans], again, overrides=load_manifest(tmp_path / "c" / "manifest.toml"),
                   decisions=tmp_path / "c" / "review.csv")
    assert not report.failed
    g2 = again.load()
    assert not _placeholders_of_present_plans(g2)
    anhui = _plan(g2, "安徽省“十四五”")
    assert anhui.id in _plan_uppers(g2, _plan(g2, "宿州市“十四五”").id)
    assert _national(g2).id in _plan_uppers(g2, anhui.id)


def test_trace_down_from_a_national_task_reaches_city_tasks_through_the_province(full):
    store, g = full
    nat, anhui, suzhou = _national(g), _plan(g, "安徽省"), _plan(g, "宿州市“十四五”")
    through = 0
    for task in (n for n in g.by_label("Task") if n.get("plan") == nat.id):
        rows = store.query("trace_down", id=task.id)
        prov = {r["id"] for r in rows if r["plan"] == anhui.id and r["depth"] == 1}
        for r in rows:
            if r["plan"] == suzhou.id and any(g.edge("上级规划", r["id"], a) is not None for a in prov):
                through += 1
    assert through >= 10, through  # Suzhou tasks reached along national → Anhui → Suzhou


def test_trace_down_goes_straight_to_city_tasks_when_the_province_is_absent(no_province):
    store, g = no_province
    nat, suzhou = _national(g), _plan(g, "宿州市“十四五”")
    (prov,) = [u for u in _plan_uppers(g, suzhou.id) if g.nodes[u].get("kind") == "special"]
    assert g.nodes[prov].get("loaded") is False and g.nodes[prov].get("region") == "安徽省"
    assert _plan_uppers(g, prov) == {nat.id}  # the province placeholder hangs under the loaded national plan
    city_rows = [r for t in g.by_label("Task") if t.get("plan") == nat.id
                 for r in store.query("trace_down", id=t.id) if r["plan"] == suzhou.id]
    assert len({r["id"] for r in city_rows}) >= 20
    assert {r["depth"] for r in city_rows} == {1}


def test_a_citation_of_the_national_title_resolves_to_the_loaded_national_plan(no_province):
    _, g = no_province
    nat, lingbi, suzhou = _national(g), _plan(g, "灵璧县"), _plan(g, "宿州市“十四五”")
    assert (lingbi.get("region"), lingbi.get("level")) == ("灵璧县", "county")
    ups = _plan_uppers(g, lingbi.id)
    assert suzhou.id in ups and nat.id in ups
    assert "cites" in g.edge("上级规划", lingbi.id, nat.id).get("method")


NOTICES = {
    # the real national notice: issuer before 关于印发, 国发 number, title naming no region
    "guofa.txt": (FRONT, "issuer"),
    # 全国“十四五”…规划: the title alone says it is national
    "quanguo.txt": ("全国“十四五”市场监管规划\n2021年12月1日\n", "title"),
    # issued by 国务院办公厅
    "guobanfa.txt": ("“十四五”市场监管现代化规划\n国务院办公厅\n2021年12月1日\n", "issuer"),
    # a national administration's notice with its 国市监 number
    "samr.txt": ("市场监管总局关于印发《“十四五”市场监管科技发展规划》的通知\n国市监科财发〔2022〕5号\n"
                 "各省、自治区、直辖市和新疆生产建设兵团市场监管局（厅、委）：\n2022年1月10日\n", "issuer"),
    # only the document number says it is national
    "docno.txt": ("“十四五”市场监管现代化规划\n国发〔2021〕30号\n2021年12月14日\n", "doc_no"),
}


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_national_front_matters_are_level_national(tmp_path, name):
    front, source = NOTICES[name]
    (tmp_path / name).write_text(front + TASK, "utf-8")
    (ex,), report = extract_all([tmp_path])
    assert (ex.plan.region, ex.plan.level) == ("中国", "national"), report.warnings
    assert ex.graph.nodes[ex.plan.id].get("region_source") == source


def test_a_province_plan_citing_the_national_notice_stays_a_province(tmp_path):
    (tmp_path / "p.txt").write_text(
        "安徽省“十四五”市场监管规划\n根据《国务院关于印发“十四五”市场监管现代化规划的通知》（国发〔2021〕30号），"
        "结合全省实际，编制本规划。\n" + TASK, "utf-8")
    (ex,), _ = extract_all([tmp_path])
    assert (ex.plan.region, ex.plan.level) == ("安徽省", "province")


def test_a_city_plan_titled_after_a_national_programme_stays_in_its_city(tmp_path):
    (tmp_path / "c.txt").write_text("国家食品安全示范城市创建规划\n宿州市市场监督管理局\n2022年1月1日\n" + TASK, "utf-8")
    (ex,), _ = extract_all([tmp_path])
    assert (ex.plan.region, ex.plan.level) == ("宿州市", "city")


def test_a_city_task_links_through_its_province_not_also_straight_to_the_nation(full):
    """With the province loaded, a city → nation link implied by city → province → nation is not kept."""
    _, g = full
    nat, suzhou = _national(g), _plan(g, "宿州市“十四五”")
    links = [e for e in g.edges_of("上级规划") if g.nodes[e.source].get("plan") not in (None,)]
    ups: dict[str, set[str]] = {}
    for e in links:
        ups.setdefault(e.source, set()).add(e.target)
    redundant = [
        (t, n) for t, targets in ups.items() if g.nodes[t].get("plan") == suzhou.id
        for n in targets if g.nodes[n].get("plan") == nat.id
        and any(n in ups.get(p, ()) for p in targets if p != n)
    ]
    assert not redundant
    via_province = [t for t, targets in ups.items() if g.nodes[t].get("plan") == suzhou.id
                    and any(g.nodes[p].get("plan") != nat.id and ups.get(p, set()) & {
                        x for x, n in g.nodes.items() if n.get("plan") == nat.id} for p in targets)]
    assert len(via_province) >= 10
