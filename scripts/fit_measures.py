"""Fit the measure-key rules and threshold leave-one-section-out over the dev split; print the figures.

    .venv/bin/python scripts/fit_measures.py [--answers ../shared/eval/dev] [--before MAIN_EXPORT.json]

Reads the gold indicator pairs (``indicator_pairs.json``) at fit time only; nothing is copied into
the project. Folds: each gold pair is put in the section of the upper (Anhui) plan's indicator table its
Anhui indicator belongs to (the table's 类别: 市场活力, 市场秩序, 市场安全, 消费环境); a held-out fold is a
section whose pairs the fit never saw. Fitted = chosen and scored on all pairs; unseen = for each fold,
the configuration chosen on the other folds, scored on that fold (pairs pooled over folds).

What is fitted: ``same_measure`` (link.toml) and whether each rule group of link_indicator_words.toml is
on (scope prefixes, synonyms, filler/count/unit words, word order, dictionary guard). Objective on the
training folds: same-pair recall minus the share of "related" (different-measure) pairs put on one
Measure; ties go to the shipped configuration. ``--before`` scores an export of the main branch (its
上级规划/SAME_MEASURE edges) on the same folds.
"""
from __future__ import annotations

import argparse
import copy
import importlib.util
import itertools
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph_builder import measures  # noqa: E402
from graph_builder.link import load_config  # noqa: E402
from graph_builder.link.indicators import group_keys, indicator_key  # noqa: E402
from graph_builder.models import Node  # noqa: E402

RULES = {  # rule group → keys of link_indicator_words.toml it switches off
    "prefixes": ["prefixes"],
    "synonyms": ["synonyms", "rewrites"],
    "unit_words": ["filler_words", "suffixes", "unit_words"],
    "word_order": ["order_invariant"],
    "dictionary_guard": ["dictionary_guard"],
}
THRESHOLDS = (0.8, 0.85, 0.9, 0.95, 1.0)
# The issue's own examples of unseen same-measure pairs (issue 8), checked on the seed corpus.
ISSUE_EXAMPLES = [("期末市场主体总量", "全省市场主体总量"), ("在册市场主体总量", "全省市场主体总量"),
                  ("知识产权质押融资登记金额", "知识产权质押登记融资金额"),
                  ("专利密集型产业增加值占GDP比重", "专利密集型产业增加值占地区生产总值的比重"),
                  ("每千人企业拥有数", "全省每千人拥有企业户")]


