"""Benchmark a full build of the seed plans: wall time, peak memory, per-stage time.

    python -m graph_builder.bench [PATHS…] [--repeat N]

Prints figures; it asserts nothing (speed is measured, not tested).
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path, default=[Path("data/plans")])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    t_start = time.perf_counter()
    from .nlp import get_nlp
    from .pipeline import build
    from .regions import resolve_region
    from .store import EmbeddedStore

    get_nlp()
    resolve_region("安徽省")
    t_import = time.perf_counter() - t_start
    runs = []
    for _ in range(a.repeat):
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            report = build(a.paths, EmbeddedStore(Path(d)))
            runs.append((time.perf_counter() - t0, report))
    size = sum(f.stat().st_size for p in a.paths for f in (p.rglob("*") if p.is_dir() else [p]) if f.is_file())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best, report = min(runs, key=lambda r: r[0])
    print(f"输入：{len(report.files)} 个文件，{size / 1024:.0f} KiB")
    print(f"启动（spaCy + jieba + jionlp 加载）：{t_import:.2f} s")
    print(f"完整构建（最快/共 {a.repeat} 次）：{best:.2f} s；首次构建含启动：{t_import + runs[0][0]:.2f} s")
    print("各阶段：" + "，".join(f"{k} {v:.2f} s" for k, v in report.timings.items()))
    print(f"吞吐：{size / 1024 / best:.0f} KiB/s")
    print(f"峰值内存（RSS）：{peak_mb:.0f} MiB")


if __name__ == "__main__":
    main()
