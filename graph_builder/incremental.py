"""Incremental builds: re-extract only changed files (by content hash), relink only plans whose chain changed.

The embedded store keeps ``build-index.json`` next to the graph: the code/config fingerprint of the last
build, whether it was linked, and per file its SHA-256 and the plan it produced. The index is written
*after* the graph, so a crash between the two only makes the next build re-extract more, never less.

A plan is *dirty* when its file changed or appeared, or its upper chain (plan → upper plans, as
``link_plans`` computes it) changed, or a plan on its chain is dirty. Dirty plans are relinked in a
sub-graph holding them, their upper chains and the other plans of their regions; their old link edges
are replaced by the new ones, every other plan's links stay as stored. Peer overlaps of a dirty plan are
therefore found among that sub-graph only, and corpus-wide text statistics are those of the sub-graph;
a full ``plangraph build --full`` recomputes everything.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

from .errors import StoreError
from .fileio import file_sha
from .models import Graph, Node
from .progress import Progress, ProgressEvent, null_progress

INDEX_FILE = "build-index.json"
INDEX_SCHEMA = "plangraph-build-index/1"
SHARED_PLANLESS = ("Agency", "Region")
#: the code and data that decide what a build produces (the CLI, stores and UI do not)
# Code that only reads or presents the graph; every other module (new ones included) shapes it.
PRESENTATION_DIRS = ("ui", "cli", "store")
PRESENTATION_MODULES = ("analyse.py", "bench.py", "briefing.py", "export.py", "goal.py", "orphan_report.py",
                        "queries.py", "traversal.py", "settings.py", "safeout.py", "neo4j_bulk.py", "progress.py")


def fingerprint(overrides: dict | None, decisions: Path | None, link: bool, files: Iterable[Path] = ()) -> str:
    """Hash of everything besides the files that shapes the graph: code, patterns, the manifest entries of
    *files* (entries are keyed by file name), review decisions."""
    h = hashlib.sha256()
    pkg = resources.files("graph_builder")
    for f in sorted(Path(str(pkg)).rglob("*")):
        rel = f.relative_to(Path(str(pkg)))
        if f.is_file() and f.suffix in (".py", ".toml", ".txt", ".csv", ".json") and "__pycache__" not in f.parts \
                and rel.parts[0] not in PRESENTATION_DIRS and rel.as_posix() not in PRESENTATION_MODULES:
            h.update(rel.as_posix().encode())
            h.update(f.read_bytes())
    names = {Path(f).name for f in files}
    used = {k: v for k, v in (overrides or {}).items() if k in names}
    h.update(json.dumps(used, sort_keys=True, ensure_ascii=False).encode())
    if decisions is not None and Path(decisions).exists():
        h.update(Path(decisions).read_bytes())
    h.update(b"link" if link else b"nolink")
    return h.hexdigest()


@dataclass(slots=True)
class BuildIndex:
    fingerprint: str = ""
    linked: bool = False
    files: dict[str, dict] = field(default_factory=dict)  # absolute path -> {"sha", "plan"}
    chains: dict[str, list[str]] = field(default_factory=dict)  # plan -> plans above it, for graph.json `gen`
    gen: str = ""

    @classmethod
    def load(cls, directory: Path) -> "BuildIndex | None":
        path = Path(directory) / INDEX_FILE
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("schema") != INDEX_SCHEMA:
            return None
        return cls(data.get("fingerprint", ""), bool(data.get("linked")), dict(data.get("files", {})),
                   dict(data.get("chains", {})), str(data.get("gen", "")))

    def save(self, directory: Path) -> None:
        from .store.embedded import atomic_write_text

        atomic_write_text(Path(directory) / INDEX_FILE, json.dumps(
            {"schema": INDEX_SCHEMA, "fingerprint": self.fingerprint, "linked": self.linked, "files": self.files,
             "chains": self.chains, "gen": self.gen}, ensure_ascii=False, indent=0, sort_keys=True))

    def set_chains(self, chain: dict[str, frozenset[str]], gen: str | None) -> None:
        """Remember every plan's upper chain in graph *gen* (``plangraph add`` then computes only the new ones)."""
        self.chains = {p: sorted(up) for p, up in chain.items()} if gen else {}
        self.gen = gen or ""

    def chains_for(self, gen: str) -> dict[str, frozenset[str]] | None:
        return {p: frozenset(up) for p, up in self.chains.items()} if gen and self.gen == gen else None

    def plans(self) -> set[str]:
        return {v["plan"] for v in self.files.values() if v.get("plan")}


