"""Indicator linking at scale: Measure nodes and MEASURES edges grow with the indicators, not their pairs.

    python benchmarks/make_scale_corpus.py --factor 1 --factor 4 --factor 16 --factor 32
    python benchmarks/bench_measures.py /tmp/plangraph-scale/x*.json

Per corpus: plans, indicators, Measure nodes, MEASURES edges, indicator 上级规划 edges, the number of
indicator pairs that share a Measure (what pairwise edges would have needed), wall time of indicator
linking and peak RSS. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(path: Path) -> dict:
    from graph_builder.link import LinkSummary, _link_indicators, load_config
    from graph_builder.link.plans import link_plans
    from graph_builder.models import Graph

    g = Graph.from_json(json.loads(path.read_text(encoding="utf-8")))
    cfg = load_config()
    direct = link_plans(g, cfg.plans)
    loaded = {p.id for p in g.by_label("Plan") if p.get("loaded", True) is not False}
    t0 = time.perf_counter()
    _link_indicators(g, direct, loaded, cfg, LinkSummary())
    seconds = time.perf_counter() - t0
    sizes: dict[str, int] = {}
    for e in g.edges_of("MEASURES"):
        sizes[e.target] = sizes.get(e.target, 0) + 1
    return {"plans": len(loaded), "indicators": sum(1 for _ in g.by_label("Indicator")),
            "measures": sum(1 for _ in g.by_label("Measure")), "measures_edges": sum(sizes.values()),
            "uppers": sum(1 for e in g.edges_of("上级规划") if g.nodes[e.source].label == "Indicator"),
            "pairs": sum(n * (n - 1) // 2 for n in sizes.values()), "seconds": seconds,
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    a = ap.parse_args(argv)
    print("| 语料 | 规划 | 指标 | Measure | MEASURES 边 | 指标 上级规划 | 共享 Measure 的指标对（两两成边所需） | 指标关联用时 s | 峰值 RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for f in a.files:
        r = run(f)
        print(f"| {f.stem} | {r['plans']} | {r['indicators']} | {r['measures']} | {r['measures_edges']} | {r['uppers']} | "
              f"{r['pairs']:,} | {r['seconds']:.2f} | {r['rss']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
