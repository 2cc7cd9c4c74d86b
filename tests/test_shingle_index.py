"""Integer-hashed shingles give the same copy candidates and copied passages as the string sets of
CorpusIndex, on the seed plans' real task texts, in a fraction of the memory."""
from __future__ import annotations

import sys
from collections import Counter

from graph_builder.link.config import load_config
from graph_builder.link.index import CorpusIndex
from graph_builder.link.shingle_index import ShingleIndex, shingle_hashes
from graph_builder.link.text import covered_runs, shingles
from graph_builder.link.view import GraphView


def _string_reference(texts, k, cap, upper):
    """Copy candidates the plain way: Python sets of k-character strings, exact document frequencies."""
    sets = [set(shingles(t, k)) for t in texts]
    df = Counter(g for s in sets for g in s)
    post = {}
    for j in upper:
        for g in sets[j]:
            if df[g] <= cap:
                post.setdefault(g, []).append(j)

    def candidates(i):
        hits = Counter(j for g in sets[i] for j in post.get(g, ()) if j != i)
        return dict(hits)
    return sets, df, candidates


def _texts(seed_graph):
    view = GraphView.build(seed_graph)
    return [it.text for it in view.items], view


def test_hashed_candidates_and_passages_equal_the_string_version(seed_graph):
    texts, view = _texts(seed_graph)
    cfg = load_config(None).text
    corpus = CorpusIndex.build(texts, cfg)
    cap = corpus.boilerplate_cap
    idx = ShingleIndex.build(texts, cfg.shingle, cap)
    plans = sorted(view.items_by_plan, key=lambda p: -len(view.items_by_plan[p]))
    lower, upper = view.items_by_plan[plans[-1]], view.items_by_plan[plans[0]]
    sets, df, ref_candidates = _string_reference(texts, cfg.shingle, cap, upper)
    assert idx.df.sum() == sum(len(s) for s in sets)
    rare = idx.rare()
    post = corpus.chain_postings(upper)  # what the task linker uses: one product per lower plan
    block = corpus.copy_block(lower, post).toarray()
    compared = 0
    for r, i in enumerate(lower):
        want = ref_candidates(i)
        assert idx.copy_candidates(i, upper, rare) == want
        assert corpus.copy_candidates(i, post) == want
        assert {upper[c]: int(v) for c, v in enumerate(block[r]) if v and upper[c] != i} == want
        for j in list(want)[:3]:
            a = [(p.start, p.end) for p in covered_runs(texts[i], sets[j], cfg.shingle, cfg.min_passage)]
            b = [(p.start, p.end) for p in idx.passages(i, j, cfg.min_passage)]
            assert a == b
            assert [(p.start, p.end) for p in corpus.passages(i, j)] == sorted(a, key=lambda p: p[0] - p[1])
            compared += 1
    assert compared > 0


def test_hashed_index_takes_far_less_memory_than_string_sets(seed_graph):
    texts, _ = _texts(seed_graph)
    cfg = load_config(None).text
    sets = [set(shingles(t, cfg.shingle)) for t in texts]
    strings = sum(sys.getsizeof(s) + sum(sys.getsizeof(g) for g in s) for s in sets)
    idx = ShingleIndex.build(texts, cfg.shingle, 6)
    assert idx.nbytes() * 5 < strings


def test_distinct_windows_hash_apart_and_equal_windows_alike():
    h = shingle_hashes("加强食品安全监管加强食品", 4)
    assert h[0] == h[8] and len(set(h.tolist())) == len(h) - 1
