"""Memory bound for one huge plan: generate a 30,000-task plan in a temp directory, build it, print wall time
and peak RSS (issue 13: ≤ 2 GB).

Tasks are the Suzhou seed's task paragraphs with clauses rotated and numbers and a serial changed, so
the plan has the repeats and near-repeats that within-plan overlap detection has to handle.

    .venv/bin/python benchmarks/bench_hostile_memory.py             # 30,000 tasks
    .venv/bin/python benchmarks/bench_hostile_memory.py --tasks 10000
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CN = "一二三四五六七八九十"


def cn_num(n: int) -> str:
    """1..99 as Chinese numerals (一, 十二, 三十四)."""
    t, u = divmod(n, 10)
    return (("" if t == 1 else CN[t - 1]) + "十" if t else "") + (CN[u - 1] if u else "")


def seed_tasks() -> list[tuple[str, str]]:
    text = (ROOT / "data" / "plans" / "suzhou-city.txt").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        m = re.match(r"^\d+\.([^。]{4,40})。(.{40,})$", line.strip())
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def make_plan(n_tasks: int, per_section: int = 60, seed: int = 13) -> str:
    rnd = random.Random(seed)
    tasks = seed_tasks()
    lines = ["宿州市“十四五”市场监管现代化规划（压力测试）", "宿州市人民政府", "一、发展基础", "“十四五”时期是重要窗口期。",
             "二、主要任务"]
    n_sections = (n_tasks + per_section - 1) // per_section
    k = 0
    for s in range(n_sections):
        lines.append(f"({cn_num(s % 99 + 1)})第{s + 1}项重点工作领域")
        for j in range(min(per_section, n_tasks - k)):
            title, body = tasks[rnd.randrange(len(tasks))]
            clauses = [c for c in re.split(r"[,，;；]", body) if c]
            r = rnd.randrange(len(clauses))
            body = "，".join(clauses[r:] + clauses[:r])
            body = re.sub(r"\d+", lambda m: str(int(m.group()) + rnd.randrange(1, 50)), body)
            lines.append(f"{j + 1}.{title}（第{k + 1}号）。{body}。")
            k += 1
    lines += ["三、保障措施", "(一)加强组织领导", "各级各部门要加强组织领导。"]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=30_000)
    args = ap.parse_args()
    from graph_builder.pipeline import build
    from graph_builder.store import EmbeddedStore

    with tempfile.TemporaryDirectory(prefix="plangraph-hostile-") as tmp:
        plans = Path(tmp) / "plans"
        plans.mkdir()
        f = plans / "suzhou-stress.txt"
        f.write_text(make_plan(args.tasks), encoding="utf-8")
        size = f.stat().st_size
        t0 = time.perf_counter()
        report = build([plans], EmbeddedStore(Path(tmp) / "store"), decisions=Path(tmp) / "review.csv")
        wall = time.perf_counter() - t0
        store = EmbeddedStore(Path(tmp) / "store")
        counts = store.counts()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"tasks generated   {args.tasks}")
    print(f"file size         {size / 1024 / 1024:.1f} MB")
    print(f"failed files      {len(report.failed)} {[x.error for x in report.failed]}")
    print(f"stored            Task {counts.get('Task', 0)}, Section {counts.get('Section', 0)}, "
          f"OVERLAPS {counts.get('OVERLAPS', 0)}")
    print("timings (s)       " + ", ".join(f"{k} {v:.1f}" for k, v in report.timings.items()))
    print(f"wall time         {wall:.1f} s")
    print(f"peak RSS          {peak_mb:.0f} MB  ({'within' if peak_mb <= 2048 else 'OVER'} the 2 GB bound)")


if __name__ == "__main__":
    main()
