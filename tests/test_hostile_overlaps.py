"""Overlaps that grow linearly (issues 13 and 11): ``same_region`` between two plans of one government,
every kind bounded per task, no dense n×n matrix, and the on-demand "similar tasks in other plans"."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from graph_builder.link import load_config
from graph_builder.link.index import CorpusIndex
from graph_builder.link.overlaps import OverlapIndex, _cap_degree, _shared_pairs
from graph_builder.link.view import GraphView
from graph_builder.pipeline import build
from graph_builder.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "plans"
IP_TITLE = "安徽省“十四五”知识产权保护和运用规划"


@pytest.fixture(scope="module")
def region_graph(tmp_path_factory):
    """Anhui's market-regulation plan, an Anhui IP plan restating part of its tasks, and Zhejiang (a peer)."""
    d = tmp_path_factory.mktemp("region")
    plans = d / "plans"
    plans.mkdir()
    anhui = (SEEDS / "anhui-province.txt").read_text(encoding="utf-8")
    for name in ("anhui-province.txt", "zhejiang-province.txt", "guangdong-province.txt"):
        (plans / name).write_bytes((SEEDS / name).read_bytes())
    lines = anhui.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("三、主要任务"))
    body = lines[start:start + 40]
    (plans / "anhui-ip.txt").write_text("\n".join([IP_TITLE, "安徽省知识产权局", "一、总体要求", "加强知识产权保护。", *body]),
                                        encoding="utf-8")
    overrides = {"anhui-province.txt": {"title": "安徽省“十四五”市场监管规划"}, "anhui-ip.txt": {"title": IP_TITLE}}
    store = EmbeddedStore(d / "store")
    report = build([plans], store, overrides=overrides, decisions=d / "review.csv")
    assert not report.failed, report.failed
    return store.load()


def _kinds_between(g):
    plan = {n.id: n for n in g.by_label("Plan")}
    out = Counter()
    for e in g.edges_of("OVERLAPS"):
        a, b = plan[g.nodes[e.source].plan], plan[g.nodes[e.target].plan]
        out[(e.get("kind"), a.get("region") == b.get("region"), a.get("level") == b.get("level"), a.id == b.id)] += 1
    return out


def test_same_region_overlaps_between_plans_of_one_government(region_graph):
    g = region_graph
    ip = next(p for p in g.by_label("Plan") if p.title == IP_TITLE)
    ah = next(p for p in g.by_label("Plan") if p.title == "安徽省“十四五”市场监管规划")
    assert ip.get("region") == ah.get("region") == "安徽省"
    kinds = _kinds_between(g)
    assert kinds[("same_region", True, True, False)] >= 5, kinds
    # kinds are consistent with the plans they join
    assert all(not (k == "peer" and same_region) for (k, same_region, _l, _p) in kinds), kinds
    assert all(same_plan for (k, _r, _l, same_plan) in kinds if k == "within_plan")
    assert kinds[("peer", False, True, False)] > 0, "Zhejiang/Guangdong peers still found"


def test_every_overlap_kind_is_bounded_per_task(region_graph):
    oc = load_config().overlaps
    caps = {"peer": oc.peer_max_per_task, "same_region": oc.same_region_max_per_task, "within_plan": oc.within_max_per_task}
    deg = Counter()
    for e in region_graph.edges_of("OVERLAPS"):
        deg[(e.source, e.get("kind"))] += 1
        deg[(e.target, e.get("kind"))] += 1
    assert deg
    for (node, kind), n in deg.items():
        assert n <= caps[kind], (node, kind, n)


def test_degree_cap_keeps_best_first():
    r = np.array([0, 0, 0, 1, 2])
    c = np.array([1, 2, 3, 2, 3])
    s = np.array([0.9, 0.8, 0.1, 0.7, 0.6])
    kept = _cap_degree(r, c, s, 2)
    deg = Counter()
    for k in kept:
        deg[r[k]] += 1
        deg[c[k]] += 1
    assert max(deg.values()) <= 2 and 0 in kept and 2 not in kept


def test_candidate_pairs_are_capped_per_row_not_all_pairs():
    """200 identical rows: all share every column, yet each row keeps only top_k partners (no n² pairs)."""
    from scipy import sparse

    b = sparse.csr_matrix(np.ones((200, 5), dtype=np.float32))
    r, c, n = _shared_pairs(b, 1, budget=10_000, top_k=4)
    assert len(r) <= 200 * 4 and (r < c).all() and (n == 5).all()


def test_similar_tasks_in_other_plans_on_demand(region_graph):
    g = region_graph
    view = GraphView.build(g)
    index = CorpusIndex.build([it.text for it in view.items], load_config().text)
    plans = {p.id: p for p in g.by_label("Plan")}
    ox = OverlapIndex(view, index, plans, load_config().overlaps)
    ip = next(p for p in g.by_label("Plan") if p.title == IP_TITLE)
    i = view.items_by_plan[ip.id][3]
    hits = ox.similar(i, k=5)
    assert 0 < len(hits) <= 5
    assert all(view.items[j].plan != ip.id for j, _ in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    best = view.items[hits[0][0]]
    assert plans[best.plan].get("region") == "安徽省", "the restated task's source in the Anhui plan ranks first"


def test_similar_cli_lists_other_plans(tmp_path):
    import subprocess
    import sys

    d = tmp_path / "p"
    d.mkdir()
    for name in ("anhui-province.txt", "suzhou-city.txt"):
        (d / name).write_bytes((SEEDS / name).read_bytes())
    store = EmbeddedStore(tmp_path / "s")
    build([d], store, overrides={"anhui-province.txt": {"title": "安徽省“十四五”市场监管规划"}}, decisions=tmp_path / "r.csv")
    g = store.load()
    focus = next(n for n in g.by_label("Task") if n.title == "深入推进商事制度改革")
    r = subprocess.run([sys.executable, "-c", "import sys; from graph_builder.cli import main; sys.exit(main())",
                        "similar", focus.id, "-k", "3", "--store", str(store.directory)],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path,
                       env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    assert "宿州市" in r.stdout and "商事制度改革" in r.stdout.split("\n", 1)[1]
    bad = subprocess.run([sys.executable, "-c", "import sys; from graph_builder.cli import main; sys.exit(main())",
                          "similar", "task:nope", "--store", str(store.directory)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert bad.returncode == 4 and bad.stderr.strip().startswith("错误：") and "Traceback" not in bad.stderr
