"""Linking benchmark: wall time and peak memory of ``link_graph`` on the synthetic scale corpus.

Each size runs in its own process so peak memory is not inherited from the previous run; memory is the
process's peak RSS (before linking = the loaded graph; peak = after linking).

    python benchmarks/make_scale_corpus.py            # writes /tmp/plangraph-scale/x{1,4,16}.json
    python benchmarks/bench_link.py                   # prints the table
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_one(path: Path) -> dict:
    from graph_builder.link import link_graph
    from graph_builder.models import Graph

    g = Graph.from_json(json.loads(path.read_text(encoding="utf-8")))
    plans = [p for p in g.by_label("Plan") if p.get("loaded") is not False]
    lower = sum(1 for n in g.nodes.values() if n.label in ("Task", "Project")
                and g.nodes[n.get("plan")].get("level") != "national")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    s = link_graph(g)
    wall = time.perf_counter() - t
    return {"file": path.name, "plans": len(plans), "lower_items": lower, "wall_s": round(wall, 3),
            "rss_before_mib": round(rss_before, 1), "maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "stages": {k: round(v, 3) for k, v in s.seconds.items()}, "task_links": s.task_links,
            "overlaps": s.overlaps}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.one:
        print(json.dumps(run_one(a.one)))
        return 0
    files = a.files or [Path(tempfile.gettempdir()) / "plangraph-scale" / f"x{f}.json" for f in (1, 4, 16)]
    missing = [f for f in files if not f.exists()]
    if missing:
        print(f"缺少 {missing[0]}：先运行 python benchmarks/make_scale_corpus.py", file=sys.stderr)
        return 2
    rows = []
    for f in files:
        out = subprocess.run([sys.executable, __file__, "--one", str(f)], capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'size':6} {'plans':>5} {'lower items':>11} {'link s':>7} {'s/1k lower':>10} {'index s':>7} {'tasks s':>7} "
          f"{'tasks s/1k':>10} {'indic. s':>8} {'overlaps s':>10} {'RSS before MiB':>14} {'peak RSS MiB':>12}")
    for r in rows:
        st = r["stages"]
        print(f"{r['file'][:-5]:6} {r['plans']:>5} {r['lower_items']:>11} {r['wall_s']:>7} "
              f"{r['wall_s'] / r['lower_items'] * 1000:>10.3f} {st['index']:>7} {st['tasks']:>7} "
              f"{st['tasks'] / r['lower_items'] * 1000:>10.3f} {st['indicators']:>8} {st['overlaps']:>10} "
              f"{r['rss_before_mib']:>14} {r['maxrss_mib']:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
