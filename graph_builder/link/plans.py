"""Plan-level ``上级规划``: which plans sit above which, from the region hierarchy and the citations.

Rules (DOMAIN.md): a special plan (专项规划) sits under the *upper* level's special plan and under
its *own* level's general plan (纲要). The first is ``kind: special`` (found from the region chain,
confirmed by a cited title); the second ``kind: general`` (only when the plan cites its 纲要).
An upper plan missing from the corpus becomes a ``loaded: false`` placeholder whose id depends only on
region and kind, so loading the real plan later simply replaces it. A region missing from the chain is
skipped, never invented; the national level always exists above the provinces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import networkx as nx

from ..extract.plan_region import is_national_cite
from ..models import UPPER, Edge, Graph, Node, stable_id
from .config import PlanConfig
from ..regions import resolve_region
from .text import bigrams, norm, simplify

NATIONAL = "全国"
_GENERAL = re.compile(r"国民经济和社会发展.*(纲要|规划)")
_REGION_PREFIX = re.compile(r"^(.{1,10}?(?:自治区|自治州|省|市|县|区|盟|州))")
_PLAN_WORD = re.compile(r"(规划|纲要)$")


@dataclass(slots=True)
class PlanInfo:
    id: str
    title: str
    region: str | None
    level: str | None
    loaded: bool
    kind: str  # special | general
    cites: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Regions:
    """Region names → parent name and level, from Region nodes, WITHIN edges and Plan COVERS."""

    parent: dict[str, str | None] = field(default_factory=dict)
    level: dict[str, str | None] = field(default_factory=dict)
    _tree: nx.DiGraph | None = field(default=None, repr=False, compare=False)

    def set_parent(self, name: str, parent: str | None) -> None:
        """Change a parent (use this, not ``parent[...] =``: the walk graph is rebuilt on the next chain)."""
        if parent is None:
            self.parent.pop(name, None)
        else:
            self.parent[name] = parent
        self._tree = None

    def chain(self, name: str | None) -> list[str]:
        """Ancestors of *name*, nearest first (excluding itself): a networkx walk up child → parent edges."""
        if not name or name not in self.parent:
            return []
        if self._tree is None:
            self._tree = nx.DiGraph((c, p) for c, p in self.parent.items() if p and p != c)
        if name not in self._tree:
            return []
        return [n for n in nx.dfs_preorder_nodes(self._tree, name) if n != name]


def plan_kind(title: str) -> str:
    return "general" if _GENERAL.search(simplify(title)) else "special"


def read_regions(graph: Graph) -> Regions:
    regs = Regions()
    by_id = {n.id: n for n in graph.by_label("Region")}
    for n in by_id.values():
        name = simplify(n.get("name") or "")
        regs.level[name] = n.get("level")
        p = n.get("parent")
        if p:
            regs.set_parent(name, simplify(by_id[p].get("name")) if p in by_id else simplify(p))
    for e in graph.edges_of("WITHIN"):
        a, b = by_id.get(e.source), by_id.get(e.target)
        if a and b:
            regs.set_parent(simplify(a.get("name")), simplify(b.get("name")))
    for name, lvl in list(regs.level.items()):
        if lvl == "national":
            regs.set_parent(name, None)
    return regs


def plan_infos(graph: Graph) -> dict[str, PlanInfo]:
    """Every Plan node, with its region resolved through COVERS when the property is empty."""
    covers: dict[str, str] = {}
    for e in graph.edges_of("COVERS"):
        r = graph.nodes.get(e.target)
        if r is not None:
            covers.setdefault(e.source, simplify(r.get("name") or ""))
    out = {}
    for p in graph.by_label("Plan"):
        region = covers.get(p.id) or (simplify(p.get("region")) if p.get("region") else None)
        out[p.id] = PlanInfo(p.id, p.title, region, p.get("level"), p.get("loaded", True) is not False,
                             plan_kind(p.title), [simplify(c) for c in (p.get("cites") or [])])
    return out


def placeholder_id(region: str, kind: str) -> str:
    """Stable id of an upper plan that is not in the corpus (region + kind, never the guessed title)."""
    return stable_id("plan", "upper", region, kind)


def link_plans(graph: Graph, cfg: PlanConfig) -> dict[str, list[str]]:
    """Add Plan→Plan ``上级规划`` edges and placeholders; return plan id → direct upper plan ids."""
    regs = read_regions(graph)
    infos = plan_infos(graph)
    loaded = [p for p in infos.values() if p.loaded]
    # A national region may be absent from the Region nodes: provinces then hang under 全国.
    for p in loaded:
        if p.region and p.level and p.level != "national":
            regs.level.setdefault(p.region, p.level)
    national_names = {n for n, lvl in regs.level.items() if lvl == "national"} | {NATIONAL, "中国", "国家"}
    for p in loaded:
        if p.level == "national" and p.region:
            national_names.add(p.region)
    # the nation's name as the Region nodes spell it (中国), else 全国
    nation = next((n for n, lvl in sorted(regs.level.items()) if lvl == "national"), NATIONAL)
    for name, lvl in list(regs.level.items()):
        if lvl == "province" and not regs.parent.get(name):
            regs.set_parent(name, nation)
    regs.level.setdefault(nation, "national")
    region_ids = {simplify(n.get("name") or ""): n.id for n in graph.by_label("Region")}

    def region_key(region: str | None, level: str | None) -> str | None:
        if level == "national" or (region in national_names):
            return nation
        return region

    special_at: dict[str, list[PlanInfo]] = {}
    general_at: dict[str, list[PlanInfo]] = {}
    for p in loaded:
        key = region_key(p.region, p.level)
        if key:
            (general_at if p.kind == "general" else special_at).setdefault(key, []).append(p)

    ups: dict[str, dict[str, dict]] = {}

    def add(low: str, up: str, kind: str, method: str, evidence: str) -> None:
        rec = ups.setdefault(low, {}).setdefault(up, {"kind": kind, "methods": set(), "evidence": []})
        rec["methods"].add(method)
        if evidence not in rec["evidence"]:
            rec["evidence"].append(evidence)

    def ensure_placeholder(region: str, kind: str, title: str | None) -> str:
        pid = placeholder_id(region, kind)
        level = "national" if region == nation else regs.level.get(region)
        old = graph.nodes.get(pid)
        if title is not None:
            title = title.strip("《》 ")
        else:
            title = old.title if old is not None else (
                f"{region}{'国民经济和社会发展规划纲要' if kind == 'general' else '上级专项规划'}（未载入）")
        graph.add_node(Node(pid, "Plan", {"title": title, "region": region, "level": level, "issuer": None,
                                          "date": None, "source": None, "loaded": False, "doc_no": None,
                                          "cites": [], "kind": kind}))
        if region in region_ids:
            graph.add_edge(Edge("COVERS", pid, region_ids[region]))
        return pid

    # 1. region chain: nearest upper level with a loaded special plan, else a placeholder there.
    def link_up_from(pid: str, region: str | None, level: str | None) -> None:
        if region_key(region, level) == nation:
            return
        chain = regs.chain(region)
        if not chain:
            return
        nxt = chain[0]
        key = region_key(nxt, regs.level.get(nxt))
        found = [u for u in special_at.get(key, []) if u.id != pid]
        if found:
            for u in found:
                add(pid, u.id, "special", "region", f"行政区划：{region} ⊂ {nxt}")
        else:
            ph = ensure_placeholder(key, "special", None)
            add(pid, ph, "special", "region", f"行政区划：{region} ⊂ {nxt}")
            if ph not in ups:
                ups.setdefault(ph, {})
                link_up_from(ph, key, regs.level.get(key))

    for p in loaded:
        if p.kind == "special":
            link_up_from(p.id, p.region, p.level)

    # 2. citations: confirm/refine the special chain, add the own-level general plan.
    all_plans = list(infos.values())
    known_regions = sorted(set(regs.level) | {p.region for p in all_plans if p.region}, key=len, reverse=True)
    region_prefixes: dict[str, str] = {}  # normalised name → region, longest names first (as _cited_region ranks)
    for r in known_regions:
        region_prefixes.setdefault(norm(r), r)
    titles = _TitleIndex([q for q in all_plans if q.loaded])
    for p in loaded:
        own = region_key(p.region, p.level)
        upper_regions = [region_key(r, regs.level.get(r)) for r in regs.chain(p.region)] if own != nation else []
        for cite in p.cites:
            c = norm(cite)
            if not c:
                continue
            best, best_s = None, 0.0
            if _PLAN_WORD.search(c):
                best, best_s = titles.best(c, exclude=p.id)
            matched = best if best is not None and best_s >= cfg.cite_match else None
            if is_national_cite(c) and not _GENERAL.search(c):
                if own == nation:
                    continue
                if matched is not None and region_key(matched.region, matched.level) == nation:
                    add(p.id, matched.id, "special", "cites", cite)  # the national plan, cited by its title
                elif p.level == "province":
                    # a vague national citation (国家有关规划): only a province cites national plans directly;
                    # lower plans reach them transitively
                    targets = special_at.get(nation) or []
                    for u in targets:
                        add(p.id, u.id, "special", "cites", cite)
                    if not targets:
                        add(p.id, ensure_placeholder(nation, "special", None), "special", "cites", cite)
                continue
            if not _PLAN_WORD.search(c):
                continue  # regulations, measures, standards: not plans
            cited_region = _cited_region(c, region_prefixes, [p.region, *regs.chain(p.region)] if p.region else [])
            if cited_region is None and matched is not None:
                cited_region = matched.region  # a title naming no region (“十四五”市场监管现代化规划)
            kind = "general" if _GENERAL.search(c) else "special"
            if matched is not None and region_key(matched.region, matched.level) == region_key(cited_region, regs.level.get(cited_region or "")) and matched.kind == kind:
                target_key = region_key(matched.region, matched.level)
                if kind == "general" and target_key == own and cfg.link_general:
                    add(p.id, matched.id, "general", "cites", cite)
                elif kind == "special" and target_key in upper_regions:
                    add(p.id, matched.id, "special", "cites", cite)
                continue
            if cited_region is None:
                continue
            ck = region_key(cited_region, regs.level.get(cited_region))
            if kind == "general" and ck == own and cfg.link_general:
                for u in general_at.get(ck) or []:  # the loaded 纲要, titled differently than cited
                    add(p.id, u.id, "general", "cites", cite)
                if not general_at.get(ck):
                    add(p.id, ensure_placeholder(ck, "general", cite), "general", "cites", cite)
            elif kind == "special" and ck in upper_regions and not special_at.get(ck):
                add(p.id, ensure_placeholder(ck, "special", cite), "special", "cites", cite)

    # 3. write edges
    direct: dict[str, list[str]] = {}
    for low, targets in ups.items():
        for up, rec in targets.items():
            methods = sorted(rec["methods"])
            graph.add_edge(Edge(UPPER, low, up, {
                "score": 1.0, "method": "+".join(methods), "evidence": rec["evidence"][:4],
                "status": "suggested", "kind": rec["kind"]}))
            direct.setdefault(low, []).append(up)
    return direct


class _TitleIndex:
    """Char-bigram sets of the loaded plans' titles as one sparse matrix: the best-matching title of a
    citation is one sparse product instead of a Dice call per plan (quadratic at national scale).
    Scores equal ``dice`` exactly; ties go to the earlier plan, as a scan in order would."""

    def __init__(self, plans: list[PlanInfo]):
        import numpy as np
        from scipy import sparse

        self.plans = plans
        self.pos = {q.id: k for k, q in enumerate(plans)}
        self.vocab: dict[str, int] = {}
        rows, cols = [], []
        for k, q in enumerate(plans):
            for g in bigrams(norm(q.title)):
                rows.append(k)
                cols.append(self.vocab.setdefault(g, len(self.vocab)))
        self.np, self.size = np, np.bincount(np.array(rows, dtype=np.int64), minlength=len(plans))
        self.matrix_t = sparse.csr_matrix((np.ones(len(rows), dtype=np.float64), (cols, rows)),
                                          shape=(len(self.vocab), len(plans)))

    def best(self, cite: str, exclude: str) -> tuple["PlanInfo | None", float]:
        np = self.np
        grams = bigrams(cite)
        cols = sorted({self.vocab[g] for g in grams if g in self.vocab})
        if not grams or not self.plans or not cols:
            return None, 0.0
        inter = np.asarray(self.matrix_t[cols].sum(axis=0)).ravel()
        den = (len(grams) + self.size).astype(np.float64)
        s = np.where(self.size > 0, 2 * inter / np.maximum(den, 1), 0.0)
        if exclude in self.pos:
            s[self.pos[exclude]] = 0.0
        k = int(np.argmax(s))
        return (self.plans[k], float(s[k])) if s[k] > 0 else (None, 0.0)


def _cited_region(cite: str, prefixes: dict[str, str], own_chain: list[str]) -> str | None:
    """The region a cited title starts with: the plan's own region or one above it, also by its short
    printed name (鼓楼区 for 南京市鼓楼区); a region of the graph; else a division name (never 十四五市).
    *prefixes*: normalised region name → region (known regions, longest first)."""
    extra: dict[str, str] = {}
    for r in own_chain:
        info = resolve_region(r)
        if info is not None and info.full != r:
            extra.setdefault(norm(info.full), r)
    for n in range(len(cite), 0, -1):  # the longest name the citation starts with
        pre = cite[:n]
        hit = prefixes.get(pre) or extra.get(pre)
        if hit:
            return hit
    m = _REGION_PREFIX.match(cite)
    r = resolve_region(m.group(1)) if m else None
    return r.name if r is not None else None


def upper_closure(direct: dict[str, list[str]], plan_id: str) -> list[str]:
    """All plans above *plan_id* (transitively), nearest first."""
    out: list[str] = []
    frontier = list(direct.get(plan_id, []))
    while frontier:
        nxt = []
        for u in frontier:
            if u not in out and u != plan_id:
                out.append(u)
                nxt.extend(direct.get(u, []))
        frontier = nxt
    return out
