"""Plan identity over every place jionlp's division data knows: each same-named district, each
county-level city and each development zone resolves from a front matter naming its issuer and
citing its parent plan (the shape of real county plans), never to its city."""
from __future__ import annotations

import pytest

from graph_builder.extract.plan_region import identify
from graph_builder.regions import _tree, candidates


def _places(pred):
    return sorted(k for k, a in _tree().nodes(data=True) if pred(k, a))


SHARED = _places(lambda k, a: a["level"] == "county" and len(candidates(a["full"])) > 1)
COUNTY_CITIES = _places(lambda k, a: a["level"] == "county" and a["full"].endswith("市"))
ZONES = _places(lambda k, a: a["level"] == "county" and a["full"].endswith("开发区"))


def _front(key: str) -> tuple[str, list[str], list[str]]:
    info = candidates(_tree().nodes[key]["full"])
    (c,) = [x for x in info if x.name == key]
    parent = c.chain()[1]
    title = f"{c.full}“十四五”市场监管规划"
    issuer = f"{parent.full}{c.full}市场监督管理局" if parent.level != "national" else f"{c.full}市场监督管理局"
    cites = [f"{parent.full}“十四五”市场监管规划"]
    return title, [issuer], cites


def test_the_division_data_has_the_shared_names_of_the_issue():
    fulls = {_tree().nodes[k]["full"] for k in SHARED}
    assert {"鼓楼区", "朝阳区", "南山区", "桥西区", "城关区"} <= fulls
    assert len(SHARED) >= 60 and len(COUNTY_CITIES) >= 300 and len(ZONES) >= 50


@pytest.mark.parametrize("group", ["shared", "county_cities", "zones"])
def test_every_place_resolves_from_issuer_and_cited_parent(group):
    keys = {"shared": SHARED, "county_cities": COUNTY_CITIES, "zones": ZONES}[group]
    wrong = []
    for key in keys:
        title, issuers, cites = _front(key)
        f = identify(title, issuers, None, cites, [], [])
        if f.region is None or f.region.name != key or f.level != "county":
            wrong.append((key, f.region and f.region.name, f.level, [c.name for c in f.candidates]))
    assert not wrong, f"{len(wrong)}/{len(keys)} wrong: {wrong[:10]}"


@pytest.mark.parametrize("evidence", ["issuer", "cites", "doc_no", "body"])
def test_every_shared_name_resolves_from_each_kind_of_evidence_alone(evidence):
    wrong = []
    for key in SHARED:
        title, issuers, cites = _front(key)
        full = _tree().nodes[key]["full"]
        bare = [f"{full}市场监督管理局"]
        c = next(x for x in candidates(full) if x.name == key)
        parent = c.chain()[1]
        if evidence == "issuer":
            f = identify(title, issuers, None, [], [], [])
        elif evidence == "cites":
            f = identify(title, bare, None, cites, [], [])
        elif evidence == "doc_no":  # 南京市鼓楼区 → 南鼓市监发〔2022〕1号
            own = next(ch for ch in full if ch not in "市区县")
            f = identify(title, bare, f"{parent.full[0]}{own}市监发〔2022〕1号", [], [], [])
        else:  # the parent named twice in the body
            if len(parent.full) < 3:
                continue  # two-character names (香港) are not read from prose
            body = [f"{full}位于{parent.full}，是{parent.full}的重要组成部分。"]
            f = identify(title, bare, None, [], [], body)
        if f.region is None or f.region.name != key or f.source != evidence:
            wrong.append((key, f.region and f.region.name, f.source))
    assert not wrong, wrong[:10]


def test_a_shared_name_with_only_a_bare_issuer_stays_unresolved_with_all_candidates():
    for key in SHARED:
        full = _tree().nodes[key]["full"]
        f = identify(f"{full}“十四五”市场监管规划", [f"{full}市场监督管理局"], None, [], [], [])
        assert f.region is None and {c.name for c in f.candidates} == {c.name for c in candidates(full)}, key
