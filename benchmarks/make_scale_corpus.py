"""Make a synthetic scale corpus for the linking benchmark from the seed plans (never into data/plans).

The seeds are extracted once; then, for a factor F, the graph gets F copies of every province plan
(fictional provinces 合成省N under 中国), F copies of every city plan under those provinces, and one
national plan synthesised from a province plan, so that cities → provinces → nation all link. Each copy's
text is perturbed deterministically (region names replaced, some clauses dropped or swapped) so copies
are similar, as real plans are, but not identical.

    python benchmarks/make_scale_corpus.py --factor 4 --out /tmp/plangraph-scale/x4.json
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph_builder.models import Edge, Graph, Node, stable_id  # noqa: E402

_CLAUSE = re.compile(r"(?<=[，。；,;])")


def seed_graph(plans_dir: Path) -> Graph:
    """Extract the seeds (no linking) into a temporary store and return the graph."""
    from graph_builder.pipeline import build
    from graph_builder.store import EmbeddedStore

    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "store")
        build([plans_dir], store, link=False)
        return store.load()


def perturb(text: str, rng: random.Random, region_from: str, region_to: str) -> str:
    """Replace the region, drop ~10% of clauses and swap a neighbouring pair now and then."""
    text = (text or "").replace(region_from, region_to).replace(region_from[:-1], region_to[:-1])
    parts = [p for p in _CLAUSE.split(text) if p]
    kept = [p for p in parts if rng.random() > 0.1] or parts[:1]
    for i in range(len(kept) - 1):
        if rng.random() < 0.1:
            kept[i], kept[i + 1] = kept[i + 1], kept[i]
    return "".join(kept)


def scale(g: Graph, factor: int, seed: int = 7) -> Graph:
    """A new graph with *factor* copies of the province and city plans and one national plan."""
    rng = random.Random(seed)
    out = Graph()
    nation = stable_id("region", "中国")
    out.add_node(Node(nation, "Region", {"name": "中国", "level": "national", "parent": None}))
    children: dict[str, list[str]] = {}
    for e in g.edges_of("CONTAINS"):
        children.setdefault(e.source, []).append(e.target)
    plans = [p for p in g.by_label("Plan") if p.get("loaded") is not False]
    provinces = [p for p in plans if p.get("level") == "province"]
    cities = [p for p in plans if p.get("level") == "city"]

    def copy_plan(p: Node, region: str, level: str, parent_region: str | None, tag: str) -> None:
        rid = stable_id("region", region)
        if rid not in out.nodes:
            out.add_node(Node(rid, "Region", {"name": region, "level": level,
                                              "parent": stable_id("region", parent_region) if parent_region else None}))
            if parent_region:
                out.add_edge(Edge("WITHIN", rid, stable_id("region", parent_region)))
        pid = stable_id("plan", tag, p.id)
        old_region = str(p.get("region") or "")
        out.add_node(Node(pid, "Plan", {**p.props, "title": p.title.replace(old_region, region), "region": region,
                                        "level": level, "cites": [], "source": f"synthetic/{tag}"}))
        out.add_edge(Edge("COVERS", pid, rid))
        stack = [(p.id, pid)]
        while stack:
            src_old, src_new = stack.pop()
            for c in children.get(src_old, []):
                n = g.nodes[c]
                nid = stable_id(n.label.lower(), tag, c)
                props = {**n.props, "plan": pid}
                if "text" in props:
                    props["text"] = perturb(props["text"], rng, old_region, region)
                out.add_node(Node(nid, n.label, props))
                out.add_edge(Edge("CONTAINS", src_new, nid))
                stack.append((c, nid))

    copy_plan(provinces[0], "中国", "national", None, "national")
    for k in range(factor):
        for j, p in enumerate(provinces):
            prov = f"合成{k}{j}省"
            copy_plan(p, prov, "province", "中国", f"p{k}-{j}")
            for m, c in enumerate(cities):
                copy_plan(c, f"合成{k}{j}{m}市", "city", prov, f"c{k}-{j}-{m}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plans", type=Path, default=ROOT / "data" / "plans")
    ap.add_argument("--factor", type=int, action="append", help="scale factor(s); default 1, 4, 16")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "plangraph-scale")
    a = ap.parse_args(argv)
    factors = a.factor or [1, 4, 16]
    base = seed_graph(a.plans)
    a.out.mkdir(parents=True, exist_ok=True)
    for f in factors:
        g = scale(base, f)
        path = a.out / f"x{f}.json"
        path.write_text(json.dumps(g.to_json(), ensure_ascii=False), encoding="utf-8")
        n_items = sum(1 for n in g.nodes.values() if n.label in ("Task", "Project"))
        print(f"x{f}: {sum(1 for _ in g.by_label('Plan'))} plans, {n_items} tasks/projects → {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
