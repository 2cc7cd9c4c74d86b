"""Time to first render of each explorer page on a built graph, in a real headless Chromium.

    .venv/bin/python benchmarks/bench_app.py [--store DIR] [--rounds 3] [--focus national|meeting|ID] [--target 2]

Starts ``streamlit run app.py`` on 127.0.0.1 against the embedded store (the seed build of data/plans,
built once into a temp dir unless --store/PLANGRAPH_SEED_STORE is given), then for every page measures
(a) the first load: a fresh page load of the page's URL (new session; process caches may be cold) and
(b) later visits: switching to the page from the sidebar, as a person does, with caches warm.
"Rendered" = the page script finished and its title is on screen (for 追溯 also the graph drawn).
The 追溯 page opens on a national task (the one most lower items implement) unless ``--focus meeting``
(the Anhui task a Suzhou task implements) or an item id is given. Prints the store's node and edge
counts, the machine's cores and one line per page: first load, median and max of the later visits, and the
kilobytes the server sent to the browser per later visit (what grows with the corpus if a page is not bounded).
Target: ≤2 s per page after the first load on the national graph (``--target``). Needs ``bash scripts/browser.sh``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph_builder.store import EmbeddedStore  # noqa: E402
from graph_builder.ui.cdp import CHROMIUM, Browser, free_port, page_ready_js, start_app, stop, wait_http  # noqa: E402
from graph_builder.ui.style import PAGE_SPECS  # noqa: E402

TITLES = {"overview": "概览", "trace": "追溯", "orphans": "孤立与重叠", "responsibility": "责任分工",
          "indicators": "指标对照", "outline": "规划大纲", "search": "检索"}
GRAPH_READY = ("(() => [...document.querySelectorAll('iframe')].some(f => { try { return f.contentWindow.pgReady; }"
               " catch (e) { return false; } }))()")


def focus_item(store: EmbeddedStore, how: str = "national") -> str | None:
    """The item the 追溯 page opens on: ``national`` = the national task most lower items implement directly;
    ``meeting`` = an Anhui task that a Suzhou task implements (the meeting example); else *how* is an id."""
    g = store.load()
    if how not in ("national", "meeting"):
        return how if how in g.nodes else None
    region = {p.id: p.get("region") or "" for p in g.by_label("Plan")}
    level = {p.id: p.get("level") for p in g.by_label("Plan")}
    best = None
    lower_links: dict[str, int] = {}
    for e in g.edges_of("上级规划"):
        s, t = g.nodes.get(e.source), g.nodes.get(e.target)
        if not s or not t or s.label == "Plan" or e.get("status") == "rejected":
            continue
        lower_links[t.id] = lower_links.get(t.id, 0) + 1
        rank = 0 if ("宿州" in region.get(s.plan, "") and "安徽" in region.get(t.plan, "")) else 1
        if best is None or rank < best[0]:
            best = (rank, t.id)
    if how == "national":
        national = [(n, i) for i, n in lower_links.items() if level.get(g.nodes[i].get("plan")) == "national"]
        if national:
            return max(national)[1]
    return best[1] if best else None


def received_kb(browser: Browser) -> float:
    """Kilobytes the app server sent over its websocket since the last call (the page's deltas: tables are
    Arrow bytes), from the DevTools Network events; the events are cleared. What grows with the corpus shows here."""
    total = 0
    for ev in browser.events:
        if ev.get("method") == "Network.webSocketFrameReceived":
            r = ev["params"]["response"]
            n = len(r.get("payloadData") or "")
            total += n * 3 // 4 if r.get("opcode") == 2 else n  # binary frames arrive base64-encoded
    browser.events.clear()
    return total / 1024


def timed(browser: Browser, title: str, want_graph: bool, timeout: float = 120) -> float:  # noqa: D401
    """Seconds until the page is rendered; ``inf`` past *timeout* (printed as a timeout, the run goes on)."""
    t0 = time.perf_counter()
    try:
        browser.wait_js(page_ready_js(title), timeout=timeout, interval=0.02)
        if want_graph:
            browser.wait_js(GRAPH_READY, timeout=timeout, interval=0.02)
    except TimeoutError:
        return float("inf")
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="embedded store directory (default: build data/plans once)")
    ap.add_argument("--rounds", type=int, default=3, help="sidebar visits per page after the first load")
    ap.add_argument("--app", type=Path, default=ROOT / "app.py")
    ap.add_argument("--focus", default="national", help="national | meeting | an item id (the 追溯 page's item)")
    ap.add_argument("--timeout", type=float, default=120, help="give up on a page after this many seconds (inf)")
    ap.add_argument("--target", type=float, default=2.0, help="seconds per page after the first load")
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print("需要 Chromium：bash scripts/browser.sh", file=sys.stderr)
        return 2
    if args.store:
        store_dir = args.store
    else:
        from tests.seed import seed_store_dir

        t0 = time.perf_counter()
        store_dir = seed_store_dir()
        print(f"seed build: {time.perf_counter() - t0:.1f} s → {store_dir}")
    store = EmbeddedStore(store_dir)
    counts = store.counts()
    g = store.load()
    print(f"store: {store_dir}")
    print(f"graph: {len(g.nodes)} nodes, {len(g.edges)} edges; machine: {os.cpu_count()} cores")
    print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    focus = focus_item(store, args.focus)
    if focus:
        print(f"追溯 focus: {focus} ({g.nodes[focus].title}; {len(store.query('trace_down', id=focus))} items below)")
    del g
    port = free_port()
    server = start_app(store_dir, port, Path(tempfile.mkdtemp()) / "review.csv", args.app)
    browser = None
    first: dict[str, float] = {}
    later: dict[str, list[float]] = {url: [] for _, _, url, _ in PAGE_SPECS}
    sent: dict[str, list[float]] = {url: [] for _, _, url, _ in PAGE_SPECS}
    try:
        t0 = time.perf_counter()
        wait_http(f"http://127.0.0.1:{port}/_stcore/health")
        print(f"server up: {time.perf_counter() - t0:.1f} s")
        browser = Browser()
        browser.call("Network.enable")
        for _, _, url, _ in PAGE_SPECS:
            q = f"?id={focus}" if url == "trace" and focus else ""
            path = "" if url == "overview" else url  # the default page lives at /
            browser.call("Page.navigate", url=f"http://127.0.0.1:{port}/{path}{q}")
            first[url] = timed(browser, TITLES[url], url == "trace" and bool(focus), args.timeout)
            print(f"  first load {url}: {first[url]:.2f} s", flush=True)
        for _ in range(args.rounds):
            for _, _, url, _ in PAGE_SPECS:
                path = "" if url == "overview" else url  # the default page lives at /
                browser.js("[...document.querySelectorAll('[data-testid=\"stSidebarNavLink\"]')]"
                           f".find(a => new URL(a.href).pathname === '/{path}').click()")
                received_kb(browser)
                later[url].append(timed(browser, TITLES[url], url == "trace" and bool(focus), args.timeout))
                time.sleep(0.3)  # deltas still arriving after the title shows are counted for this page
                sent[url].append(received_kb(browser))
    finally:
        if browser is not None:
            browser.close()
        stop(server)
    print(f"\n{'page':<16}{'first load (s)':>16}{'later, median (s)':>20}{'later, max (s)':>16}{'sent per visit (KB)':>22}")
    worst = 0.0
    for _, title, url, _ in PAGE_SPECS:
        med, mx = statistics.median(later[url]), max(later[url])
        worst = max(worst, mx)
        print(f"{title + ' ' + url:<16}{first[url]:>16.2f}{med:>20.2f}{mx:>16.2f}{statistics.median(sent[url]):>22.0f}")
    print(f"\ntarget ≤{args.target:g} s per page after the first load: {'met' if worst <= args.target else 'NOT met'}"
          f" (worst {worst:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
