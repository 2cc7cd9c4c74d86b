"""Compare the warm full-build time of two source trees of this project, alternating between them.

    python scripts/bench_compare.py BASE_TREE NEW_TREE [--rounds 3] [--repeat 5] [PATHS…]

Each round runs one fresh process per tree (base first, then new, so both see the same machine load); a
process loads spaCy/jieba/jionlp, builds once to warm up, then times --repeat full builds of PATHS (default
data/plans) into temporary embedded stores. Prints every run (full build and its extract stage, where
front matter is parsed), its CPU time (less disturbed by other processes on a shared machine), and per
tree the min and median over all rounds and how much text jieba segments in one build. The trees share this interpreter (PYTHONPATH points at each tree's package). Asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, sys, tempfile, time
from pathlib import Path
import graph_builder
assert graph_builder.__file__.startswith(sys.argv[1]), graph_builder.__file__
from graph_builder.nlp import get_nlp
from graph_builder.pipeline import build
from graph_builder.regions import resolve_region
from graph_builder.store import EmbeddedStore
paths = [Path(p) for p in sys.argv[3:]]
nlp = get_nlp(); resolve_region("安徽省")
jieba_tokenizer, parsed = nlp.tokenizer, [0, 0]

class Counting:  # counts what jieba segments (texts, characters) without changing it
    def __call__(self, text):
        parsed[0] += 1; parsed[1] += len(text)
        return jieba_tokenizer(text)

    def pipe(self, texts, batch_size=1000):
        return (self(t) for t in texts)

nlp.tokenizer = Counting()
times = []
for i in range(int(sys.argv[2]) + 1):
    with tempfile.TemporaryDirectory() as d:
        t0, c0 = time.perf_counter(), time.process_time()
        parsed[:] = [0, 0]
        report = build(paths, EmbeddedStore(Path(d)))
        if i:  # the first build warms the caches
            times.append([time.perf_counter() - t0, report.timings.get("extract", 0.0), time.process_time() - c0])
print(json.dumps({"times": times, "parsed": parsed}))
"""


def run(tree: Path, repeat: int, paths: list[str]) -> list[list[float]]:
    """[[full build s, extract stage s, full build CPU s], …] of one process on *tree*."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(tree), str(repeat), *paths], env=env, cwd=tree,
                         capture_output=True, text=True, check=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    PARSED[str(tree)] = res["parsed"]
    return res["times"]


PARSED: dict[str, list[int]] = {}  # tree → [texts, characters] jieba segmented in one build


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("paths", nargs="*", default=["data/plans"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    trees = {"base": a.base.resolve(), "new": a.new.resolve()}
    paths = [str(Path(p).resolve()) for p in a.paths]
    runs: dict[str, list[list[float]]] = {k: [] for k in trees}
    for r in range(a.rounds):
        for name, tree in trees.items():
            t = run(tree, a.repeat, paths)
            runs[name] += t
            print(f"第 {r + 1} 轮 {name}：完整构建 " + " ".join(f"{x[0]:.2f}" for x in t)
                  + "；其中抽取 " + " ".join(f"{x[1]:.3f}" for x in t)
                  + "；CPU " + " ".join(f"{x[2]:.2f}" for x in t), flush=True)
    for name, t in runs.items():
        print(f"{name}（{trees[name]}）：{len(t)} 次热构建，" + "；".join(
            f"{what} 最快 {min(x[k] for x in t):.3f} s、中位数 {statistics.median(x[k] for x in t):.3f} s"
            for k, what in ((0, "完整构建墙钟"), (1, "抽取阶段"), (2, "完整构建 CPU")))
              + "；每次构建 jieba 分词 {} 段、{} 字".format(*PARSED[str(trees[name])]))


if __name__ == "__main__":
    main()
