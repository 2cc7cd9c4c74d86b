"""Task-level ``上级规划``: each lower Task/Project → the upper Task/Project(s) it implements.

Per lower plan, candidates come only from the loaded plans on its upper chain. Each (lower, upper)
pair gets features from three views of the text — copied passages, whole-item lexical similarity
and *clause alignment* (a lower task is often one sentence of a bigger upper task, or merges two) —
and from the structure of both documents: section alignment, the candidates of the lower item's
parent item (a box project or sub-item inherits them) and agreeing siblings. A logistic model whose
coefficients are fitted leave-one-section-out (``benchmarks/fit_links_loso.py``) turns them into a
calibrated confidence. At or above ``auto_accept`` the link is ``linked``; below it the best
candidates become ``suggested`` links for review; below ``min_score`` nothing is linked.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize as l2_normalize

from ..errors import ConfigError
from .abbrev import definitions, expand, pattern_terms
from .config import LinkConfig, TaskConfig
from .forked import map_ranges
from .index import ChainPostings, ClauseIndex, CorpusIndex, hash_clauses
from .text import clauses, covered_runs, dice, norm, shingles
from .view import GraphView

# Order of the model's inputs (coefficients in link.toml follow it).
BASE_FEATURES = ("copy", "lex", "title", "section", "clause_max", "clause_cover", "title_clause", "title_title")
STRUCT_FEATURES = ("inherit", "siblings")
FEATURES = BASE_FEATURES + STRUCT_FEATURES
_CLAUSE_ROWS = 20_000  # items per clause-hashing range (a range's clauses: ~250,000 strings)
_CHUNK = 64  # lower items per sparse product (memory: clauses of 64 items × upper-chain clauses × 4 bytes)


@dataclass(slots=True)
class Candidate:
    """One scored (lower, upper) pair with the evidence behind the score."""

    low: int
    up: int
    feats: dict[str, float]
    longest: int = 0
    base: float = 0.0  # confidence from the text alone
    score: float = 0.0  # calibrated confidence, structure included
    status: str = "suggested"
    passages: list[str] = field(default_factory=list)
    pairs: list[tuple[float, int, int]] | None = None  # matched clauses (similarity, lower clause, upper clause)

    @property
    def method(self) -> str:
        f = self.feats
        if self.longest and f.get("copy", 0) >= 0.3:
            return "copied"
        if f.get("inherit", 0) >= 0.5 and f.get("inherit", 0) * 0.8 > f.get("clause_max", 0):
            return "inherited"
        if f.get("clause_max", 0) >= 0.5 and f.get("clause_max", 0) > f.get("lex", 0) * 2:
            return "clause"
        return "copied+lexical" if self.longest else "lexical"


@dataclass(slots=True)
class PlanCandidates:
    """Everything about one lower plan that does not depend on the model's coefficients."""

    low_idxs: list[int]
    cands: dict[int, dict[int, Candidate]]  # lower idx → upper idx → candidate
    parent: dict[int, int]  # lower idx → its parent item (box project → task, sub-item → item)
    siblings: dict[int, list[int]]  # lower idx → other items of its section
    up_section: dict[int, str | None]


# ---------------------------------------------------------------- clause index


class ItemClauses:
    """One item's clauses as displayed, title first (deterministic, so they can be recomputed on demand)."""

    def __init__(self, view: GraphView, cfg: TaskConfig):
        self.view, self.cfg = view, cfg
        self._recent: dict[int, list[str]] = {}  # upper items recur across lower plans: a small cache

    def __call__(self, i: int) -> list[str]:
        got = self._recent.get(i)
        if got is None:
            if len(self._recent) >= 4096:
                self._recent.clear()
            got = self._recent[i] = self._clauses(i)
        return got

    def _clauses(self, i: int) -> list[str]:
        it = self.view.items[i]
        title = it.title or ""
        body = clauses(self.view.graph.nodes[it.id].get("text") or "", self.cfg.clause_split, self.cfg.clause_min_chars)
        if body and norm(body[0]).startswith(norm(title)):
            body = body[1:]
        return [title, *body]