def key(path: Path) -> str:
    return str(Path(path).resolve())


def store_directory(store) -> Path | None:
    """The directory of an embedded store (incremental builds need one), else None."""
    return getattr(store, "directory", None) if getattr(store, "backend", None) == "embedded" else None


def record_full_build(store, files: Iterable[Path], results, fp: str, linked: bool, graph: Graph | None = None) -> None:
    """After a full build: remember each successfully built file's hash and plan (and, for a linked *graph*,
    every plan's upper chain)."""
    directory = store_directory(store)
    if directory is None:
        return
    by_path = {key(Path(r.path)): r for r in results}
    idx = BuildIndex(fp, linked)
    for f in files:
        r = by_path.get(key(f))
        if r is None or r.error:
            continue  # failed files are retried next time
        idx.files[key(f)] = {"sha": file_sha(f), "plan": None if r.duplicate_of else r.plan_id}
    if linked and graph is not None:
        idx.set_chains(chains(plan_skeleton(graph)), _graph_gen(directory))
    idx.save(directory)


def _graph_gen(directory: Path) -> str | None:
    from .store import segments

    return segments.file_gen(Path(directory) / "graph.json")


def save_vocab(store, vocab: list) -> None:
    """Keep the repair vocabulary of the graph just written (``plangraph add`` updates it, see repair.save_state)."""
    from .repair import save_state
    from .store import segments

    directory = store_directory(store)
    gen = segments.file_gen(Path(directory) / "graph.json") if directory is not None else None
    if gen and vocab:
        save_state(directory, gen, vocab[-1])


# ---------------------------------------------------------------- graph surgery
def owner(n: Node) -> str | None:
    return n.id if n.label == "Plan" else n.props.get("plan")


def drop_plans(graph: Graph, plan_ids: set[str]) -> None:
    """Remove every node owned by *plan_ids* and every edge touching them."""
    if not plan_ids:
        return
    gone = {nid for nid, n in graph.nodes.items() if owner(n) in plan_ids}
    for nid in gone:
        graph.pop_node(nid)
    for e in graph.edges:
        if e.source in gone or e.target in gone:
            graph.remove_edge(e.key)


def prune_shared(graph: Graph, also_touched: Iterable[str] = (), also_targets: Iterable[str] = (),
                 partial: bool = False) -> None:
    """Drop shared nodes a clean build would not have: agencies and measures without edges, regions no loaded
    plan covers or lies under, placeholder plans nothing links to.

    Only shared nodes (no owning plan), regions and placeholders can go: the edge pass only records those
    few thousand candidates. *also_touched*/*also_targets*: shared nodes that edges not in *graph* touch /
    point at (``plangraph add`` holds only some plans in memory; the segment index knows the rest).
    *partial*: edges into plans not in memory are kept (only those touching a pruned node go).
    """
    cand = {nid for nid, n in graph.nodes.items()
            if (n.label == "Plan" and n.props.get("loaded") is False) or n.label == "Region"
            or (n.label != "Plan" and n.props.get("plan") is None)}
    touched: set[str] = set()
    targets: set[str] = set()
    parent: dict[str, str] = {}
    covered: list[str] = []
    for e in graph.edges:
        s_in, t_in = e.source in cand, e.target in cand
        if s_in:
            touched.add(e.source)
        if t_in:
            touched.add(e.target)
            targets.add(e.target)
        if e.type == "WITHIN":
            parent[e.source] = e.target
        elif e.type == "COVERS":
            covered.append(e.target)
    touched.update(also_touched)
    targets.update(also_targets)
    live_regions: set[str] = set()
    for r in covered:
        while r is not None and r not in live_regions:
            live_regions.add(r)
            r = parent.get(r)
    gone = set()
    for nid in cand:
        n = graph.nodes[nid]
        if (n.label not in ("Region", "Plan") and nid not in touched) \
                or (n.label == "Region" and nid not in live_regions) \
                or (n.label == "Plan" and nid not in targets):
            gone.add(nid)
    for nid in gone:
        graph.pop_node(nid)
    nodes = graph.nodes
    for e in graph.edges:
        if e.source in gone or e.target in gone or (not partial and (e.source not in nodes or e.target not in nodes)):
            graph.remove_edge(e.key)


