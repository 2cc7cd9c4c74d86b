"""The installed package works without the source tree: wheel → fresh venv elsewhere → build the seeds → Neo4j query.

The wheel is built offline (``pip wheel --no-build-isolation``; setuptools comes with the ``test`` extra).
The fresh venv gets the wheel with ``--no-deps``; its dependencies are made importable by appending this
venv's site-packages as a plain path (not a site dir, so this checkout's editable-install hook is *not*
loaded and ``graph_builder`` can only come from the wheel — the test checks where it was imported from).
Everything runs with the working directory outside the source tree.
"""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.neo4j_fixtures import neo4j_store  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(out), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    (whl,) = out.glob("plangraph-*.whl")
    return whl


def test_wheel_ships_cypher_and_patterns_but_no_test_fixtures(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.rsplit("/", 1)[1] for n in names if n.startswith("graph_builder/cypher/")}
    assert shipped == {p.name for p in (ROOT / "cypher").glob("*.cypher")}
    assert "graph_builder/patterns/headings.toml" in names
    assert not [n for n in names if "synthetic" in n or n.endswith("/seed.py") or n.startswith("tests/")]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("outside")
    assert ROOT not in home.parents
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=False)
    py = env_dir / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib, "plangraph_test_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", str(wheel)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    shutil.copytree(ROOT / "data" / "plans", home / "plans")
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(home), "COLUMNS": "200",
           "PLANGRAPH_NEO4J_DIR": str(home / "no-local-server")}
    where = subprocess.run([str(py), "-c", "import graph_builder, spacy; print(graph_builder.__file__)"],
                           cwd=home, env=env, capture_output=True, text=True)
    assert where.returncode == 0, where.stderr
    assert where.stdout.strip().startswith(purelib), f"graph_builder imported from {where.stdout}"
    return home, env


def run(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The installed ``plangraph`` console script, run from outside the source tree."""
    exe = Path(env["PATH"].split(":")[0]) / "plangraph"
    assert exe.exists(), "the wheel installs the plangraph command"
    return subprocess.run([str(exe), *args], cwd=home, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.neo4j
def test_installed_wheel_builds_seeds_and_answers_a_neo4j_query(installed, neo4j_store):  # noqa: F811
    from graph_builder.settings import local_password

    home, env = installed
    r = run(home, env, "build", "plans", "--store", "store")
    assert r.returncode == 0, r.stderr
    r = run(home, env, "query", "search", "-p", "text=市场", "--format", "json", "--store", "store")
    assert r.returncode == 0, r.stderr
    embedded = json.loads(r.stdout)
    assert embedded, "the seeds mention 市场"

    neo = {**env, "NEO4J_URI": neo4j_store.settings.uri, "NEO4J_USER": neo4j_store.settings.user,
           "NEO4J_PASSWORD": os.environ.get("NEO4J_PASSWORD") or local_password() or ""}
    if neo4j_store.settings.database:
        neo["NEO4J_DATABASE"] = neo4j_store.settings.database
    r = run(home, neo, "load-neo4j", "--store", "store")
    assert r.returncode == 0, r.stderr
    r = run(home, neo, "query", "search", "-p", "text=市场", "--backend", "neo4j", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == embedded, "the installed package answers the same on Neo4j"
    top = embedded[0]["id"]
    r = run(home, neo, "query", "trace_down", "-p", f"id={top}", "--backend", "neo4j", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert neo["NEO4J_PASSWORD"] not in r.stdout + r.stderr
