"""Plan metadata is read from the spaCy pipeline's front-matter spans (entities.toml [front]), not from
patterns of plan_meta's own; paragraphs carry their match form, normalised once."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph_builder import nlp
from graph_builder.extract.plan_meta import PlanMeta, read_meta
from graph_builder.ingest import read_document
from graph_builder.normalize import paragraphs, to_match
from graph_builder.outline import build_outline
from graph_builder.pattern_files import FRONT_LABELS, pattern_file
from tests.national_corpus import FRONT

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "plans"
TASK = "一、主要任务\n(一)深化商事制度改革\n推进“证照分离”改革全覆盖，建立健全涉企经营许可事项清单管理制度。\n"


def _meta(path: Path) -> PlanMeta:
    paras = paragraphs(read_document(path))
    root = build_outline(paras)
    first_body = next((c.body for c in root.children if c.kind == "heading"), [])
    return read_meta(root.body, first_body, body=paras[:300])


@pytest.fixture
def national(tmp_path) -> Path:
    path = tmp_path / "guofa.txt"
    path.write_text(FRONT + TASK, "utf-8")
    return path


def test_national_notice_front_matter(national):
    m = _meta(national)
    assert (m.title, m.issuer, m.doc_no, m.date) == ("“十四五”市场监管现代化规划", "国务院", "国发〔2021〕30号", "2021-12-14")
    assert (m.region.name, m.level, m.region_source) == ("中国", "national", "issuer")
    assert "中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要" in m.cites


def test_seed_notice_with_number_date_and_issuer_line():
    m = _meta(SEEDS / "suzhou-city.txt")
    assert (m.title, m.issuer, m.issuer_inferred) == ("宿州市“十四五”市场监管现代化规划", "宿州市市场监督管理局", False)
    assert (m.doc_no, m.date, m.region.name) == ("宿市监发〔2022〕40号", "2022-05-30", "宿州市")
    assert m.cites == ['安徽省"十四五"市场监管规划', "宿州市国民经济和社会发展第十四个五年规划和二○三五年远景目标纲要"]


def test_seed_in_traditional_script_keeps_the_printed_issuer_and_title():
    m = _meta(SEEDS / "zhejiang-province.txt")
    assert (m.title, m.issuer, m.date, m.doc_no) == ("浙江省市場監管“十四五”規劃", "浙江省人民政府辦公廳", "2021-05-28", None)


def test_seed_title_line_drops_its_bracketed_prefix_and_upper_plan_phrase_is_cited():
    assert _meta(SEEDS / "jingmen-city.txt").title == "荆门市市场监管“十四五”规划"
    assert _meta(SEEDS / "anhui-province.txt").cites[-1] == "国家有关规划"


def test_an_upper_plan_named_without_title_marks_is_cited(tmp_path):
    path = tmp_path / "county.txt"
    path.write_text("灵璧县“十四五”市场监管规划\n根据国家“十四五”市场监管规划和国家有关规划，编制本规划。\n" + TASK, "utf-8")
    assert _meta(path).cites == ['国家"十四五"市场监管规划', "国家有关规划"]


@pytest.fixture
def front_patterns(monkeypatch):
    """entities.toml as shipped, with [front] changed by the test (the code is untouched)."""
    real = nlp.pattern_file
    changes: dict[str, list[str]] = {}

    def patched(name):
        data = real(name)
        return {**data, "front": {**data["front"], **changes}} if name == "entities.toml" else data

    monkeypatch.setattr(nlp, "pattern_file", patched)
    nlp.reset()
    yield changes
    monkeypatch.undo()
    nlp.reset()


def test_the_data_file_decides_document_number_and_date(front_patterns, national):
    front_patterns["DOC_NO"] = []
    front_patterns["DATE"] = [r"^(?P<year>\d{4})\.(?P<month>\d{1,2})\.(?P<day>\d{1,2})$"]
    national.write_text(FRONT.replace("2021年12月14日", "2021.12.14") + TASK, "utf-8")
    m = _meta(national)
    assert (m.doc_no, m.date) == (None, "2021-12-14")


def test_front_spans_are_marked_on_front_matter_docs_only_and_are_not_entities():
    nlp.forget_parsed()
    text = "皖政〔2021〕43号"
    assert not set(FRONT_LABELS) & set(nlp.docs([text])[0].spans)  # a task text does not pay for them
    doc = nlp.docs([text], front=True)[0]
    assert set(FRONT_LABELS) | {"ZONE"} == set(nlp.FRONT_GROUPS) <= set(doc.spans)
    assert [doc.text[slice(*s._.exact)] for s in doc.spans["DOC_NO"]] == [text]
    assert not doc.ents
    assert "plan_front" in nlp.get_nlp().disabled


def test_plan_meta_runs_no_patterns_of_its_own():
    source = (ROOT / "graph_builder" / "extract" / "plan_meta.py").read_text("utf-8")
    assert not re.search(r"^import re$|re\.(compile|search|match|sub|findall|fullmatch)\(", source, re.M)
    assert set(pattern_file("plan_meta.toml")) == {"defaults"}
    assert "notice" not in pattern_file("plan_identity.toml")


@pytest.mark.parametrize("name", sorted(p.name for p in SEEDS.iterdir()))
def test_a_paragraph_carries_its_match_form(name):
    paras = paragraphs(read_document(SEEDS / name))
    assert [p.text for p in paras] == [to_match(p.display) for p in paras]


def test_a_joined_paragraph_carries_the_match_form_of_its_joined_text(tmp_path):
    path = tmp_path / "split.txt"
    path.write_text("為進一步提升全省市場監管治理現代化水平，充分激發市場活力和創造力，推進市場監管工作高質\n"
                    "量發展，編制本規劃。\n", "utf-8")
    (para,) = paragraphs(read_document(path))
    assert para.lines == [1, 2] and para.text == to_match(para.display)
    assert para.text.endswith("推进市场监管工作高质量发展,编制本规划。")