def plan_skeleton(graph: Graph) -> Graph:
    """Loaded plans and regions only: enough for ``link_plans`` to compute every plan's upper chain."""
    g = Graph(n for n in graph.nodes.values()
              if n.label == "Region" or (n.label == "Plan" and n.props.get("loaded") is not False))
    for t in ("COVERS", "WITHIN"):
        for e in graph.edges_of(t):
            if e.source in g.nodes and e.target in g.nodes:
                g.add_edge(e)
    return g


def chains(skeleton: Graph) -> dict[str, frozenset[str]]:
    """Loaded plan id → the set of plans above it (placeholders included)."""
    from .link.config import load_config
    from .link.plans import link_plans, upper_closure

    direct = link_plans(skeleton, load_config(None).plans)
    return {p.id: frozenset(upper_closure(direct, p.id)) for p in skeleton.by_label("Plan")
            if p.props.get("loaded") is not False}


def dirty_plans(old: dict[str, frozenset[str]], new: dict[str, frozenset[str]], changed: set[str]) -> set[str]:
    """Plans to relink: changed ones, those whose chain changed, those with a changed plan on their chain."""
    return {p for p, up in new.items() if p in changed or old.get(p) != up or up & changed}


def relink_context(graph: Graph, dirty: set[str], chain: dict[str, frozenset[str]]) -> set[str]:
    """The plans a relink of *dirty* works on: them, the loaded plans above them, the other plans of their regions."""
    region_of = {p.id: p.props.get("region") for p in graph.by_label("Plan") if p.props.get("loaded") is not False}
    dirty_regions = {region_of.get(p) for p in dirty} - {None}
    context = set(dirty)
    for p in dirty:
        context |= {u for u in chain.get(p, ()) if u in region_of}
    context |= {p for p, r in region_of.items() if r in dirty_regions}
    return context


def relink(graph: Graph, dirty: set[str], chain: dict[str, frozenset[str]], decisions: Path | None,
           progress: Progress = null_progress) -> int:
    """Relink *dirty* plans in a sub-graph; replace their link edges in *graph*. Returns the edges written."""
    from .link import link_graph
    from .link.view import LINK_TYPES

    if not dirty:
        return 0
    context = relink_context(graph, dirty, chain)
    members = [n for n in graph.nodes.values()
               if owner(n) in context or (owner(n) is None and n.label in SHARED_PLANLESS)]
    dirty_ids = {n.id for n in members if owner(n) in dirty}  # every node a dirty plan owns
    sub = Graph(members)
    del members
    for e in graph.edges:
        if e.type not in LINK_TYPES and e.source in sub.nodes and e.target in sub.nodes:
            sub.add_edge(e)
    link_graph(sub, decisions_path=decisions, progress=progress)

    dirty_ids |= {nid for nid, n in sub.nodes.items() if owner(n) in dirty}  # and any the relink added

    def is_dirty(nid: str) -> bool:
        return nid in dirty_ids

    for e in graph.edges:
        if e.type in LINK_TYPES and (is_dirty(e.source) or is_dirty(e.target)):
            graph.remove_edge(e.key)
    for nid, n in sub.nodes.items():
        if owner(n) in dirty:
            graph.set_node(n)  # link marks (local, local_changed) as the relink left them
    fresh = set(sub.nodes) - set(graph.nodes)  # placeholders and hubs the relink created
    written = 0
    for e in sub.edges:
        if (e.type in LINK_TYPES and (is_dirty(e.source) or is_dirty(e.target))) or e.source in fresh or e.target in fresh:
            for nid in (e.source, e.target):
                if nid not in graph.nodes:
                    graph.add_node(sub.nodes[nid])
            graph.add_edge(e)
            written += 1
    return written


