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


def test_clause_index_is_the_same_built_in_chunks_and_recomputes_its_clause_texts(seed_graph):
    """Hashing a national corpus's clauses chunk by chunk must not change the matrix, and the clause
    texts (not stored) come back exactly as the rows were built from them."""
    from graph_builder.link.abbrev import expand, pattern_terms
    from graph_builder.link.index import ClauseIndex
    from graph_builder.link.tasks import ItemClauses, build_clause_index
    from graph_builder.link.text import norm

    view = GraphView.build(seed_graph)
    tcfg = load_config(None).tasks
    whole = build_clause_index(view, tcfg)
    display_of = ItemClauses(view, tcfg)
    per_item = [[(d, expand(norm(d), pattern_terms())) for d in display_of(i)] for i in range(len(view.items))]
    a = ClauseIndex.build(iter(per_item), display_of, chunk=7)
    b = ClauseIndex.build(iter(per_item), display_of, chunk=10 ** 6)
    assert a.w.nnz > 0 and (a.w != b.w).nnz == 0
    assert (a.start == b.start).all() and (a.weight == b.weight).all() and (a.length == b.length).all()
    assert a.start[-1] == sum(len(cl) for cl in per_item) == whole.start[-1]
    i = max(range(len(per_item)), key=lambda k: len(per_item[k]))
    assert len(whole.rows(i)) == len(per_item[i]) > 2
    assert whole.display_of(i) == [d for d, _ in per_item[i]]
    assert (whole.binary(whole.rows(i)).data == 1).all()


def test_keep_columns_equals_the_diagonal_product():
    import numpy as np
    from scipy import sparse

    from graph_builder.link.overlaps import _keep_columns

    m = sparse.random(40, 30, density=0.3, format="csr", random_state=1, dtype=np.float32)
    ok = np.random.default_rng(2).random(30) < 0.5
    want = (m @ sparse.diags(ok.astype(np.float32))).tocsr()
    want.eliminate_zeros()
    got = _keep_columns(m, ok)
    assert got.nnz == want.nnz < m.nnz and abs(got - want).sum() == 0


def test_corpus_index_is_the_same_hashed_in_ranges_and_in_workers(seed_graph, monkeypatch):
    """A national link run hashes the item texts in row ranges over forked workers; the vectors, weights and
    shingle columns must be those of one pass over the whole corpus."""
    texts, _ = _texts(seed_graph)
    cfg = load_config(None).text
    whole = CorpusIndex.build(texts, cfg)
    monkeypatch.setattr("graph_builder.link.index._ROWS", 97)
    for workers in (1, 2):
        part = CorpusIndex.build(texts, cfg, workers=workers)
        for name in ("lex_bin", "lex_w", "content"):
            a, b = getattr(whole, name), getattr(part, name)
            assert a.shape == b.shape and (a != b).nnz == 0, name
        assert (whole.lex_mass == part.lex_mass).all() and (whole.content_idf == part.content_idf).all()
    assert len(texts) > 2 * 97