def _scorer(answers: Path):
    spec = importlib.util.spec_from_file_location("plangraph_score", answers.parent / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def _build_export(out: Path) -> None:
    from graph_builder.export import export_graph
    from graph_builder.pipeline import build
    from graph_builder.store import EmbeddedStore

    with tempfile.TemporaryDirectory() as d:
        store = EmbeddedStore(Path(d) / "s")
        build([ROOT / "data" / "plans"], store)
        export_graph(store.load(), "json", out)


def _with_rules(off: tuple[str, ...]) -> None:
    base = copy.deepcopy(_BASE)
    for group in off:
        for k in RULES[group]:
            base[k] = False if isinstance(base.get(k), bool) else []
    live = measures.words()  # the cached dict every caller reads: change it in place
    live.clear()
    live.update(base)
    for f in (measures.measure_key, measures.prose_measure_text, measures._prose_rx):
        f.cache_clear()


def _assign(inds: list[dict], threshold: float) -> dict[str, str]:
    """Indicator id → measure representative under the current rules."""
    keyed = {n["id"]: indicator_key(Node(n["id"], "Indicator", n)) for n in inds}
    rep = group_keys(list(keyed.values()), threshold)
    return {i: rep[k] for i, k in keyed.items() if k}


def _rate(pairs, same_measure) -> tuple[int, int]:
    return sum(1 for a, b in pairs if same_measure(a, b)), len(pairs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answers", type=Path, default=ROOT.parent.parent / "shared" / "eval" / "dev")
    ap.add_argument("--export", type=Path, help="an export of this branch (built from data/plans when absent)")
    ap.add_argument("--before", type=Path, help="an export of the main branch, scored on the same folds")
    a = ap.parse_args(argv)
    if not (a.answers / "indicator_pairs.json").exists():
        a.answers = Path("/work/shared/eval/dev")
    sc = _scorer(a.answers)
    gold = json.loads((a.answers / "indicator_pairs.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as d:
        export = a.export or Path(d) / "export.json"
        if a.export is None:
            _build_export(export)
        ex = sc.Export(export)

    def node(ex, side):
        items = ex.items(side["plan"], ("Indicator",))
        best = max(items, key=lambda c: sc.name_sim(side["name"], c.get("name")), default=None)
        return best if best is not None and sc.name_sim(side["name"], best.get("name")) >= 0.8 else None

    folds: dict[str, dict[str, list]] = {}
    for p in gold:
        a_node, b_node = node(ex, p["a"]), node(ex, p["b"])
        upper = a_node if p["a"]["plan"] == "anhui" else b_node
        fold = (upper or {}).get("category") or "其他"
        kind = "same" if p["relation"] == "same" else "related"
        folds.setdefault(fold, {"same": [], "related": []})[kind].append(
            (a_node["id"] if a_node else None, b_node["id"] if b_node else None))
    loaded = {n["id"] for n in ex.nodes.values() if n.get("label") == "Plan" and n.get("loaded") is not False}
    inds = [n for n in ex.nodes.values() if n.get("label") == "Indicator" and n.get("plan") in loaded]
    shipped = load_config().indicators.same_measure

    configs = [(t, off) for t in THRESHOLDS for r in range(len(RULES) + 1) for off in itertools.combinations(RULES, r)]
    results: dict = {}
    for t, off in configs:
        _with_rules(off)
        m = _assign(inds, t)
        same = lambda x, y, m=m: bool(x and y and m.get(x) is not None and m.get(x) == m.get(y))  # noqa: E731
        results[(t, off)] = {f: (_rate(v["same"], same), _rate(v["related"], same)) for f, v in folds.items()}

    def objective(cfg, fs):
        hit = sum(results[cfg][f][0][0] for f in fs)
        n = sum(results[cfg][f][0][1] for f in fs)
        bad = sum(results[cfg][f][1][0] for f in fs)
        nr = sum(results[cfg][f][1][1] for f in fs)
        return (hit / n if n else 0) - (bad / nr if nr else 0)

    default = (shipped, ())
    order = sorted(configs, key=lambda c: (c != default, len(c[1]), abs(c[0] - shipped)))

    def choose(fs):
        return max(order, key=lambda c: objective(c, fs))  # max keeps the first of equals: the shipped one

    def pooled(pick):
        hit = n = bad = nr = 0
        for f in folds:
            (h, k), (b, r) = results[pick(f)][f]
            hit, n, bad, nr = hit + h, n + k, bad + b, nr + r
        return hit, n, bad, nr

    def show(label, fig):
        hit, n, bad, nr = fig
        print(f"{label}：同一指标召回 {hit}/{n} = {hit / n:.3f}；不同指标被并为一个 Measure {bad}/{nr}")

    print(f"折（按安徽指标表的类别分组）：" + "，".join(f"{f} {len(v['same'])}+{len(v['related'])}" for f, v in folds.items()))
    fitted = choose(list(folds))
    show(f"拟合（全部折，选出 same_measure={fitted[0]}，关闭规则 {list(fitted[1]) or '无'}）", pooled(lambda f: fitted))
    show("留一折（未见折，各折用其余折选出的配置）", pooled(lambda f: choose([g for g in folds if g != f])))
    show(f"现行配置（same_measure={shipped}，全部规则）", pooled(lambda f: default))
    for group in RULES:
        show(f"  去掉规则 {group}", pooled(lambda f, g=group: (shipped, (g,))))
    if a.before:
        bx = sc.Export(a.before)
        es = sc._edges(bx, {"上级规划", "SAME_MEASURE"}, undirected=True)
        ids = {}
        for p in gold:
            ids[(p["a"]["plan"], p["a"]["name"])] = node(bx, p["a"])
            ids[(p["b"]["plan"], p["b"]["name"])] = node(bx, p["b"])
        hit = n = bad = nr = 0
        for p in gold:
            x, y = ids[(p["a"]["plan"], p["a"]["name"])], ids[(p["b"]["plan"], p["b"]["name"])]
            linked = bool(x and y and any(e["target"] == y["id"] for e in es.get(x["id"], [])))
            if p["relation"] == "same":
                hit, n = hit + linked, n + 1
            else:
                bad, nr = bad + linked, nr + 1
        show(f"改动前（{a.before.name}，成对 SAME_MEASURE/上级规划；无可拟合项，拟合=未见）", (hit, n, bad, nr))
        bnames: dict = {}
        for n in bx.nodes.values():
            if n.get("label") == "Indicator":
                bnames.setdefault(n.get("name"), []).append(n["id"])
        ok = sum(1 for x, y in ISSUE_EXAMPLES if any(e["target"] == j for i in bnames.get(x, []) for e in es.get(i, [])
                                                     for j in bnames.get(y, [])))
        print(f"改动前：议题 8 所列未见示例 {ok}/{len(ISSUE_EXAMPLES)} 对相连")
    _with_rules(())
    m = _assign(inds, shipped)
    by_name = {}
    for n in inds:
        by_name.setdefault(n.get("name"), []).append(n["id"])
    ok = sum(1 for x, y in ISSUE_EXAMPLES if any(m.get(i) and m.get(i) == m.get(j)
                                                 for i in by_name.get(x, []) for j in by_name.get(y, [])))
    print(f"议题 8 所列未见示例（种子语料中的名称）：{ok}/{len(ISSUE_EXAMPLES)} 对落在同一 Measure")
    return 0


_BASE = copy.deepcopy(measures.words())

if __name__ == "__main__":
    sys.exit(main())
