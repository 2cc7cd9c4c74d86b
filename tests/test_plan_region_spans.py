"""plan_region takes its entities from spaCy spans: division names from REGION spans, a national issuer
from its ISSUER span, a document number's issuing part from its DOC_NO span — and parses the body only
when a shared division name still needs it."""
from __future__ import annotations

from pathlib import Path

import pytest

from graph_builder import nlp
from graph_builder.extract.plan_region import identify, mentions, national_evidence
from graph_builder.nlp import docs
from graph_builder.normalize import to_match
from graph_builder.regions import find_mentions

ROOT = Path(__file__).resolve().parents[1]


def _seed_lines() -> list[str]:
    lines = []
    for f in sorted((ROOT / "data" / "plans").glob("*.txt")):
        lines += [t for t in (to_match(ln) for ln in f.read_text("utf-8").splitlines()) if t]
    return lines


@pytest.mark.parametrize("min_len", [2, 3])
def test_region_spans_read_as_the_division_dictionary_scan(min_len):
    texts = _seed_lines() + ["临沂市河东区市场监督管理局", "四平市铁西区“十四五”规划", "宁波市江北区城区郊区", "香港东区"]
    assert len(texts) > 500
    got = [mentions(d, min_len) for d in docs(texts)]
    want = [find_mentions(t, min_len) for t in texts]
    assert got == want
    assert sum(map(len, got)) > 100  # the seeds do name places


def test_a_title_names_its_region_only_through_its_region_spans():
    title = "临沂市河东区“十四五”市场监管规划"
    found = identify(title, [], None, [], [], [])
    assert found.region.name == "临沂市河东区" and found.source == "title"
    (doc,) = docs([title])
    doc.spans["REGION"] = [sp for sp in doc.spans["REGION"] if sp.kb_id_ != "临沂市"]
    found = identify(doc, [], None, [], [], [])  # 河东区 alone: 临沂市 or 天津市
    assert found.region is None and {c.name for c in found.candidates} == {"临沂市河东区", "天津市河东区"}
    doc.spans["REGION"] = []
    assert identify(doc, [], None, [], [], []).name is None


def test_a_national_issuer_is_its_national_issuer_span():
    (doc,) = docs(["国家市场监督管理总局"], front=True)
    assert national_evidence(None, [doc], None) == "issuer"
    doc.spans["ISSUER"] = [sp for sp in doc.spans["ISSUER"] if sp._.pattern != nlp.national_issuer_pattern()]
    assert national_evidence(None, [doc], None) is None


def test_the_doc_number_prefix_comes_from_the_doc_no_span():
    (doc,) = docs(["国市监发〔2021〕12号"], front=True)
    (number,) = doc.spans["DOC_NO"]
    assert number._.parts["prefix"] == "国市监发"
    assert national_evidence(None, [], number) == "doc_no"
    number._.parts = {**number._.parts, "prefix": "皖市监发"}
    assert national_evidence(None, [], number) is None


def test_the_body_is_parsed_only_when_a_shared_name_needs_it():
    body = [f"鼓楼区位于南京市，是南京市的重要组成部分（第{i}段）。" for i in range(3)]
    nlp.forget_parsed()
    found = identify("宿州市“十四五”市场监管规划", ["宿州市市场监督管理局"], None, [], [], body)
    assert found.region.name == "宿州市" and not any(t in nlp._RECENT for t in body)
    found = identify("鼓楼区“十四五”市场监管规划", ["鼓楼区市场监督管理局"], None, [], [], body)
    assert found.region.name == "南京市鼓楼区" and found.source == "body"
    assert all(t in nlp._RECENT for t in body)


def test_a_manifest_doc_number_in_another_form_still_gives_its_prefix():
    title, issuers = "鼓楼区“十四五”市场监管规划", ["鼓楼区市场监督管理局"]
    for number in ("南鼓市监发〔2022〕1号", "南鼓市监发[2022]1号"):
        found = identify(title, issuers, number, [], [], [])
        assert found.region.name == "南京市鼓楼区" and found.source == "doc_no", number


def test_a_development_zone_is_a_zone_span_only_where_a_division_name_ends():
    from graph_builder import nlp

    nlp.forget_parsed()
    zoned, plain, after = nlp.docs(["合肥高新区市场监管“十四五”规划", "市场监管局关于加强监管工作的通知",
                                    "关于印发《规划》的通知 南京市江北新区管理委员会办公室"], front=True)
    assert [nlp.region_name(s) for s in zoned.spans["ZONE"]] == [(0, "合肥高新区")]
    assert list(plain.spans["ZONE"]) == []
    # not at the line start (more than 14 characters before it): found where the division name 南京市 ends
    assert [nlp.region_name(s) for s in after.spans["ZONE"]] == [(after.text.index("江北新区"), "江北新区")]
