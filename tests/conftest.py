"""Shared fixtures: the seed plans built once per session into a temporary embedded store."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "plans"


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory):
    """An EmbeddedStore holding the graph built from data/plans (extraction + linking)."""
    from graph_builder.pipeline import build, load_manifest
    from graph_builder.store import EmbeddedStore

    store = EmbeddedStore(tmp_path_factory.mktemp("seed") / "store")
    report = build([SEEDS], store, overrides=load_manifest(ROOT / "data" / "manifest.toml"))
    assert not report.failed, report.failed
    return store


@pytest.fixture(scope="session")
def seed_graph(seed_store):
    return seed_store.load()


@pytest.fixture()
def plans_copy(tmp_path) -> Path:
    d = tmp_path / "plans"
    shutil.copytree(SEEDS, d)
    return d


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