# ---------------------------------------------------------------- the incremental build
def build_incremental(files: list[Path], store, idx: BuildIndex, *, progress: Progress, overrides: dict | None,
                      link: bool, decisions: Path | None, fp: str, trust_unchanged: bool = False):
    """Update the stored graph to *files*: extract changed/new ones, drop removed ones, relink dirty plans.

    *trust_unchanged* (``plangraph add``): files already in the index count as unchanged without rehashing.
    """
    from .extract_files import BuildReport, apply_divisions, extract_all, is_division, ocr_cache_dir
    from .repair import repair_graph
    from .responsibility import assign_responsibility

    report = BuildReport()
    t0 = time.perf_counter()
    plan_files = [f for f in files if not is_division(f)]
    current = {key(f): f for f in plan_files}
    shas: dict[str, str] = {}
    changed: list[Path] = []
    for k, f in current.items():
        old = idx.files.get(k)
        if trust_unchanged and old is not None and old.get("sha"):
            shas[k] = old["sha"]
            continue
        shas[k] = file_sha(f)
        if old is None or old.get("sha") != shas[k]:
            changed.append(f)
    removed = [k for k in idx.files if k not in current]
    report.timings["hash"] = time.perf_counter() - t0
    if not changed and not removed and not any(is_division(f) for f in files):
        report.warnings.insert(0, f"增量构建：{len(current)} 个文件均未变化，图谱保持不变（完整重建：--full）")
        return report

    if trust_unchanged and link == idx.linked and not any(is_division(f) for f in files):
        state = _partial_state(store)
        if state is not None:
            return _build_partial(changed, removed, current, shas, store, idx, state, report, progress=progress,
                                  overrides=overrides, link=link, decisions=decisions, fp=fp)

    loaded = store.load()  # the store caches this object: work on a shallow copy, so a failed write leaves it intact
    graph = loaded.copy()
    del loaded
    old_chain = chains(plan_skeleton(graph)) if link and idx.linked else {}
    extractions, _ = extract_all(changed, progress, report, overrides=overrides, cache_dir=ocr_cache_dir(store),
                                 repair=False)
    t1 = time.perf_counter()
    failed = {key(Path(fr.path)) for fr in report.failed}
    drop = {idx.files[k]["plan"] for k in removed if idx.files[k].get("plan")}
    drop |= {idx.files[key(f)]["plan"] for f in changed
             if key(f) in idx.files and idx.files[key(f)].get("plan") and key(f) not in failed}
    kept_plans = idx.plans() - drop
    new = Graph()
    by_path = {key(Path(fr.path)): fr for fr in report.files}
    for ex in extractions:
        if ex.plan.id in kept_plans:
            fr = next(fr for fr in report.files if fr.plan_id == ex.plan.id and fr.duplicate_of is None)
            fr.duplicate_of = next(k for k, v in idx.files.items() if v.get("plan") == ex.plan.id)
            report.warnings.append(f"{fr.path}: 与 {fr.duplicate_of} 是同一份规划，只保留一份")
            continue
        new.merge(ex.graph)
    assign_responsibility(new)
    drop_plans(graph, drop)
    graph.merge(new)
    # the whole corpus is the repair vocabulary, as in a clean build (a rerun equals a clean run)
    vocab: list = []
    report.warnings.extend(repair_graph(graph, report={p.id for p in new.by_label("Plan")}, keep=vocab))
    for fr in report.failed:
        if key(Path(fr.path)) in idx.files and idx.files[key(Path(fr.path))].get("plan"):
            fr.kept_previous = True
    report.divisions = [f for f in files if is_division(f)]
    apply_divisions(graph, report)
    prune_shared(graph)
    report.timings["merge"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    n_dirty = 0
    if link:
        new_chain = chains(plan_skeleton(graph))
        changed_ids = {p.id for p in new.by_label("Plan")} | drop
        dirty = set(new_chain) if not idx.linked else dirty_plans(old_chain, new_chain, changed_ids)
        n_dirty = len(dirty)
        progress(ProgressEvent("link", f"{n_dirty} 份规划", 0, 1, "关联"))
        relink(graph, dirty, new_chain, decisions, progress)
        prune_shared(graph)
        progress(ProgressEvent("link", f"{n_dirty} 份规划", 1, 1, "完成"))
    report.timings["link"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    progress(ProgressEvent("store", "图谱", 0, 1, "写入"))
    store.replace_all(graph)
    progress(ProgressEvent("store", "图谱", 1, 1, "完成"))
    out = BuildIndex(fp, link and (idx.linked or n_dirty >= 0))
    if link:
        out.set_chains(new_chain, _graph_gen(store.directory))
    for k in current:
        if k in failed:
            if k in idx.files:
                out.files[k] = idx.files[k]
            continue
        fr = by_path.get(k)
        if fr is None:  # unchanged
            out.files[k] = idx.files[k]
        else:
            out.files[k] = {"sha": shas[k], "plan": None if fr.duplicate_of else fr.plan_id}
    out.save(store.directory)
    save_vocab(store, vocab)
    report.timings["store"] = time.perf_counter() - t3
    report.warnings.insert(0, f"增量构建：{len(changed)} 个文件有变化，{len(removed)} 个已删除，"
                              f"{len(current) - len(changed)} 个未变；重新关联 {n_dirty} 份规划（完整重建：--full）")
    return report


# ---------------------------------------------------------------- plangraph add: only the plans it touches
def _partial_state(store):
    """(segment layout, repair vocabulary) of the stored graph when both are valid, else None (whole-graph path)."""
    from .repair import load_state
    from .store import segments

    layout = segments.load_index(store.directory)
    if layout is None:
        return None
    vocab = load_state(store.directory, layout.gen)
    return None if vocab is None else (layout, vocab)


def _new_index(idx: BuildIndex, fp: str, link: bool, current: dict, shas: dict, report, failed: set) -> BuildIndex:
    out = BuildIndex(fp, link)
    by_path = {key(Path(fr.path)): fr for fr in report.files}
    for k in current:
        if k in failed:
            if k in idx.files:
                out.files[k] = idx.files[k]
            continue
        fr = by_path.get(k)
        out.files[k] = idx.files[k] if fr is None else {"sha": shas[k], "plan": None if fr.duplicate_of else fr.plan_id}
    return out


def _build_partial(changed: list[Path], removed: list[str], current: dict, shas: dict, store, idx: BuildIndex,
                   state, report, *, progress: Progress, overrides: dict | None, link: bool,
                   decisions: Path | None, fp: str):
    """``plangraph add`` on a plan-grouped store: read the shared segment (plans, regions, agencies, measures),
    the plans dropped or relinked and those with edges into them; copy every other plan's bytes.

    The same steps as the whole-graph path, with two differences a full build removes: the added plans are
    repaired against the stored vocabulary (every plan) but the other plans keep the repairs they have, and
    shared nodes are pruned with the segment index's record of what the unread plans reference.
    """
    from .extract_files import extract_all, ocr_cache_dir
    from .repair import _repair_nodes, plan_texts, save_state, update_state
    from .responsibility import assign_responsibility
    from .store import segments as sg

    layout, vocab = state
    file = store.file
    t1 = time.perf_counter()
    graph = sg.read(file, layout, [sg.SHARED])
    old_chain = (idx.chains_for(layout.gen) or chains(plan_skeleton(graph))) if link else {}
    report.timings["read"] = time.perf_counter() - t1
    extractions, _ = extract_all(changed, progress, report, overrides=overrides, cache_dir=ocr_cache_dir(store),
                                 repair=False)
    t1 = time.perf_counter()
    failed = {key(Path(fr.path)) for fr in report.failed}
    drop = {idx.files[k]["plan"] for k in removed if idx.files[k].get("plan")}
    drop |= {idx.files[key(f)]["plan"] for f in changed
             if key(f) in idx.files and idx.files[key(f)].get("plan") and key(f) not in failed}
    kept_plans = idx.plans() - drop
    new = Graph()
    for ex in extractions:
        if ex.plan.id in kept_plans:
            fr = next(fr for fr in report.files if fr.plan_id == ex.plan.id and fr.duplicate_of is None)
            fr.duplicate_of = next(k for k, v in idx.files.items() if v.get("plan") == ex.plan.id)
            report.warnings.append(f"{fr.path}: 与 {fr.duplicate_of} 是同一份规划，只保留一份")
            continue
        new.merge(ex.graph)
    assign_responsibility(new)

    into = layout.inbound()
    loaded = {sg.SHARED} | {d for d in drop if d in layout.segments} | {r for d in drop for r in into.get(d, ())}
    graph.merge(sg.read(file, layout, loaded - {sg.SHARED}))
    drop_texts = {d: plan_texts([n for n in graph.nodes.values() if owner(n) == d]) for d in drop if d in graph.nodes}
    drop_plans(graph, drop)
    graph.merge(new)
    added = [p.id for p in new.by_label("Plan") if p.props.get("loaded") is not False]
    members: dict[str, list] = {p: [] for p in added}
    for nid in new.nodes:
        n = graph.nodes[nid]
        if owner(n) in members:
            members[owner(n)].append(n)
    plans = [(p, graph.nodes[p].props.get("source") or p, members[p]) for p in added]
    update_state(vocab, drop_texts, {p: plan_texts(ns) for p, _, ns in plans})
    report.warnings.extend(_repair_nodes(plans, corpus=vocab))
    for fr in report.failed:
        if key(Path(fr.path)) in idx.files and idx.files[key(Path(fr.path))].get("plan"):
            fr.kept_previous = True

    def unread_refs() -> tuple[set[str], set[str]]:
        touched, targets = set(), set()
        for s, seg in layout.segments.items():
            if s not in loaded and s not in drop:
                touched.update(seg.refs)
                targets.update(seg.targets)
        return touched, targets

    prune_shared(graph, *unread_refs(), partial=True)
    report.timings["merge"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    n_dirty = 0
    if link:
        new_chain = chains(plan_skeleton(graph))
        dirty = dirty_plans(old_chain, new_chain, set(added) | drop)
        n_dirty = len(dirty)
        need = (relink_context(graph, dirty, new_chain) | {r for p in dirty for r in into.get(p, ())})
        need = {s for s in need if s in layout.segments} - loaded - drop
        graph.merge(sg.read(file, layout, need))
        loaded |= need
        progress(ProgressEvent("link", f"{n_dirty} 份规划", 0, 1, "关联"))
        relink(graph, dirty, new_chain, decisions, progress)
        prune_shared(graph, *unread_refs(), partial=True)
        progress(ProgressEvent("link", f"{n_dirty} 份规划", 1, 1, "完成"))
    report.timings["link"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    progress(ProgressEvent("store", "图谱", 0, 1, "写入"))
    parts = sg.split(graph)
    stray = set(parts) - loaded - set(added)
    if stray:  # every node in memory came from a read segment or an added plan
        raise StoreError(f"内部错误：未读取的规划段被改写（{sorted(stray)[:3]}）")
    nodes = graph.nodes

    def seg_of(nid: str) -> str | None:
        n = nodes.get(nid)
        return None if n is None else sg.node_segment(n)

    new_layout = sg.rewrite(file, layout, parts, (loaded | drop) - set(parts), seg_of, loaded=loaded | set(added))
    progress(ProgressEvent("store", "图谱", 1, 1, "完成"))
    out = _new_index(idx, fp, link, current, shas, report, failed)
    if link:
        out.set_chains(new_chain, new_layout.gen)
    out.save(store.directory)
    save_state(store.directory, new_layout.gen, vocab)
    report.timings["store"] = time.perf_counter() - t3
    report.warnings.insert(0, f"增量构建：{len(changed)} 个文件有变化，{len(removed)} 个已删除，"
                              f"{len(current) - len(changed)} 个未变；重新关联 {n_dirty} 份规划，"
                              f"读取 {len(loaded) - 1} 份规划的数据（完整重建：--full）")
    return report
