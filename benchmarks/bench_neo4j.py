"""Neo4j load and query benchmark.

    .venv/bin/python benchmarks/bench_neo4j.py            # seed graph + synthetic ≈213k nodes / 771k rels
    .venv/bin/python benchmarks/bench_neo4j.py --small    # quick run (≈14k nodes)
    .venv/bin/python benchmarks/bench_neo4j.py --bulk STORE   # load-neo4j --bulk of an embedded store

Needs a running server (bash scripts/neo4j.sh start, or NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD).
Measures: load throughput (nodes+relationships per second) into an empty database (CREATE path) and
a reload of the same graph (MERGE path: idempotent, nothing changes), the clearing of the graph, the time
of every library query on the synthetic graph (the heaviest is reported), wall time and peak memory of
this process and of the local server. The database's plangraph data is replaced.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph_builder.models import Graph  # noqa: E402
from graph_builder.store import open_neo4j  # noqa: E402
from graph_builder.store.neo4j_store import Neo4jStore  # noqa: E402
from tests.neo4j_fixtures import hold_server_lock, scaled_graph  # noqa: E402


def server_peak_mb() -> float | None:
    pidfile = Path(os.environ.get("PLANGRAPH_NEO4J_DIR", ROOT / ".neo4j")) / "neo4j.pid"
    try:
        pid = pidfile.read_text().strip()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def load(store: Neo4jStore, g: Graph, label: str) -> None:
    rows = len(g.nodes) + len(g.edges)
    t = time.perf_counter()
    store.replace_all(Graph())
    clear = time.perf_counter() - t
    s1 = store.replace_all(g)
    s2 = store.replace_all(g)
    assert store.counts() == _counts(g), "reload changed the graph"
    print(f"{label}: {len(g.nodes):,} nodes + {len(g.edges):,} rels = {rows:,} rows")
    print(f"  clear previous graph     {clear:8.2f} s")
    print(f"  load into empty database {s1.seconds:8.2f} s  {s1.rows_per_s:10,.0f} rows/s")
    print(f"  reload (MERGE, no-op)    {s2.seconds:8.2f} s  {s2.rows_per_s:10,.0f} rows/s")


def _counts(g: Graph) -> dict[str, int]:
    from collections import Counter

    c: Counter[str] = Counter(n.label for n in g.nodes.values())
    c.update(e.type for e in g.edges)
    return dict(sorted(c.items()))


def queries(store: Neo4jStore, g: Graph) -> None:
    top = "task:n:0:1"
    mid = next(e.target for e in g.edges_of("上级规划") if e.source.startswith("task:p0c0:"))
    cases = [("trace_down", {"id": top}), ("trace_down", {"id": "plan:n"}), ("trace_up", {"id": "task:p0c0:0:1"}),
             ("trace_down", {"id": mid}), ("orphans", {"kind": "no_upper"}), ("orphans", {"kind": "not_picked_up"}),
             ("orphans", {"kind": "no_agency"}), ("overlaps", {}), ("responsibility", {}),
             ("responsibility", {"plan": "plan:p0"}), ("coverage", {"lower": "plan:p0c0"}), ("coverage", {}),
             ("indicator_flags", {}), ("search", {"text": "食品安全"}), ("search", {"text": "工作1"})]
    times = []
    for name, params in cases:
        store.query(name, **params)  # warm the plan cache
        t = time.perf_counter()
        rows = store.query(name, **params)
        dt = time.perf_counter() - t
        times.append((dt, name, params, len(rows)))
        print(f"  query {name:16s} {str(params):32s} {len(rows):8,d} rows {dt:8.3f} s")
    dt, name, params, n = max(times, key=lambda t: t[0])
    print(f"  heaviest: {name} {params} — {dt:.2f} s for {n:,} rows")


def bulk(source: Path) -> int:
    """``load-neo4j --bulk`` as a user runs it (a subprocess), into the emptied local server."""
    import shutil
    import subprocess

    from graph_builder.store import EmbeddedStore

    store = open_neo4j()
    store.ping()
    hold_server_lock(store.settings.uri)
    t = time.perf_counter()
    store.replace_all(Graph())
    store.close()
    print(f"server: {store.describe()} (emptied in {time.perf_counter() - t:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store"
        shutil.copytree(source, copy)
        (copy / "neo4j-load.json").unlink(missing_ok=True)
        t = time.perf_counter()
        cli = "import sys; from graph_builder.cli import main; sys.exit(main(sys.argv[1:]))"
        r = subprocess.run([sys.executable, "-c", cli, "load-neo4j", "--bulk", "--store", str(copy)],
                           capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t
        print((r.stdout + r.stderr).strip())
        if r.returncode != 0:
            return r.returncode
        expected = _counts(EmbeddedStore(copy).load())
    with open_neo4j() as s:
        assert s.counts() == expected, "the imported graph's counts differ from the store's"
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"load-neo4j --bulk: wall time {wall:.1f} s (reading the store included); peak memory of the command "
          f"{peak:,.0f} MB; server {server_peak_mb() or 0:,.0f} MB")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="small synthetic graph (smoke test)")
    ap.add_argument("--no-seed", action="store_true", help="skip the seed graph")
    ap.add_argument("--queries-only", action="store_true",
                    help="only time the queries (the synthetic graph is already loaded by an earlier run)")
    ap.add_argument("--bulk", type=Path, metavar="STORE",
                    help="only time plangraph load-neo4j --bulk of a copy of this embedded store into the emptied "
                         "local server (each step, wall time, peak memory of the command)")
    args = ap.parse_args()
    if args.bulk:
        return bulk(args.bulk)
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)  # retried deadlocks are expected; failures still raise
    t0 = time.perf_counter()
    store = open_neo4j()
    store.ping()
    hold_server_lock(store.settings.uri)  # test sessions on the same server wait for us, and we for them
    print(f"server: {store.describe()}")
    if not args.no_seed and not args.queries_only:
        from graph_builder.pipeline import build
        from graph_builder.store import EmbeddedStore

        with tempfile.TemporaryDirectory() as tmp:
            emb = EmbeddedStore(Path(tmp))
            build([ROOT / "data" / "plans"], emb)
            load(store, emb.load(), "seed graph (data/plans)")
    t = time.perf_counter()
    g = scaled_graph(provinces=10, cities=5, sections=10) if args.small else scaled_graph()
    print(f"synthetic graph generated in {time.perf_counter() - t:.1f} s")
    if args.queries_only:
        assert store.counts() == _counts(g), "the synthetic graph is not loaded; run without --queries-only"
    else:
        load(store, g, "synthetic graph")
    queries(store, g)
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    srv = server_peak_mb()
    print(f"wall time {time.perf_counter() - t0:.1f} s; peak memory: client {peak:,.0f} MB"
          + (f", server {srv:,.0f} MB" if srv else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