def build_clause_index(view: GraphView, cfg: TaskConfig, workers: int = 1) -> ClauseIndex:
    """Clauses of every item (title first), with the corpus's and each plan's own abbreviations expanded.

    Items are cut and hashed in consecutive ranges (over *workers* forked processes when more than one);
    only numbers come back, the clause texts are recomputed on demand by ``display_of``."""
    g = view.graph
    display_of = ItemClauses(view, cfg)

    def plan_terms(plan: str) -> list:
        texts = []
        for i in view.items_by_plan.get(plan, []):
            n = g.nodes[view.items[i].id]
            texts.append(n.get("text") or "")
            texts.extend(n.get("notes") or [])
        return list(pattern_terms()) + definitions(texts)

    def per_item(a: int, b: int):
        plan, terms = None, []
        for it in view.items[a:b]:  # grouped by plan (the view's order): one plan's terms alive at a time
            if it.plan != plan:
                plan, terms = it.plan, plan_terms(it.plan)
            yield [(d, expand(norm(d), terms)) for d in display_of(it.idx)]

    parts, _ = map_ranges(lambda a, b: hash_clauses(per_item(a, b)), len(view.items), workers, _CLAUSE_ROWS)
    return ClauseIndex.from_parts(parts, display_of)


# ---------------------------------------------------------------- features


def _section_matrix(view: GraphView, index: CorpusIndex, idxs: list[int]) -> tuple[list[str], sparse.csr_matrix]:
    """Section id per distinct section among *idxs* and its L2-normalised summed vector."""
    secs: list[str] = []
    pos: dict[str, int] = {}
    rows, cols = [], []
    for i in idxs:
        s = view.items[i].section or f"item:{i}"
        if s not in pos:
            pos[s] = len(secs)
            secs.append(s)
        rows.append(pos[s])
        cols.append(i)
    agg = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(secs), len(view.items)))
    return secs, l2_normalize(agg @ index.content)


def shared_blocks(a: str, b: str, min_len: int = 4, limit: int = 4, b_grams: set[str] | None = None) -> list[str]:
    """Longest runs of *a* also found in *b* (evidence for a lexical link); linear in the text lengths."""
    k = min(4, min_len)
    runs = covered_runs(a, b_grams if b_grams is not None else set(shingles(b, k)), k, min_len)
    return [p.text for p in sorted(runs, key=len, reverse=True)[:limit]]


