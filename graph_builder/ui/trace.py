"""The trace view: a focus item's chain up and down all levels, as a capped view model and as pyvis HTML.

Built only from ``trace_up``/``trace_down`` and per-node edge look-ups, so it is the same on Neo4j (which
then answers a handful of small queries) and on the embedded store. The view is capped: beyond ``cap``
nodes the rest is paged and summarised per plan, so a national goal with hundreds of county tasks
does not freeze a projector laptop.
"""
from __future__ import annotations

import functools
import html
import json
import math
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..models import LEVEL_RANK, RESPONSIBLE, UPPER, Node
from ..safeout import script_json
from .style import LABEL_ZH, LEVEL_COLOR, LEVEL_ZH, STATUS_ZH, short

DEFAULT_CAP = 300
ITEM_LABELS = ("Task", "Project", "Indicator")


@dataclass
class ViewNode:
    id: str
    label: str
    plan: str | None
    title: str
    level: str | None
    depth: int  # < 0 above the focus, > 0 below
    text: str = ""
    agencies: list[tuple[str, str]] = field(default_factory=list)
    aggregate: int = 0  # > 0: a placeholder standing for this many hidden items of one plan


@dataclass
class ViewEdge:
    type: str
    source: str
    target: str
    score: float | None = None
    status: str | None = None
    evidence: str = ""


@dataclass
class TraceView:
    focus: str
    nodes: dict[str, ViewNode]
    edges: list[ViewEdge]
    plans: dict[str, Node]
    total: int  # items in the whole chain (focus included), before capping
    page: int = 0
    pages: int = 1

    @property
    def hidden(self) -> int:
        return sum(n.aggregate for n in self.nodes.values())

    def plan_names(self) -> list[str]:
        """Plans drawn in the view, top level first (for captions and the browser test)."""
        seen = {n.plan for n in self.nodes.values() if n.plan}
        ps = sorted((self.plans[p] for p in seen if p in self.plans),
                    key=lambda p: (LEVEL_RANK.get(p.get("level"), 9), p.get("region") or ""))
        return [p.title for p in ps]


def evidence_text(ev: Any) -> str:
    """Evidence is a string or a list of shared passages (linking keeps a list); show it as one line."""
    if isinstance(ev, (list, tuple)):
        return " … ".join(str(x) for x in ev if x)
    return str(ev or "")


def _text_of(node: Node) -> str:
    if node.label == "Indicator":
        parts = [f"基期值 {node.get('baseline') or '—'}", f"目标值 {node.get('target') or '—'}",
                 f"单位 {node.get('unit') or '—'}", node.get("attribute") or ""]
        return "；".join(p for p in parts if p)
    return str(node.get("text") or "")


def chain_members(store, focus: str, expanded: Iterable[str] = (), max_depth: int = 6) -> dict[str, tuple[int, dict]]:
    """id → (signed depth, row) for the focus's chain plus one level around each expanded node."""
    members: dict[str, tuple[int, dict]] = {focus: (0, {"id": focus})}
    for r in store.query("trace_up", id=focus, max_depth=max_depth):
        members.setdefault(r["id"], (-int(r["depth"]), r))
    for r in store.query("trace_down", id=focus, max_depth=max_depth):
        members.setdefault(r["id"], (int(r["depth"]), r))
    for x in expanded:
        if x not in members:
            continue
        d = members[x][0]
        for r in store.query("trace_up", id=x, max_depth=1):
            members.setdefault(r["id"], (d - 1, r))
        for r in store.query("trace_down", id=x, max_depth=1):
            members.setdefault(r["id"], (d + 1, r))
        for e in store.edges("OVERLAPS", source=x) + store.edges("OVERLAPS", target=x):
            other = e.target if e.source == x else e.source
            members.setdefault(other, (d, {"id": other}))
    return members


def _province_of(store, pid: str, plan_of) -> str:
    """The province-level (or national) plan above *pid* through Plan→Plan 上级规划 links, else *pid* itself."""
    seen = {pid}
    cur = pid
    while True:
        p = plan_of(cur)
        if p is None or p.get("level") in ("province", "national"):
            return cur
        ups = sorted(e.target for e in store.edges(UPPER, source=cur)
                     if e.get("status") != "rejected" and e.target not in seen)
        ups = [u for u in ups if (plan_of(u) is not None and plan_of(u).label == "Plan")]
        if not ups:
            return cur
        cur = ups[0]
        seen.add(cur)


