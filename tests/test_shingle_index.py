"""Integer-hashed shingles give the same copy candidates and copied passages as the string sets of
CorpusIndex, on the seed plans' real task texts, in a fraction of the memory."""
from __future__ import annotations

import sys

from graph_builder.link.config import load_config
from graph_builder.link.index import CorpusIndex
from graph_builder.link.shingle_index import ShingleIndex, shingle_hashes
from graph_builder.link.view import GraphView


def _texts(seed_graph):
    view = GraphView.build(seed_graph)
    return [it.text for it in view.items], view


def test_hashed_candidates_and_passages_equal_the_string_version(seed_graph):
    texts, view = _texts(seed_graph)
    cfg = load_config(None).text
    ref = CorpusIndex.build(texts, cfg)
    idx = ShingleIndex.build(texts, cfg.shingle, ref.boilerplate_cap)
    assert idx.df.sum() == sum(len(s) for s in ref.shingle_sets)
    plans = sorted(view.items_by_plan, key=lambda p: -len(view.items_by_plan[p]))
    lower, upper = view.items_by_plan[plans[-1]], view.items_by_plan[plans[0]]
    post = ref.chain_postings(upper)
    rare = idx.rare()
    compared = 0
    for i in lower:
        want = ref.copy_candidates(i, post)
        assert idx.copy_candidates(i, upper, rare) == dict(want)
        for j in list(want)[:3]:
            a = [(p.start, p.end) for p in ref.passages(i, j, cfg.min_passage)]
            b = [(p.start, p.end) for p in idx.passages(i, j, cfg.min_passage)]
            assert a == b
            compared += 1
    assert compared > 0


def test_hashed_index_takes_far_less_memory_than_string_sets(seed_graph):
    texts, _ = _texts(seed_graph)
    cfg = load_config(None).text
    ref = CorpusIndex.build(texts, cfg)
    strings = sum(sys.getsizeof(s) + sum(sys.getsizeof(g) for g in s) for s in ref.shingle_sets)
    idx = ShingleIndex.build(texts, cfg.shingle, ref.boilerplate_cap)
    assert idx.nbytes() * 5 < strings


def test_distinct_windows_hash_apart_and_equal_windows_alike():
    h = shingle_hashes("加强食品安全监管加强食品", 4)
    assert h[0] == h[8] and len(set(h.tolist())) == len(h) - 1