def _structure(view: GraphView, index: CorpusIndex, low_idxs: list[int], ratio: float
               ) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Parent item and siblings of each lower item, from the document's own structure.

    A box project's parent is the task the box follows, unless another task of the section is much
    more like it (a box printed after task 5 often serves the whole section): the followed task is
    kept while its similarity is at least *ratio* of the best one's.
    """
    g = view.graph
    pos = {i: k for k, i in enumerate(low_idxs)}
    own = index.lexical_block(low_idxs, low_idxs) if low_idxs else np.zeros((0, 0))
    by_section: dict[str | None, list[int]] = defaultdict(list)
    for i in low_idxs:
        by_section[view.items[i].section].append(i)
    line = {i: g.nodes[view.items[i].id].get("line") or 0 for i in low_idxs}
    parent: dict[int, int] = {}
    siblings: dict[int, list[int]] = {}
    for sec, members in by_section.items():
        sec_title = norm(g.nodes[sec].title) if sec and sec in g.nodes else ""
        head = next((i for i in members if sec_title and view.items[i].label == "Task"
                     and view.items[i].title_norm == sec_title), None)
        tasks = sorted((i for i in members if view.items[i].label == "Task"), key=lambda i: line[i])
        for i in members:
            siblings[i] = [s for s in members if s != i]
            if view.items[i].label == "Project":
                before = [t for t in tasks if line[t] <= line[i]]
                sims = {t: float(own[pos[i], pos[t]]) for t in tasks}
                best = max(tasks, key=lambda t: (sims[t], line[t] <= line[i], line[t]), default=None)
                if before and sims[before[-1]] >= ratio * sims[best]:
                    parent[i] = before[-1]
                elif best is not None and sims[best] > 0:
                    parent[i] = best
                elif head is not None:
                    parent[i] = head
            elif head is not None and i != head:  # an item under a heading that is itself a task
                parent[i] = head
        if head is None and sec and sec in view.parent_of:  # sub-items of a section nested in a task heading
            outer = view.section_of(sec)
            outer_title = norm(g.nodes[outer].title) if outer else ""
            for i in members:
                if i not in parent:
                    cand = [t for t in low_idxs if view.items[t].section == outer and view.items[t].label == "Task"
                            and view.items[t].title_norm == outer_title and outer_title]
                    if cand:
                        parent[i] = cand[0]
    return parent, siblings


def collect_candidates(view: GraphView, index: CorpusIndex, cidx: ClauseIndex, low_idxs: list[int],
                       up_idxs: list[int], cfg: LinkConfig, postings: ChainPostings | None = None
                       ) -> PlanCandidates:
    """Candidate upper items of every lower item with their text features (no model applied yet)."""
    tc = cfg.tasks
    parent, sibs = _structure(view, index, low_idxs, tc.box_parent_ratio)
    pc = PlanCandidates(list(low_idxs), {}, parent, sibs, {j: view.items[j].section for j in up_idxs})
    if not low_idxs or not up_idxs:
        return pc
    lex = index.lexical_block(low_idxs, up_idxs)
    if postings is None or postings.upper != list(up_idxs):
        postings = index.chain_postings(up_idxs)
    low_secs, low_sm = _section_matrix(view, index, low_idxs)
    if "sections" not in postings.cache:  # chain-side matrices: built once per upper chain, not per lower plan
        postings.cache["sections"] = _section_matrix(view, index, up_idxs)
    up_secs, up_sm = postings.cache["sections"]
    sec_sim = (low_sm @ up_sm.T).toarray()
    row_max = sec_sim.max(axis=1, keepdims=True)
    sec_rel = np.divide(sec_sim, row_max, out=np.zeros_like(sec_sim), where=row_max > 0)
    low_sec_pos = {s: k for k, s in enumerate(low_secs)}
    up_sec_pos = {s: k for k, s in enumerate(up_secs)}
    copy = index.copy_block(low_idxs, postings)  # lower × upper shared rare shingles, one product per plan

    # Clause alignment: every lower clause against every upper clause of the chain, reduced per upper item.
    if "clauses" not in postings.cache:
        up_cols = np.concatenate([np.arange(cidx.start[j], cidx.start[j + 1]) for j in up_idxs])
        seg = np.concatenate([[0], np.cumsum([cidx.start[j + 1] - cidx.start[j] for j in up_idxs])[:-1]]
                             ).astype(np.int64)
        up_bin_t = cidx.binary(up_cols).T.tocsr() if cidx.w is not None else None
        postings.cache["clauses"] = (up_cols, seg, up_bin_t)
    up_cols, seg, up_bin_t = postings.cache["clauses"]
    up_weight = cidx.weight[up_cols]
    seg_end = np.append(seg[1:], len(up_cols))
    up_title_len = cidx.length[up_cols][seg]
    up_col = {j: c for c, j in enumerate(up_idxs)}
    chunk_num: dict[int, np.ndarray] = {}

    for r, i in enumerate(low_idxs):
        it = view.items[i]
        if not it.text or up_bin_t is None:
            continue
        rows = np.arange(cidx.start[i], cidx.start[i + 1])
        if len(rows) == 0:
            continue
        if i not in chunk_num:  # one sparse product for a block of lower items (per-item calls cost more)
            chunk_num.clear()
            block = low_idxs[r:r + _CHUNK]
            all_rows = np.concatenate([np.arange(cidx.start[b], cidx.start[b + 1]) for b in block])
            dense = (cidx.w[all_rows] @ up_bin_t).toarray()
            off = 0
            for b in block:
                n = int(cidx.start[b + 1] - cidx.start[b])
                chunk_num[b] = dense[off:off + n]
                off += n
        num = chunk_num[i]
        den = cidx.weight[rows][:, None] + up_weight[None, :]
        s = np.divide(2 * num, den, out=np.zeros_like(num), where=den > 0)
        m = np.maximum.reduceat(s, seg, axis=1)  # lower clause × upper item
        wts = cidx.weight[rows]
        # a short clause (两个字的口号) matching exactly says little: damp clauses under clause_full chars
        c_max = (m * np.minimum(1.0, cidx.length[rows] / tc.clause_full)[:, None]).max(axis=0)
        c_cover = (wts @ m) / max(float(wts.sum()), 1e-9)
        t_clause = m[0]
        # titles: the shorter one's share found in the other (an expanded abbreviation only adds words)
        t_shared = num[0, seg]
        t_title = np.divide(t_shared, np.minimum(cidx.weight[rows[0]], up_weight[seg]),
                            out=np.zeros_like(t_shared), where=up_weight[seg] > 0)
        t_title = np.minimum(1.0, t_title) * np.minimum(1.0, np.minimum(cidx.length[rows[0]], up_title_len)
                                                        / tc.clause_full)
        cand_cols = set(np.nonzero(lex[r] >= tc.min_lex)[0].tolist())
        cand_cols.update(np.nonzero(c_max >= tc.clause_min)[0].tolist())
        lo, hi = copy.indptr[r], copy.indptr[r + 1]
        copy_hits = {up_idxs[c] for c, v in zip(copy.indices[lo:hi].tolist(), copy.data[lo:hi].tolist())
                     if v > 0 and up_idxs[c] != i}
        cand_cols.update(up_col[j] for j in copy_hits)
        ls = low_sec_pos[it.section or f"item:{i}"]
        row: dict[int, Candidate] = {}
        for c in cand_cols:
            j = up_idxs[c]
            up = view.items[j]
            runs = index.passages(i, j) if j in copy_hits else []
            covered = sum(len(p) for p in runs)
            feats = {
                "copy": covered / max(1, min(len(it.text), len(up.text))),
                "lex": float(lex[r, c]),
                "title": dice(it.title_norm, up.title_norm),
                "section": float(sec_rel[ls, up_sec_pos[up.section or f"item:{j}"]] * sec_sim[ls, up_sec_pos[up.section or f"item:{j}"]]),
                "clause_max": float(c_max[c]),
                "clause_cover": float(c_cover[c]),
                "title_clause": float(t_clause[c]),
                "title_title": float(t_title[c]),
            }
            sub = s[:, seg[c]:seg_end[c]]
            best = sub.argmax(axis=1)
            vals = sub[np.arange(len(rows)), best]
            pairs = sorted(((float(vals[a]), int(rows[a]), int(up_cols[seg[c] + best[a]]))
                            for a in np.nonzero(vals >= tc.evidence_min)[0]), reverse=True)[:tc.max_evidence]
            row[j] = Candidate(i, j, feats, len(runs[0]) if runs else 0,
                               passages=[p.text for p in runs[:tc.max_evidence]], pairs=pairs)
        pc.cands[i] = row
    # A box project / sub-item also considers its parent item's candidates (it may word them differently).
    for i, p in parent.items():
        for j, pcand in pc.cands.get(p, {}).items():
            if j not in pc.cands.setdefault(i, {}):
                pc.cands[i][j] = Candidate(i, j, {k: 0.0 for k in BASE_FEATURES} | {
                    "section": pcand.feats["section"]})
    return pc


# ---------------------------------------------------------------- model


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def _logit(feats: dict[str, float], names: tuple[str, ...], coef: list[float], intercept: float) -> float:
    return _sigmoid(intercept + sum(c * feats.get(n, 0.0) for n, c in zip(names, coef)))


def structure_features(pc: PlanCandidates, base: dict[int, dict[int, float]]) -> None:
    """Fill ``inherit`` and ``siblings`` from the text-only confidences *base*.

    ``siblings``: the share of the section's other items whose best parent lies in this candidate's
    upper section, times the candidate's own text confidence (agreement strengthens, never creates).
    """
    best_of = {i: max(row.items(), key=lambda kv: kv[1]) for i, row in base.items() if row}
    for i, row in pc.cands.items():
        par = pc.parent.get(i)
        sib = pc.siblings.get(i, [])
        votes: dict[str | None, float] = defaultdict(float)
        for s in sib:
            if s in best_of:
                j, p = best_of[s]
                votes[pc.up_section.get(j)] += p
        for j, c in row.items():
            c.feats["inherit"] = base.get(par, {}).get(j, 0.0) if par is not None else 0.0
            share = votes.get(pc.up_section.get(j), 0.0) / len(sib) if sib else 0.0
            c.feats["siblings"] = share * base.get(i, {}).get(j, 0.0)


def score_candidates(pc: PlanCandidates, tc: TaskConfig) -> None:
    """Confidence of every candidate: text-only model first, then the model with structure."""
    if len(tc.base_coef) != len(BASE_FEATURES) or len(tc.coef) != len(FEATURES):
        raise ConfigError(f"[tasks] base_coef 需要 {len(BASE_FEATURES)} 个系数（{'、'.join(BASE_FEATURES)}），"
                          f"coef 需要 {len(FEATURES)} 个（{'、'.join(FEATURES)}）")
    base: dict[int, dict[int, float]] = {}
    for i, row in pc.cands.items():
        base[i] = {}
        for j, c in row.items():
            c.base = _logit(c.feats, BASE_FEATURES, tc.base_coef, tc.base_intercept)
            if c.longest >= tc.verbatim_chars:
                c.base = max(c.base, tc.verbatim_floor)
            base[i][j] = c.base
    structure_features(pc, base)
    for row in pc.cands.values():
        for c in row.values():
            c.score = _logit(c.feats, FEATURES, tc.coef, tc.intercept)
            if c.longest >= tc.verbatim_chars:
                c.score = max(c.score, tc.verbatim_floor)


def select(pc: PlanCandidates, tc: TaskConfig, view: GraphView | None = None) -> dict[int, list[Candidate]]:
    """Parents per lower item: ``linked`` at or above auto-accept, else the best as ``suggested``."""
    out: dict[int, list[Candidate]] = {}
    for i, row in pc.cands.items():
        # a link must be able to show why: a matched clause pair, a copied passage or a linked parent item
        ranked = sorted((c for c in row.values() if c.feats.get("clause_max", 0) >= tc.evidence_min or c.longest
                         or c.feats.get("inherit", 0) >= tc.auto_accept), key=lambda c: (-c.score, c.up))
        if not ranked or ranked[0].score < tc.min_score:
            continue
        best = ranked[0]
        if best.score >= tc.auto_accept:
            chosen = [c for c in ranked[:tc.max_parents]
                      if c.score >= tc.auto_accept and c.score >= tc.secondary_ratio * best.score]
            for c in chosen:
                c.status = "linked"
        else:
            chosen = [c for c in ranked[:tc.max_suggestions]
                      if c.score >= tc.min_score and c.score >= tc.secondary_ratio * best.score]
            for c in chosen:
                c.status = "suggested"
        out[i] = chosen
    return out


def clause_evidence(cidx: ClauseIndex, c: Candidate, tc: TaskConfig) -> list[str]:
    """Matched clause pairs ``lower ⇄ upper`` (best first): exactly why the two items are linked."""
    pairs = c.pairs
    if pairs is None:  # an inherited candidate: compare the two items' clauses now
        rows, cols = np.array(list(cidx.rows(c.low))), np.array(list(cidx.rows(c.up)))
        s = cidx.block(rows, cols)
        pairs = []
        for a in range(s.shape[0]):
            b = int(s[a].argmax()) if s.shape[1] else 0
            if s.shape[1] and s[a, b] >= tc.evidence_min:
                pairs.append((float(s[a, b]), int(rows[a]), int(cols[b])))
        pairs = sorted(pairs, reverse=True)[:tc.max_evidence]
    if not pairs:
        return []
    low, up = cidx.display_of(c.low), cidx.display_of(c.up)  # rows of c.low and c.up: recomputed once each
    lo, uo = int(cidx.start[c.low]), int(cidx.start[c.up])
    return [f"{low[a - lo].strip()} ⇄ {up[b - uo].strip()}" for _, a, b in pairs]


def score_lower_plan(view: GraphView, index: CorpusIndex, cidx: ClauseIndex, low_idxs: list[int], up_idxs: list[int],
                     cfg: LinkConfig, postings: ChainPostings | None = None) -> dict[int, list[Candidate]]:
    """Scored, selected parents for every lower item of one plan (lower idx → parents best first)."""
    pc = collect_candidates(view, index, cidx, low_idxs, up_idxs, cfg, postings)
    score_candidates(pc, cfg.tasks)
    chosen = select(pc, cfg.tasks)
    for i, cs in chosen.items():
        for c in cs:
            ev = clause_evidence(cidx, c, cfg.tasks)
            if not ev and not c.passages:
                ev = shared_blocks(view.items[i].text, view.items[c.up].text, limit=cfg.tasks.max_evidence)
            merged = ev + [p for p in c.passages if not any(p in e for e in ev)]
            c.passages = list(dict.fromkeys(merged))[:cfg.tasks.max_evidence]
    return chosen
