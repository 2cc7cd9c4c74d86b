"""``plangraph add`` on a plan-grouped store reads only the plans it touches, and gives the same graph as the
whole-graph path: adding a plan, re-adding a changed one, the segment index and the repair vocabulary."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from graph_builder.cli import main
from graph_builder.models import Graph
from graph_builder.store import EmbeddedStore, segments

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "plans"
MANIFEST = ROOT / "data" / "manifest.toml"


def _same(a: Graph, b: Graph) -> None:
    assert {k: (n.label, n.props) for k, n in a.nodes.items()} == {k: (n.label, n.props) for k, n in b.nodes.items()}
    assert {e.key: e.props for e in a.edges} == {e.key: e.props for e in b.edges}


@pytest.fixture(scope="module")
def four_seeds(tmp_path_factory) -> Path:
    """A store built from four seeds (Suzhou, under Anhui, left out), and the plans directory."""
    root = tmp_path_factory.mktemp("add")
    plans = root / "plans"
    plans.mkdir()
    for f in SEEDS.glob("*.txt"):
        if f.name != "suzhou-city.txt":
            shutil.copy(f, plans / f.name)
    assert main(["build", str(plans), "--store", str(root / "store"), "--manifest", str(MANIFEST)]) == 0
    return root


def _copies(four_seeds: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The store twice: one that add reads by segment, one without the repair vocabulary (whole-graph path)."""
    part, whole = tmp_path / "part", tmp_path / "whole"
    shutil.copytree(four_seeds / "store", part)
    shutil.copytree(four_seeds / "store", whole)
    (whole / "repair-vocab.npz").unlink()
    return part, whole


def _add(store: Path, f: Path, capsys) -> str:
    capsys.readouterr()
    assert main(["add", str(f), "--store", str(store), "--manifest", str(MANIFEST)]) == 0
    return capsys.readouterr().out


def test_adding_a_city_reads_its_upper_plan_only_and_equals_the_whole_graph_path(four_seeds, tmp_path, capsys):
    part, whole = _copies(four_seeds, tmp_path)
    new = tmp_path / "suzhou-city.txt"
    shutil.copy(SEEDS / "suzhou-city.txt", new)
    out = _add(part, new, capsys)
    assert "读取 1 份规划的数据" in out.replace("\n", "")  # Anhui, the plan above it
    assert "读取" not in _add(whole, new, capsys).replace("增量构建", "")
    g = EmbeddedStore(part).load()
    _same(g, EmbeddedStore(whole).load())
    assert any(p.title.startswith("宿州") for p in g.by_label("Plan"))

    # the rewritten index is the one a full write of the same graph gives
    index = segments.load_index(part)
    full = segments.write(tmp_path / "x" / "graph.json", g)
    for s, seg in full.segments.items():
        mine = index.segments[s]
        assert (mine.digest, mine.reaches, mine.refs, mine.targets) == (seg.digest, seg.reaches, seg.refs, seg.targets), s
    assert set(index.segments) == set(full.segments)

    # the upper chains kept for the next add are the ones the graph gives
    from graph_builder.incremental import BuildIndex, chains, plan_skeleton

    assert BuildIndex.load(part).chains_for(index.gen) == chains(plan_skeleton(g))

    # and the stored repair vocabulary is the one the five plans give from scratch
    from graph_builder.repair import CorpusVocabulary, load_state, plan_texts
    from graph_builder.incremental import owner

    kept = load_state(part, index.gen)
    by_plan: dict[str, list] = {}
    for n in g.nodes.values():
        if owner(n) and g.nodes.get(owner(n)) is not None and g.nodes[owner(n)].props.get("loaded") is not False:
            by_plan.setdefault(owner(n), []).append(n)
    fresh = CorpusVocabulary({p: plan_texts(ns) for p, ns in by_plan.items()})
    for name in ("bi", "tri"):
        a, b = getattr(kept, name), getattr(fresh, name)
        assert np.array_equal(a.keys, b.keys) and np.array_equal(a.df, b.df) and np.array_equal(a.total, b.total)


def test_re_adding_a_changed_plan_replaces_it_as_the_whole_graph_path_does(four_seeds, tmp_path, capsys):
    part, whole = _copies(four_seeds, tmp_path)
    plans = four_seeds / "plans"
    jingmen = tmp_path / "jingmen-city.txt"
    text = (plans / "jingmen-city.txt").read_text("utf-8")
    # the build index knows the file by its path: change the file the store was built from, in a copy of the tree
    tree = tmp_path / "plans"
    shutil.copytree(plans, tree)
    for store in (part, whole):
        idx = (store / "build-index.json").read_text("utf-8")
        (store / "build-index.json").write_text(idx.replace(str(plans.resolve()), str(tree.resolve())), "utf-8")
    jingmen = tree / "jingmen-city.txt"
    jingmen.write_text(text.replace("市场监管", "市场监督管理", 3), "utf-8")
    assert "读取" in _add(part, jingmen, capsys)
    _add(whole, jingmen, capsys)
    _same(EmbeddedStore(part).load(), EmbeddedStore(whole).load())
