"""The seed graph (the real plans in data/plans) for the explorer's tests and benchmark, built once per process.

PLANGRAPH_SEED_STORE points at an already built store to skip the build (e.g. the CLI's ``.plangraph/store``).
"""
from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "data" / "plans"


@functools.cache
def seed_store_dir() -> Path:
    """A directory holding the embedded store built from data/plans (built on first call)."""
    pre = os.environ.get("PLANGRAPH_SEED_STORE")
    if pre and (Path(pre) / "graph.json").exists():
        return Path(pre)
    from graph_builder.pipeline import build, load_manifest
    from graph_builder.store import EmbeddedStore

    out = Path(tempfile.mkdtemp(prefix="plangraph-seed-"))
    manifest = ROOT / "data" / "manifest.toml"  # the same overrides as `plangraph build`
    build([PLANS], EmbeddedStore(out), overrides=load_manifest(manifest if manifest.exists() else None))
    return out
