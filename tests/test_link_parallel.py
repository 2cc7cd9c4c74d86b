"""Task linking spread over worker processes (one upper chain per task) gives the same links as in-process."""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import orjson
import pytest

from graph_builder.extract_files import extract_all
from graph_builder.limits import Limits
from graph_builder.link import link_graph
from graph_builder.models import Graph

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def chain_graph(tmp_path_factory) -> Graph:
    """National + one province + one city + its counties from the synthetic national corpus (three chains)."""
    spec = importlib.util.spec_from_file_location("make_national_corpus", ROOT / "benchmarks" / "make_national_corpus.py")
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    out = tmp_path_factory.mktemp("national")
    assert gen.main(["--fraction", "16", "--out", str(out)]) == 0
    tree = out / "1-16"
    pick = tmp_path_factory.mktemp("chain")
    shutil.copy(next(tree.glob("000000-*.txt")), pick)
    province = tree / "安徽省"
    files = sorted(province.glob("*.txt"))
    city = next(f for f in files if f.stem.count("-") == 1 and not f.stem.split("-")[0].endswith("0000"))
    for f in files:
        if f.stem.endswith(province.name) or f == city or f.stem.startswith(city.stem.split("-")[0][:4]):
            shutil.copy(f, pick)
    exs, report = extract_all([pick], workers=1)
    assert not report.failed and len(exs) >= 5
    g = Graph()
    for ex in exs:
        g.merge(ex.graph)
    return g


def _linked(graph: Graph, workers: int, monkeypatch) -> tuple[bytes, int]:
    monkeypatch.setenv("PLANGRAPH_WORKERS", str(workers))
    g = graph.copy()
    summary = link_graph(g)
    return orjson.dumps(g.to_json()), summary.workers


def test_chain_groups_scored_in_workers_equal_in_process(chain_graph, monkeypatch):
    """Both parallel passes (texts and clauses hashed in row ranges, chains scored) give the in-process graph."""
    import graph_builder.limits as lim
    from graph_builder.link import forked

    monkeypatch.setattr(lim, "limits", lambda: Limits(parallel_min_files=2, parallel_min_items=2))
    monkeypatch.setattr("graph_builder.link.index._ROWS", 50)  # several ranges per worker
    monkeypatch.setattr("graph_builder.link.tasks._CLAUSE_ROWS", 50)
    real, used = forked.map_ranges, []

    def spy(fn, n, workers, size):
        out, w = real(fn, n, workers, size)
        used.append((w, n > size))
        return out, w

    monkeypatch.setattr("graph_builder.link.index.map_ranges", spy)
    monkeypatch.setattr("graph_builder.link.tasks.map_ranges", spy)
    serial, w1 = _linked(chain_graph, 1, monkeypatch)
    assert used == [(1, True), (1, True)]
    used.clear()
    parallel, w2 = _linked(chain_graph, 2, monkeypatch)
    assert used == [(2, True), (2, True)]  # corpus index, clause index
    assert (w1, w2) == (1, 2)
    assert parallel == serial
    assert "上级规划".encode() in serial


def test_linking_leaves_nothing_frozen_for_the_collector(chain_graph, monkeypatch):
    """Linking freezes the graph's objects (full collections skip them; workers do not copy their pages) and
    hands the collector back as it was, also after the nested freeze around the worker pool."""
    import gc

    import graph_builder.limits as lim

    monkeypatch.setattr(lim, "limits", lambda: Limits(parallel_min_files=2))
    frozen_during: list[int] = []
    real = link_graph.__globals__["_score_chains"]

    def spy(*args, **kwargs):
        frozen_during.append(gc.get_freeze_count())
        return real(*args, **kwargs)

    monkeypatch.setitem(link_graph.__globals__, "_score_chains", spy)
    before = gc.get_freeze_count()
    _linked(chain_graph, 2, monkeypatch)
    assert frozen_during and frozen_during[0] > before
    assert gc.get_freeze_count() == before
