"""The import graph of graph_builder/ matches docs/ARCHITECTURE.md: no cycles, and layers import downwards only.

Every ``import``/``from … import`` counts, including the ones inside functions: a lazy import still
makes a cycle, it only hides it until run time. The layer table is parsed from the doc itself, so the
doc and the code cannot drift apart.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "graph_builder"
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PKG.rglob("*.py") if "tests" not in p.parts}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """graph_builder modules imported by *path* (resolving relative imports; ``from . import x`` → ``pkg.x``)."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # graph_builder.models.Graph → graph_builder.models
                t = t.rpartition(".")[0]
            if t and t != name and t.startswith("graph_builder"):
                out.add(t)
    return out


def import_graph() -> nx.DiGraph:
    mods = modules()
    g = nx.DiGraph()
    g.add_nodes_from(mods)
    for name, path in mods.items():
        for dep in imports_of(name, path, set(mods)):
            g.add_edge(name, dep)
    return g


def doc_layers() -> list[tuple[str, list[str]]]:
    """(layer, module globs) rows of the layer table in docs/ARCHITECTURE.md, top (presentation) first."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- layers -->")[1].split("<!-- /layers -->")[0]
    rows = []
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].isdigit():
            continue
        rows.append((cells[1], re.findall(r"`([^`]+)`", cells[2])))
    return rows


def layer_of(module: str, layers: list[tuple[str, list[str]]]) -> int:
    path = module.replace(".", "/")
    if (ROOT / path / "__init__.py").exists():
        path += "/__init__"
    for i, (_, globs) in enumerate(layers):
        for gl in globs:
            gl = gl.removesuffix(".py")
            if gl.endswith("/*"):
                if path.startswith(gl[:-1]):
                    return i
            elif path == gl:
                return i
    raise AssertionError(f"{module} is in no layer of docs/ARCHITECTURE.md")


#: Cycles that landed on main after this test and are still to be broken, each with how. Keep it empty.
KNOWN_CYCLES: set[frozenset[str]] = set()  # none: keep it that way


def test_import_graph_has_no_cycles():
    g = import_graph()
    cycles = [c for c in nx.simple_cycles(g) if frozenset(c) not in KNOWN_CYCLES]
    assert not cycles, "import cycles: " + "; ".join(" → ".join(c + [c[0]]) for c in cycles[:5])


def test_every_module_is_in_a_documented_layer_and_imports_only_downwards():
    layers = doc_layers()
    assert len(layers) >= 5, "layer table not found in docs/ARCHITECTURE.md"
    g = import_graph()
    bad = []
    for a, b in g.edges:
        la, lb = layer_of(a, layers), layer_of(b, layers)
        if lb < la:  # lower index = higher layer
            bad.append(f"{a} ({layers[la][0]}) imports {b} ({layers[lb][0]})")
    assert not bad, "\n".join(bad)


def test_presentation_never_imports_store_internals():
    g = import_graph()
    presentation = [m for m in g if m.startswith(("graph_builder.ui", "graph_builder.cli"))]
    internals = {"graph_builder.store.neo4j_store", "graph_builder.store.embedded", "graph_builder.store.base"}
    bad = [(m, d) for m in presentation for d in g.successors(m) if d in internals]
    assert not bad, f"presentation imports store internals (use graph_builder.store / graph_builder.settings): {bad}"
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    assert not any(i in app for i in internals)


def test_the_checker_sees_a_real_cycle(tmp_path):
    """The cycle finder is not vacuous: two modules importing each other are reported."""
    g = import_graph()
    g.add_edge("graph_builder.models", "graph_builder.queries")
    assert list(nx.simple_cycles(g))


def test_the_doc_names_where_things_live():
    """A new reader finds the schema, a query's spec, a pattern file and its loader from the doc."""
    text = DOC.read_text(encoding="utf-8")
    for path in ("graph_builder/models.py", "graph_builder/queries.py", "graph_builder/patterns/",
                 "graph_builder/pattern_files.py", "cypher/"):
        assert path in text, path
        assert (ROOT / path).exists(), f"the doc names {path}, which does not exist"
