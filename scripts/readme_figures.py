"""Write the README's measured figures from a fresh run, so they cannot go stale.

    .venv/bin/python scripts/readme_figures.py [--eval ../shared/eval] [--screenshots artifacts]

1. builds data/plans into a temp store with `plangraph build` in a child process (wall time, peak RSS),
2. exports it and runs the scorer (`score.py EXPORT dev`) when the evaluation folder is there,
3. counts the graph (plans, items, links, orphans by reason) through the query library,
4. copies the screenshots the browser tests saved (artifacts/readme_*.png, from
   `pytest tests/test_browser_paths.py`) into docs/images/,
and replaces the block between `<!-- figures:begin -->` and `<!-- figures:end -->` in README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


def cli(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from graph_builder.cli import main; sys.exit(main())"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, env=env,
                          check=True)


def build(store: Path) -> tuple[float, float]:
    t0 = time.perf_counter()
    cli("build", "data/plans", "--store", str(store))
    wall = time.perf_counter() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak_mib


def counts(store_dir: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from graph_builder.orphan_report import summarise
    from graph_builder.store import EmbeddedStore

    store = EmbeddedStore(store_dir)
    g = store.load()
    plans = list(g.by_label("Plan"))
    links = [e for e in g.edges_of("上级规划")]
    item_links = [e for e in links if g.nodes[e.source].label != "Plan"]
    summ = summarise(store)
    reasons = Counter()
    for (_, r), n in summ.counts.items():
        reasons[r] += n
    return {"plans_loaded": sum(1 for p in plans if p.get("loaded", True) is not False),
            "plans_unloaded": sum(1 for p in plans if p.get("loaded", True) is False),
            "tasks": sum(1 for n in g.nodes.values() if n.label == "Task"),
            "projects": sum(1 for n in g.nodes.values() if n.label == "Project"),
            "indicators": sum(1 for n in g.nodes.values() if n.label == "Indicator"),
            "item_links": len(item_links), "plan_links": len(links) - len(item_links),
            "overlaps": sum(1 for _ in g.edges_of("OVERLAPS")),
            "measures": sum(1 for n in g.nodes.values() if n.label == "Measure"),
            "measures_edges": sum(1 for _ in g.edges_of("MEASURES")), "reasons": dict(reasons)}


def score(store: Path, eval_dir: Path) -> dict | None:
    scorer = eval_dir / "score.py"
    if not scorer.exists():
        return None
    out = store.parent / "export.json"
    cli("export", str(out), "--format", "json", "--store", str(store))
    res = subprocess.run([sys.executable, str(scorer), str(out), str(eval_dir / "dev")], capture_output=True, text=True,
                         check=True)
    return json.loads(res.stdout)


ZH = {"anhui": "安徽", "jingmen": "荆门", "zhejiang": "浙江", "suzhou": "宿州", "guangdong": "广东"}


def fmt(x: float) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def block(wall: float, peak: float, c: dict, s: dict | None) -> str:
    r = c["reasons"]
    lines = [BEGIN, "",
             f"由 `python scripts/readme_figures.py` 于 {time.strftime('%Y-%m-%d')} 生成"
             f"（{platform.machine()}，{os.cpu_count()} 核，运行时系统负载 {os.getloadavg()[0]:.1f}；"
             "数字来自一次全新构建与评分，请勿手改）。", "",
             "| 量 | 数值 |", "|---|---|",
             f"| 冷启动 `plangraph build data/plans`（新进程，含关联） | {wall:.1f} 秒，峰值内存 {peak:.0f} MiB |",
             f"| 规划 | 已载入 {c['plans_loaded']} 个，仅被引用的上级规划 {c['plans_unloaded']} 个 |",
             f"| 任务 / 项目 / 指标 | {c['tasks']} / {c['projects']} / {c['indicators']} |",
             f"| 上级规划关联（条目级 / 规划级） | {c['item_links']} / {c['plan_links']} |",
             f"| 重叠任务（OVERLAPS） | {c['overlaps']} |",
             f"| 度量（Measure，同一指标跨规划归为一个） / 指标→度量（MEASURES） | {c['measures']} / {c['measures_edges']} |",
             f"| 需处理的孤立项：上级规划中无对应 / 下级未分解落实 / 待审核 | {r.get('no_match', 0)} / "
             f"{r.get('not_broken_down', 0)} / {r.get('review', 0)} |",
             f"| 因上级规划未载入而无法追溯的条目 | {r.get('upper_not_loaded', 0)} |"]
    if s:
        t, ind, ln = s["tasks"], s["indicators"], s["links"]
        lines += ["", "开发集评分（`python ../shared/eval/score.py 导出.json ../shared/eval/dev`）：", "",
                  "| 评测项 | 结果 |", "|---|---|",
                  "| 任务+项目 精确率 / 召回率 | " + "；".join(f"{ZH.get(k, k)} {fmt(v['precision'])} / {fmt(v['recall'])}" for k, v in t.items()) + " |",
                  "| 指标行完全正确 | " + "；".join(f"{ZH.get(k, k)} {v['exact_rows']}/{v['gold_rows']}" for k, v in ind.items()) + " |",
                  "| 文中量化目标召回 | " + "；".join(f"{ZH.get(k, k)} {fmt(v['recall'])}" for k, v in s["prose_targets"].items()) + " |",
                  f"| 宿州→安徽 上级规划：召回 / 精确 / top-1 / 无对应项保持孤立 | {fmt(ln['recall_strong'])} / "
                  f"{fmt(ln['precision'])} / {fmt(ln['top1'])} / {fmt(ln['no_parent_kept_orphan'])} |",
                  f"| 同级规划重叠召回 / 误连的相似负例 | {fmt(s['peer_overlaps']['recall'])} / "
                  f"{fmt(s['peer_overlaps']['negatives_linked'])} |",
                  f"| 规划内重复召回 | {fmt(s['within_plan_duplicates']['recall'])} |",
                  f"| 同一指标跨规划配对召回 | {fmt(s['indicator_pairs']['recall'])} |"]
    else:
        lines += ["", "（未找到评测目录，开发集评分未生成。）"]
    return "\n".join(lines + ["", END])


def copy_screenshots(src: Path) -> list[str]:
    out = ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for f in sorted(src.glob("readme_*.png")):
        shutil.copyfile(f, out / f.name.removeprefix("readme_"))
        done.append(f.name)
    return done


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--screenshots", type=Path, default=ROOT / "artifacts")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="plangraph-figures-") as tmp:
        store = Path(tmp) / "store"
        wall, peak = build(store)
        c = counts(store)
        s = score(store, args.eval)
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        print(f"README.md 中没有 {BEGIN} … {END} 标记", file=sys.stderr)
        return 4
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    tmp_file = readme.with_name(".README.md.tmp")
    tmp_file.write_text(head + block(wall, peak, c, s) + tail, encoding="utf-8")
    tmp_file.replace(readme)
    shots = copy_screenshots(args.screenshots)
    print(f"README.md 已更新；截图 {len(shots)} 张 → docs/images/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
