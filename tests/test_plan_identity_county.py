"""County test: county and district plans with names shared by several places resolve to the right
region from the issuer, document number, cited parent plan or body; a truly ambiguous one warns with
its candidates and the manifest fixes it; county-level cities are counties; zones sit under their city."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph_builder.errors import ConfigError
from graph_builder.pipeline import build, load_manifest
from graph_builder.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent

TASKS = """一、主要任务
(一)深化商事制度改革
推进“证照分离”改革全覆盖，建立健全涉企经营许可事项清单管理制度，优化企业开办服务。
(二)加强食品安全监管
落实食品安全属地管理责任，开展食品安全抽检监测，守住不发生系统性风险的底线。
"""


def doc(title: str, issuer: str, preamble: str, doc_no: str = "") -> str:
    return "\n".join(x for x in (title, issuer, doc_no, "2022年3月1日", preamble) if x) + "\n" + TASKS


# file → (text, expected region, expected parent, expected region_source)
CASES = {
    # the issuer line qualifies the name
    "gulou-nj.txt": (doc("鼓楼区“十四五”市场监管规划", "南京市鼓楼区市场监督管理局", "结合全区实际，编制本规划。"),
                     "南京市鼓楼区", "南京市", "issuer"),
    "gulou-fz.txt": (doc("鼓楼区市场监管“十四五”规划", "福州市鼓楼区市场监督管理局", "结合全区实际，编制本规划。"),
                     "福州市鼓楼区", "福州市", "issuer"),
    # the document-number prefix: 京 (Beijing's 简称) + 朝
    "chaoyang.txt": (doc("朝阳区“十四五”市场监管规划", "朝阳区市场监督管理局", "结合全区实际，编制本规划。",
                         "京朝市监发〔2021〕12号"), "北京市朝阳区", "北京市", "doc_no"),
    # the cited parent plan
    "nanshan.txt": (doc("南山区“十四五”市场监管规划", "南山区市场监督管理局",
                        "根据《鹤岗市“十四五”市场监管规划》，结合全区实际，编制本规划。"), "鹤岗市南山区", "鹤岗市", "cites"),
    # region words in the body
    "chengguan.txt": (doc("城关区市场监管“十四五”规划", "城关区市场监督管理局",
                          "城关区是兰州市的中心城区，全区市场主体约占兰州市的三成。"), "兰州市城关区", "兰州市", "body"),
    # a qualified name in the title
    "qiaoxi-sjz.txt": (doc("石家庄市桥西区“十四五”市场监管规划", "桥西区市场监督管理局", "结合全区实际，编制本规划。"),
                       "石家庄市桥西区", "石家庄市", "title"),
    # county-level cities are level county
    "anda.txt": (doc("安达市市场监管“十四五”规划", "安达市市场监督管理局", "结合全市实际，编制本规划。"),
                 "安达市", "绥化市", "title"),
    "mangshi.txt": (doc("芒市“十四五”市场监管规划", "德宏傣族景颇族自治州芒市市场监督管理局", "结合全市实际，编制本规划。"),
                    "芒市", "德宏傣族景颇族自治州", "title"),
    # development zones sit under their city: one in jionlp's data, one named by the city's short name
    "suzhou-jkq.txt": (doc("宿州经济技术开发区“十四五”市场监管规划", "宿州经济技术开发区市场监督管理局",
                           "结合全区实际，编制本规划。"), "宿州经济技术开发区", "宿州市", "title"),
    "hefei-gxq.txt": (doc("合肥高新区“十四五”市场监管规划", "合肥高新区管委会", "结合全区实际，编制本规划。"),
                      "合肥市高新区", "合肥市", "title"),
}

AMBIGUOUS = doc("桥西区“十四五”市场监管规划", "桥西区市场监督管理局", "结合全区实际，编制本规划。")


def _corpus(root: Path) -> Path:
    d = root / "plans"
    d.mkdir(parents=True)
    for name, (text, *_) in CASES.items():
        (d / name).write_text(text, "utf-8")
    (d / "qiaoxi.txt").write_text(AMBIGUOUS, "utf-8")
    shutil.copy(ROOT / "data" / "plans" / "suzhou-city.txt", d / "suzhou-city.txt")
    return d


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("county")
    plans = _corpus(root)
    store = EmbeddedStore(root / "store")
    report = build([plans], store, overrides={}, decisions=root / "review.csv")
    assert not report.failed, report.failed
    return root, plans, report, store.load()


def _plan(g, source: str):
    return next(p for p in g.by_label("Plan") if p.get("source") == source)


@pytest.mark.parametrize("name", sorted(CASES))
def test_county_plan_resolves_to_the_right_region(built, name):
    _, _, _, g = built
    _, region, parent, source = CASES[name]
    p = _plan(g, name)
    assert (p.get("region"), p.get("level"), p.get("region_source")) == (region, "county", source)
    (r,) = [n for n in g.by_label("Region") if n.get("name") == region]
    (up,) = [g.nodes[e.target].get("name") for e in g.edges_of("WITHIN") if e.source == r.id]
    assert up == parent


def test_same_named_districts_are_different_regions(built):
    _, _, _, g = built
    names = {n.get("name") for n in g.by_label("Region")}
    assert {"南京市鼓楼区", "福州市鼓楼区"} <= names and "鼓楼区" not in names


def test_a_zone_plan_sits_under_its_city_plan(built):
    _, _, _, g = built
    zone, city = _plan(g, "suzhou-jkq.txt"), _plan(g, "suzhou-city.txt")
    assert g.edge("上级规划", zone.id, city.id) is not None


def test_a_truly_ambiguous_name_warns_with_candidates_and_no_region(built):
    _, _, report, g = built
    p = _plan(g, "qiaoxi.txt")
    assert p.get("region") is None and p.get("level") == "county"
    (w,) = [w for w in report.warnings if w.startswith("qiaoxi.txt")]
    assert "石家庄市桥西区" in w and "张家口市桥西区" in w and "manifest.toml" in w and "region" in w
    assert not _plan_uppers(g, p.id)  # no guessed upper plan


def _plan_uppers(g, pid):
    return {e.target for e in g.edges_of("上级规划") if e.source == pid}


def test_the_manifest_sets_region_and_level_and_is_recorded(built, tmp_path):
    root, plans, _, _ = built
    manifest = tmp_path / "manifest.toml"
    manifest.write_text('["qiaoxi.txt"]\nregion = "张家口市桥西区"\n\n["anda.txt"]\nlevel = "city"\n', "utf-8")
    store = EmbeddedStore(tmp_path / "store")
    report = build([plans], store, overrides=load_manifest(manifest), decisions=tmp_path / "review.csv")
    g = store.load()
    p = _plan(g, "qiaoxi.txt")
    assert (p.get("region"), p.get("level"), p.get("region_source")) == ("张家口市桥西区", "county", "manifest")
    assert not [w for w in report.warnings if w.startswith("qiaoxi.txt")]
    anda = _plan(g, "anda.txt")
    assert (anda.get("level"), anda.get("level_source"), anda.get("region")) == ("city", "manifest", "安达市")


def test_an_ambiguous_manifest_region_is_a_clear_error(tmp_path):
    manifest = tmp_path / "manifest.toml"
    manifest.write_text('# overrides\n["qiaoxi.txt"]\nregion = "桥西区"\n', "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_manifest(manifest)
    msg = str(exc.value)
    assert f"{manifest}:3:" in msg and "石家庄市桥西区" in msg and "张家口市桥西区" in msg
