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


def test_corpus_vocabulary_answers_like_the_plain_vocabulary_of_the_other_plans():
    """The packed-array corpus statistics give the same repairs as sets built from the other plans' texts."""
    import random

    from graph_builder.normalize import to_match
    from graph_builder.repair import CorpusVocabulary, _texts
    from graph_builder.store.embedded import owner_plan

    ex, _ = extract_all([SEEDS])
    texts = {e.plan.id: [to_match(t) for n in e.graph.nodes.values()
                         if owner_plan(n) == e.plan.id or n.id == e.plan.id for t in _texts(n)] for e in ex}
    corpus = CorpusVocabulary(texts)
    rnd = random.Random(7)
    checked = repaired = 0
    for pid, own in texts.items():
        plain = Vocabulary([t for p, ts in texts.items() if p != pid for t in ts], own)
        packed = corpus.for_plan(pid)
        titles = [t for t in own if 6 <= len(t) <= 40][:60]
        for t in titles:
            k = rnd.randrange(1, len(t) - 1)
            damaged = t[:k] + rnd.choice("构由企各人") + t[k + 1:]
            for s in (t, damaged):
                assert [s[i:i + 2] in packed.bi for i in range(len(s) - 1)] == [s[i:i + 2] in plain.bi for i in range(len(s) - 1)]
                want = repair_text(s, plain)
                assert repair_text(s, packed) == want, s
                checked += 1
                repaired += want is not None
    assert checked > 300 and repaired > 0
