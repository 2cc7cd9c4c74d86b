"""Differential tests: every query of the library gives the same rows on Neo4j as on the embedded store.

Same ids, same values, same order (every query defines its order). Run on the seed graph built from
data/plans and on the synthetic three-level graph. This is the proof that both backends mean the same.
"""
from __future__ import annotations

import pytest

from graph_builder.queries import SPECS
from graph_builder.store import EmbeddedStore
from graph_builder.models import ORPHAN_KINDS, OVERLAP_KINDS
from tests.neo4j_fixtures import neo4j_store, same_graph, synthetic_graph  # noqa: F401

pytestmark = pytest.mark.neo4j


def cases(g) -> list[tuple[str, dict]]:
    """Parameters for every query, drawn from the graph so each branch of each query is exercised.

    Generated from the spec: every enum-valued parameter (orphans.kind, overlaps.kind) is tried with each
    value the spec allows, every optional one also at its default; id/plan/text values come from the graph.
    """
    links = list(g.edges_of("上级规划"))
    uppers = sorted({e.target for e in links})
    lowers = sorted({e.source for e in links})
    plans = sorted(n.id for n in g.by_label("Plan"))
    titles = sorted(n.title for n in g.nodes.values() if n.label in ("Task", "Project") and n.title)
    out: list[tuple[str, dict]] = []
    out += [("trace_down", {"id": i}) for i in uppers] + [("trace_down", {"id": uppers[0], "max_depth": 1})]
    out += [("trace_up", {"id": i}) for i in lowers] + [("trace_up", {"id": lowers[-1], "max_depth": 0})]
    out += [("trace_down", {"id": p}) for p in plans] + [("trace_up", {"id": p}) for p in plans]
    out += [("orphans", {"kind": k}) for k in ORPHAN_KINDS]
    out += [("overlaps", {})] + [("overlaps", {"kind": k}) for k in OVERLAP_KINDS]
    out += [("overlaps", {"min_score": 0.5}), ("overlaps", {"kind": OVERLAP_KINDS[0], "min_score": 0.3})]
    out += [("responsibility", {})] + [("responsibility", {"plan": p}) for p in plans]
    out += [("coverage", {})] + [("coverage", {"lower": p}) for p in plans]
    out += [("indicator_flags", {})]
    words = ["市场", "监管", "食品安全", "知识产权", "标准化", "质量", "信用", "价格", "a", "5G", "%", "年",
             "“", "（", "2025", "食", "不存在的词语组合"]
    words += [t[:4] for t in titles[::25]] + [t[2:9] for t in titles[::40]]
    out += [("search", {"text": w}) for w in words] + [("search", {"text": "市场", "limit": 500}),
                                                       ("search", {"text": "监管", "limit": 0})]
    return out


def check_all(neo, emb, g) -> int:
    todo = cases(g)
    assert {name for name, _ in todo} == set(SPECS), "every query of the spec table is compared"
    for spec in SPECS.values():  # each parameter of each spec is exercised explicitly at least once
        used = {k for n, p in todo if n == spec.name for k in p}
        assert used == {p.name for p in spec.params}, spec.name
    nonempty = 0
    for name, params in todo:
        want = emb.query(name, **params)
        got = neo.query(name, **params)
        assert got == want, f"{name}({params}) differs: neo4j {len(got)} rows, embedded {len(want)} rows"
        assert all(tuple(r) == SPECS[name].columns for r in want), f"{name}: row keys differ from the spec"
        assert want == sorted(want, key=SPECS[name].order), f"{name}: not in spec order"
        nonempty += bool(want)
    return nonempty


def test_seed_graph_same_rows(neo4j_store, seed_store):  # noqa: F811
    g = seed_store.load()
    neo4j_store.replace_all(g)
    same_graph(g, neo4j_store.load())
    nonempty = check_all(neo4j_store, seed_store, g)
    assert nonempty > 40  # the comparison is not vacuous
    for name in SPECS:
        assert any(neo4j_store.query(n, **p) for n, p in cases(g) if n == name) or name == "indicator_flags"


def test_synthetic_graph_same_rows(neo4j_store, tmp_path):  # noqa: F811
    g = synthetic_graph()
    emb = EmbeddedStore(tmp_path / "store")
    emb.replace_all(g)
    neo4j_store.replace_all(g)
    assert check_all(neo4j_store, emb, g) > 30
