"""Incremental builds: only changed files are re-extracted, only plans whose chain changed are relinked,
a removed file's plan and links disappear, ``plangraph add`` adds one plan."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph_builder.incremental import INDEX_FILE, BuildIndex
from graph_builder.pipeline import build, load_manifest
from graph_builder.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "plans"
MANIFEST = load_manifest(ROOT / "data" / "manifest.toml")
EXTRACTED = ("CONTAINS", "责任", "COVERS", "WITHIN")


def _graph(store: EmbeddedStore):
    g = json.loads(store.file.read_text("utf-8"))
    nodes = {n["id"]: n for n in g["nodes"]}
    edges = {(e["type"], e["source"], e["target"]) for e in g["edges"]}
    return nodes, edges


def _plan_of(nodes, source: str) -> str:
    return next(i for i, n in nodes.items() if n["label"] == "Plan" and n.get("source") == source)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """Clean builds of all five seeds and of the four without the Suzhou plan."""
    base = tmp_path_factory.mktemp("clean")
    four = base / "four"
    shutil.copytree(SEEDS, four)
    (four / "suzhou-city.txt").unlink()
    out = {}
    for name, src in (("five", SEEDS), ("four", four)):
        store = EmbeddedStore(base / f"store-{name}")
        assert not build([src], store, overrides=MANIFEST).failed
        out[name] = _graph(store)
    return out


@pytest.fixture()
def four_built(tmp_path):
    plans = tmp_path / "plans"
    shutil.copytree(SEEDS, plans)
    shutil.move(plans / "suzhou-city.txt", tmp_path / "suzhou-city.txt")
    store = EmbeddedStore(tmp_path / "store")
    assert not build([plans], store, overrides=MANIFEST).failed
    return plans, store


def test_unchanged_rebuild_extracts_nothing_and_leaves_the_graph_equal(four_built):
    plans, store = four_built
    before = store.file.read_bytes()
    report = build([plans], store, overrides=MANIFEST)
    assert report.files == []
    assert "均未变化" in report.warnings[0]
    assert store.file.read_bytes() == before


def test_adding_a_file_extracts_only_it_and_links_it_to_its_upper_plan(four_built, clean):
    plans, store = four_built
    shutil.copy(plans.parent / "suzhou-city.txt", plans / "suzhou-city.txt")
    report = build([plans], store, overrides=MANIFEST)
    assert [Path(f.path).name for f in report.files] == ["suzhou-city.txt"]
    nodes, edges = _graph(store)
    c_nodes, c_edges = clean["five"]
    assert set(nodes) == set(c_nodes)
    assert {e for e in edges if e[0] in EXTRACTED} == {e for e in c_edges if e[0] in EXTRACTED}
    suzhou, anhui = _plan_of(nodes, "suzhou-city.txt"), _plan_of(nodes, "anhui-province.txt")
    assert ("上级规划", suzhou, anhui) in edges
    task_links = {e for e in edges if e[0] == "上级规划" and nodes[e[1]].get("plan") == suzhou}
    clean_links = {e for e in c_edges if e[0] == "上级规划" and c_nodes[e[1]].get("plan") == suzhou}
    assert len(task_links & clean_links) >= 0.8 * len(clean_links) > 0


def test_removing_a_file_drops_its_plan_and_every_edge_touching_it(tmp_path, clean):
    plans = tmp_path / "plans"
    shutil.copytree(SEEDS, plans)
    store = EmbeddedStore(tmp_path / "store")
    build([plans], store, overrides=MANIFEST)
    suzhou = _plan_of(_graph(store)[0], "suzhou-city.txt")
    (plans / "suzhou-city.txt").unlink()
    report = build([plans], store, overrides=MANIFEST)
    assert report.files == []
    nodes, edges = _graph(store)
    assert suzhou not in nodes and not any(n.get("plan") == suzhou for n in nodes.values())
    assert all(s in nodes and t in nodes for _, s, t in edges)
    c_nodes, c_edges = clean["four"]
    assert set(nodes) == set(c_nodes)
    assert {e for e in edges if e[0] in EXTRACTED} == {e for e in c_edges if e[0] in EXTRACTED}
    assert suzhou not in json.loads((store.directory / INDEX_FILE).read_text("utf-8"))["files"].values()


def test_a_changed_file_is_reextracted_alone_and_its_new_text_stored(four_built):
    plans, store = four_built
    f = plans / "jingmen-city.txt"
    text = f.read_text("utf-8")
    nodes, _ = _graph(store)
    jingmen = _plan_of(nodes, "jingmen-city.txt")
    task_texts = [n.get("text") or "" for n in nodes.values() if n["label"] == "Task" and n.get("plan") == jingmen]
    marker = next(line for line in text.splitlines() if len(line) > 30 and any(line.strip() in t for t in task_texts))
    f.write_text(text.replace(marker, marker + "同时建设计量标准示范站点。"), "utf-8")
    report = build([plans], store, overrides=MANIFEST)
    assert [Path(r.path).name for r in report.files] == ["jingmen-city.txt"]
    nodes, _ = _graph(store)
    assert any("计量标准示范站点" in (n.get("text") or "") for n in nodes.values())
    idx = BuildIndex.load(store.directory)
    assert len(idx.files) == 4


def test_plangraph_add_adds_one_plan_and_refuses_without_a_built_store(four_built, tmp_path, capsys):
    from graph_builder.cli import main

    plans, store = four_built
    suzhou_file = plans.parent / "suzhou-city.txt"
    assert main(["add", str(suzhou_file), "--store", str(tmp_path / "nothing")]) != 0
    assert "请先运行 plangraph build" in capsys.readouterr().err
    assert main(["add", str(suzhou_file), "--store", str(store.directory),
                 "--manifest", str(ROOT / "data" / "manifest.toml")]) == 0
    assert "已加入" in capsys.readouterr().out
    nodes, edges = _graph(store)
    suzhou = _plan_of(nodes, "suzhou-city.txt")
    assert ("上级规划", suzhou, _plan_of(nodes, "anhui-province.txt")) in edges
    assert len(BuildIndex.load(store.directory).files) == 5


def test_full_flag_forces_a_clean_build(four_built):
    plans, store = four_built
    report = build([plans], store, overrides=MANIFEST, full=True)
    assert len(report.files) == 4
