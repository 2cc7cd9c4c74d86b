"""Deadlines, citations and prose targets are read from the pipeline's doc.spans, so entities.toml decides them."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from graph_builder import nlp
from graph_builder.extract import annotate
from graph_builder.extract.indicators import prose_targets

TEXT = "本届任期内完成「营商环境条例」修订，建成示范站30间。"


@pytest.fixture
def extra_patterns(monkeypatch):
    """entities.toml as shipped plus a new deadline phrase, a 「」 citation form and the unit 间."""
    real = nlp.pattern_file

    def patched(name):
        data = real(name)
        if name != "entities.toml":
            return data
        pats = dict(data["patterns"])
        pats["DEADLINE"] += "|本届任期内"
        pats["CITATION"] += "|「[^「」]{2,30}」"
        pats["TARGET"] = pats["TARGET"].replace("|位))", "|位|间))")
        return {**data, "patterns": pats}

    monkeypatch.setattr(nlp, "pattern_file", patched)
    nlp.reset()
    yield
    monkeypatch.undo()
    nlp.reset()


def _annotated(text):
    rec = SimpleNamespace(text=text, deadline=None, cites=[])
    annotate(rec, nlp.docs([text])[0])
    return rec


def _targets(text):
    return [i.target for i in prose_targets(text, plan_id="p", plan_key="k", line=1, task_id="t")]


def test_shipped_patterns_do_not_know_the_new_forms():
    nlp.reset()
    rec = _annotated(TEXT)
    assert rec.deadline is None and rec.cites == []
    assert _targets(TEXT) == []


def test_deadline_citation_and_target_patterns_added_to_the_data_file_are_honoured(extra_patterns):
    rec = _annotated(TEXT)
    assert rec.deadline == "本届任期内"
    assert rec.cites == ["「营商环境条例」"]
    assert _targets(TEXT) == ["30间"]


def test_year_deadline_wins_and_citations_are_deduplicated():
    rec = _annotated("到2025年底前完成《质量条例》修订，2027年前落实《质量条例》")
    assert rec.deadline == "到2025年底" and rec.cites == ["质量条例"]


def test_annotate_reads_the_docs_spans_not_the_text():
    doc = nlp.get_nlp()("长期坚持落实《质量条例》")
    assert [sp.label_ for sp in doc.spans["DEADLINE"]] == ["DEADLINE"]
    doc.spans["DEADLINE"] = []  # a span group emptied after parsing: the deadline goes with it
    rec = SimpleNamespace(text=doc.text, deadline=None, cites=[])
    annotate(rec, doc)
    assert rec.deadline is None and rec.cites == ["质量条例"]


def test_more_texts_than_the_parsed_cache_holds_still_get_one_doc_each(monkeypatch):
    """The bounded cache of parsed docs never loses a doc the current call returns (a 30k-item plan)."""
    from graph_builder import nlp

    nlp.forget_parsed()
    monkeypatch.setattr(nlp, "_RECENT_MAX", 3)
    first = nlp.docs(["到2025年完成。", "由市场监管局牵头。"])
    texts = ["由市场监管局牵头。", *(f"第{i}项任务于2024年底前完成。" for i in range(5))]
    out = nlp.docs(texts)
    assert [d.text for d in out] == texts
    assert out[0] is first[1]  # parsed once, shared with the earlier stage
    nlp.forget_parsed()
