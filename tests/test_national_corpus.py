"""The synthetic national corpus: real divisions, complete chains, front matter citing the parent plan,
never written into data/, and read by the real pipeline as the region it names."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("make_national_corpus", ROOT / "benchmarks" / "make_national_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def corpus(gen, tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    assert gen.main(["--fraction", "16", "--out", str(out)]) == 0
    return out / "1-16"


def test_tree_has_the_nation_31_provinces_and_complete_county_chains(gen):
    tree = gen.divisions()
    levels = {lv: [d for d in tree if d.level == lv] for lv in ("national", "province", "city", "county")}
    assert len(levels["national"]) == 1 and len(levels["province"]) == 31
    assert 300 <= len(levels["city"]) <= 360 and 2500 <= len(levels["county"]) <= 3100
    part = gen.select(tree, 16)
    kept = set(part)
    assert all(d.parent in kept for d in part if d.parent is not None)
    assert 0.04 < len(part) / len(tree) < 0.12


def test_each_document_names_its_issuer_and_cites_its_parent_plan(gen, corpus):
    files = sorted(corpus.rglob("*.txt"))
    assert len(files) == len(gen.select(gen.divisions(), 16))
    county = next(f for f in files if f.name.count("-") >= 2)
    text = county.read_text("utf-8")
    head = text.splitlines()[:8]
    name = county.stem.split("-")[-1]
    city = county.stem.split("-")[-2]
    assert any(line == f"{name}市场监督管理局" for line in head)
    assert f"根据《{city}“十四五”市场监管规划》" in text
    assert name in text.split("\n", 8)[-1]  # the seed's region was replaced in the body too
    assert not re.search(r"宿州|荆门", text) or name in ("宿州市", "荆门市")


def test_refuses_to_write_into_the_projects_data_directory(gen):
    with pytest.raises(SystemExit):
        gen.main(["--fraction", "16", "--out", str(ROOT / "data" / "national")])
    assert not (ROOT / "data" / "national").exists()


def test_the_pipeline_reads_a_generated_county_plan_as_that_county(corpus):
    from graph_builder.extract import extract_plan
    from graph_builder.ingest import read_document

    county = next(f for f in sorted(corpus.rglob("*.txt")) if f.name.count("-") >= 2 and f.stem.endswith("县"))
    ex = extract_plan(read_document(county))
    assert ex.plan.region == county.stem.split("-")[-1]
    assert ex.plan.level == "county"
    assert sum(1 for n in ex.graph.nodes.values() if n.label == "Task") > 10