def build_trace_view(store, focus: str, expanded: Iterable[str] = (), *, max_depth: int = 6,
                     cap: int = DEFAULT_CAP, page: int = 0) -> TraceView:
    """The capped view model around *focus* (raises ConfigError when the trace queries are unavailable)."""
    members = chain_members(store, focus, expanded, max_depth)
    order = sorted((i for i in members if i != focus), key=lambda i: (abs(members[i][0]), members[i][0], i))
    per_page = max(1, cap - 1)
    pages = max(1, math.ceil(len(order) / per_page))
    page = min(max(0, page), pages - 1)
    shown = [focus] + order[page * per_page:(page + 1) * per_page]
    hidden = [i for i in order if i not in set(shown)]

    plans: dict[str, Node] = {}

    def plan_of(pid: str | None) -> Node | None:
        if pid and pid not in plans:
            p = store.node(pid)
            if p is not None:
                plans[pid] = p
        return plans.get(pid) if pid else None

    nodes: dict[str, ViewNode] = {}
    for nid in shown:
        n = store.node(nid)
        if n is None:
            continue
        p = plan_of(n.plan)
        ags = []
        for e in store.edges(RESPONSIBLE, target=nid):
            a = store.node(e.source)
            ags.append(((a.title if a else e.source), str(e.get("role") or "")))
        nodes[nid] = ViewNode(nid, n.label, n.plan, n.title, p.get("level") if p else None,
                              members[nid][0], _text_of(n), sorted(ags))
    # hidden items: one placeholder per (plan, side of the focus); at national scale per province instead,
    # so a national task's thousands of county items never turn into hundreds of placeholders
    groups: dict[tuple[str, int], list[str]] = {}
    for nid in hidden:
        d, row = members[nid]
        groups.setdefault((row.get("plan") or "?", -1 if d < 0 else 1), []).append(nid)
    if len(groups) > max(1, cap // 10):
        merged: dict[tuple[str, int], list[str]] = {}
        for (pid, side), ids in groups.items():
            merged.setdefault((_province_of(store, pid, plan_of), side), []).extend(ids)
        groups = merged
    for (pid, side), ids in sorted(groups.items()):
        p = plan_of(pid)
        agg_id = f"agg:{pid}:{side}"
        where = "" if all(members[i][1].get("plan") == pid for i in ids) else "（含下级）"
        nodes[agg_id] = ViewNode(agg_id, "Aggregate", pid, f"另有 {len(ids)} 项{where}（未显示）",
                                 p.get("level") if p else None, side * 99, aggregate=len(ids))

    edges: list[ViewEdge] = []
    for nid in list(nodes):
        if nid.startswith("agg:"):
            continue
        for e in store.edges(UPPER, source=nid):
            if e.target in nodes and e.get("status") != "rejected":
                edges.append(ViewEdge(UPPER, nid, e.target, e.get("score"), e.get("status"), evidence_text(e.get("evidence"))))
        for e in store.edges("OVERLAPS", source=nid):
            if e.target in nodes:
                edges.append(ViewEdge("OVERLAPS", nid, e.target, e.get("score"), e.get("kind"), evidence_text(e.get("evidence"))))
    for agg_id, vn in nodes.items():
        if vn.aggregate:
            src, dst = (focus, agg_id) if vn.depth < 0 else (agg_id, focus)
            edges.append(ViewEdge("AGG", src, dst))
    return TraceView(focus, nodes, edges, plans, total=len(members), page=page, pages=pages)


# ------------------------------------------------------------------ pyvis rendering

_CDN_TAG = re.compile(r'<link[^>]*cdn\.jsdelivr[^>]*/>|<script[^>]*cdn\.jsdelivr[^>]*>\s*</script>', re.S)
_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>")


def _detail_html(view: TraceView, n: ViewNode) -> str:
    """What a click on a node shows: plan, text, evidence of its links, responsible agencies."""
    esc = html.escape
    plan = view.plans.get(n.plan or "")
    rows = [f"<b>{esc(n.title)}</b>",
            f"<div class='m'>{esc(LABEL_ZH.get(n.label, n.label))} · {esc(LEVEL_ZH.get(n.level, ''))} · "
            f"{esc(plan.title if plan else (n.plan or ''))}</div>"]
    if n.text:
        rows.append(f"<div class='t'>{esc(n.text)}</div>")
    ev = [e for e in view.edges if e.type == UPPER and n.id in (e.source, e.target) and e.evidence]
    for e in ev[:4]:
        other = view.nodes.get(e.target if e.source == n.id else e.source)
        rows.append(f"<div class='e'>依据（{esc(other.title if other else '')}，{e.score if e.score is not None else ''}，"
                    f"{esc(STATUS_ZH.get(e.status, e.status or ''))}）：{esc(e.evidence)}</div>")
    if n.agencies:
        rows.append("<div class='a'>责任单位：" + "；".join(f"{esc(a)}（{esc(r)}）" for a, r in n.agencies) + "</div>")
    elif n.label in ("Task", "Project"):
        rows.append("<div class='a'>责任单位：未明确</div>")
    rows.append(f"<div class='m'>ID {esc(n.id)}</div>")
    return "".join(rows)


def _vis_options(meeting: bool) -> dict[str, Any]:
    return {
        "layout": {"hierarchical": {"enabled": True, "direction": "UD", "sortMethod": "directed",
                                    "levelSeparation": 170 if meeting else 140, "nodeSpacing": 230 if meeting else 190,
                                    "treeSpacing": 220, "blockShifting": True, "edgeMinimization": True,
                                    "parentCentralization": True}},
        "physics": {"enabled": False},
        "interaction": {"hover": True, "dragNodes": True, "navigationButtons": False, "keyboard": False,
                        "tooltipDelay": 150},
        "nodes": {"shape": "box", "margin": 10, "widthConstraint": {"maximum": 220 if meeting else 180},
                  "font": {"size": 24 if meeting else 15, "color": "#ffffff",
                           "face": "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"}},
        "edges": {"smooth": {"enabled": True, "type": "cubicBezier", "forceDirection": "vertical", "roundness": 0.4},
                  "font": {"size": 12, "align": "horizontal", "strokeWidth": 3, "color": "#333333"}},
    }


_EXTRA = """
<style>
  body {margin:0; font-family: "Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif; background:%(bg)s}
  .card {border:none !important}
  #mynetwork {border:none !important}
  #pg-panel {position:absolute; right:8px; top:8px; width:320px; max-height:85%%; overflow:auto; background:#ffffffee;
             border:1px solid #ccc; border-radius:8px; padding:10px 12px; font-size:%(panel)spx; line-height:1.6; display:none; z-index:5}
  #pg-panel .m {color:#666; font-size:0.85em} #pg-panel .t {margin:6px 0} #pg-panel .e {margin:6px 0; color:#7a4b00}
  #pg-panel .a {margin:6px 0; color:#0b5394}
  #pg-tools {position:absolute; left:8px; top:8px; z-index:6}
  #pg-tools button {font-size:13px; padding:3px 10px; margin-right:4px; border:1px solid #bbb; border-radius:5px; background:#fff; cursor:pointer}
</style>
<div id="pg-tools"><button id="pg-png" type="button">下载 PNG</button><button id="pg-fit" type="button">适应窗口</button></div>
<div id="pg-panel"></div>
<script>
(function(){
  var net = window.network; if (!net) return;
  var panel = document.getElementById('pg-panel');
  function tipEl(t){ var d = document.createElement('div'); d.className = 'pg-tip'; d.textContent = t; return d; }
  nodes.update(nodes.get().filter(function(n){ return n.tip; }).map(function(n){ return {id: n.id, title: tipEl(n.tip)}; }));
  edges.update(edges.get().filter(function(e){ return e.tip; }).map(function(e){ return {id: e.id, title: tipEl(e.tip)}; }));
  net.on('beforeDrawing', function(ctx){ ctx.save(); ctx.setTransform(1,0,0,1,0,0);
    ctx.fillStyle='%(bg)s'; ctx.fillRect(0,0,ctx.canvas.width,ctx.canvas.height); ctx.restore(); });
  net.on('click', function(p){
    if (!p.nodes.length) { panel.style.display='none'; return; }
    var n = nodes.get(p.nodes[0]); panel.innerHTML = n.detail || ''; panel.style.display='block';
  });
  document.getElementById('pg-fit').onclick = function(){ net.fit(); };
  document.getElementById('pg-png').onclick = function(){
    var c = document.querySelector('#mynetwork canvas'); var a = document.createElement('a');
    a.href = c.toDataURL('image/png'); a.download = %(fname)s; document.body.appendChild(a); a.click(); a.remove();
  };
  window.pgReady = true;
})();
</script>
"""


_TOOLTIP_CSS = (".vis-tooltip{position:absolute;visibility:hidden;padding:6px 8px;white-space:pre-wrap;max-width:420px;"
                "font-size:14px;color:#111;background:#fffbe6;border:1px solid #c9c9c9;border-radius:4px;"
                "box-shadow:2px 2px 8px rgba(0,0,0,.15);pointer-events:none;z-index:5}")


@functools.lru_cache(maxsize=1)
def _vis_css() -> str:
    import pyvis

    path = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.css"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def render_html(view: TraceView, *, meeting: bool = False, height: int = 640) -> str:
    """Self-contained pyvis HTML (vis-network inlined, no CDN, no temp file) for ``st.iframe`` and export."""
    from pyvis.network import Network

    bg = "#ffffff"
    net = Network(height=f"{height}px", width="100%", directed=True, bgcolor=bg, cdn_resources="in_line")
    levels = {n.level for n in view.nodes.values()}
    for n in view.nodes.values():
        plan = view.plans.get(n.plan or "")
        region = (plan.get("region") if plan else None) or (LEVEL_ZH.get(n.level) if n.level else "")
        rank = LEVEL_RANK.get(n.level) if n.level in LEVEL_RANK else None
        if rank is None:  # unknown level: place by depth relative to the focus
            rank = max(0, min(3, 1 + n.depth)) if len(levels) > 1 else 0
        is_focus = n.id == view.focus
        if meeting:
            label = f"{region}\n{short(n.title, 10)}" if (is_focus or n.aggregate) else f"{region}\n{short(n.title, 6)}"
        else:
            label = f"{region} · {LABEL_ZH.get(n.label, '')}\n{short(n.title, 22)}" if not n.aggregate else f"{region}\n{n.title}"
        color = LEVEL_COLOR.get(n.level, LEVEL_COLOR[None])
        # the tooltip travels as plain data ("tip") and becomes a text-only DOM node in the page script: no
        # "title" reaches pyvis, so its innerHTML popup template (chosen when a title contains "href") is never used
        opts = {"level": rank, "shape": "box", "tip": f"{n.title}\n{short(n.text, 120)}",
                "color": {"background": color, "border": "#111111" if is_focus else color,
                          "highlight": {"background": color, "border": "#000000"}},
                "borderWidth": 4 if is_focus else 1, "detail": _detail_html(view, n) if not n.aggregate else
                f"<b>{html.escape(n.title)}</b><div class='m'>{html.escape(region or '')}：请翻页或缩小范围查看</div>",
                "plan": plan.title if plan else (n.plan or ""), "region": region or ""}
        if n.label == "Slot":  # a loaded lower plan that did not pick the goal up (未承接)
            label = f"{region}\n未承接"
            opts.update(shapeProperties={"borderDashes": [6, 4]}, color={"background": "#ffffff", "border": "#999999"},
                        font={"color": "#777777"}, title=f"{region}：未承接",
                        detail=f"<b>{html.escape(region or '')}：未承接</b><div class='t'>{html.escape(n.text)}</div>")
        elif n.aggregate:
            opts["shapeProperties"] = {"borderDashes": [6, 4]}
            opts["color"] = {"background": "#ffffff", "border": color}
            opts["font"] = {"color": color}
        if is_focus:
            opts["font"] = {"size": 28 if meeting else 17, "color": "#ffffff", "bold": True}
        net.add_node(n.id, label=label, **opts)
    for e in view.edges:
        if e.type == UPPER:
            lab = "" if meeting else (f"{e.score:.2f}" if isinstance(e.score, (int, float)) else "")
            if not meeting and e.status in ("accepted", "suspect"):
                lab += " 确认" if e.status == "accepted" else " 存疑"
            net.add_edge(e.source, e.target, label=lab, tip=f"上级规划 {STATUS_ZH.get(e.status, '')}\n{short(e.evidence, 120)}",
                         width=3 if e.status == "accepted" else 2, dashes=e.status not in ("accepted",),
                         color="#e67e22" if e.status == "suspect" else "#555555", arrows="to")
        elif e.type == "OVERLAPS":
            net.add_edge(e.source, e.target, label="" if meeting else f"重叠 {e.score:.2f}" if e.score is not None else "重叠",
                         dashes=[2, 6], color="#8e44ad", arrows="", width=2)
        else:
            net.add_edge(e.source, e.target, dashes=[4, 4], color="#aaaaaa", arrows="")
    net.set_options(json.dumps(_vis_options(meeting), ensure_ascii=False))
    out = net.generate_html(notebook=False)
    out = _HEADING.sub("", _CDN_TAG.sub("", out))
    css = _vis_css()
    if css and css in out:  # 220 kB of icons for buttons we do not use; only the tooltip style matters
        out = out.replace(css, _TOOLTIP_CSS, 1)
    fname = script_json(f"追溯_{short(view.nodes[view.focus].title if view.focus in view.nodes else 'graph', 20)}.png")
    extra = _EXTRA % {"bg": bg, "panel": 18 if meeting else 14, "fname": fname}
    out = out.replace("</body>", extra + "\n</body>")
    return _with_csp(out)


_SCRIPT_TAG = re.compile(r"(^[ \t]*)<script(?=[ >])", re.M)


def _with_csp(page: str) -> str:
    """A restrictive Content-Security-Policy: only this page's own scripts (by nonce) run, nothing is loaded
    from the network, and no inline event handler (``onerror=…``) can fire even if markup slipped through."""
    nonce = secrets.token_urlsafe(16)
    page = _SCRIPT_TAG.sub(lambda m: f'{m.group(1)}<script nonce="{nonce}"', page)  # tags only, not "<script>" in JS
    csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data: blob:; "
           "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
    return page.replace("<head>", "<head>\n" + meta, 1) if "<head>" in page else meta + page
