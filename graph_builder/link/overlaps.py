"""``OVERLAPS`` between tasks: ``within_plan``, ``same_region`` (plans of one government) and ``peer`` (same level).

Memory and compute grow linearly with the number of items: candidate pairs come from an inverted index
of *rare* n-grams (each n-gram's posting list is capped, so it yields a bounded number of pairs), scored
pair by pair on the sparse content vectors. No n×n matrix is ever built. Every kind is capped per task
(``link.toml`` [overlaps]), so the stored edges stay linear too.

Surface similarity is not enough: the vectors are built from *content text* (generic policy words from
``link_stopwords.txt`` removed), and a cross-plan pair must also share several rare n-grams that carry a
good part of the similarity — two tasks that only both say 加强…监管 never qualify.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
from scipy import sparse

from ..models import Node
from .config import LinkConfig, OverlapConfig
from .index import CorpusIndex, content_text
from .tasks import shared_blocks
from .text import covered_runs, shingles
from .view import GraphView

KINDS = ("within_plan", "same_region", "peer")


@dataclass(slots=True)
class Overlap:
    a: int
    b: int
    score: float
    kind: str  # within_plan | same_region | peer
    evidence: list[str]


# ------------------------------------------------------------------ sparse helpers


def _keep_columns(m: sparse.csr_matrix, ok: np.ndarray) -> sparse.csr_matrix:
    """*m* with only the entries in columns where *ok* is true (no product, no copy of the dropped entries)."""
    return _keep_entries(m, ok[m.indices])


def _keep_entries(m: sparse.csr_matrix, mask: np.ndarray) -> sparse.csr_matrix:
    """*m* with only its stored entries where *mask* (one flag per entry, in storage order) is true."""
    kept = np.zeros(len(mask) + 1, dtype=np.int64)
    np.cumsum(mask, out=kept[1:])
    return sparse.csr_matrix((m.data[mask], m.indices[mask], kept[m.indptr]), shape=m.shape)


def _chunks(cost: np.ndarray, budget: int) -> Iterator[tuple[int, int]]:
    """Row ranges whose summed *cost* (posting entries touched) stays near *budget*: bounded memory per block."""
    start, acc = 0, 0
    for r, c in enumerate(cost):
        if acc and acc + c > budget:
            yield start, r
            start, acc = r, 0
        acc += int(c)
    if start < len(cost):
        yield start, len(cost)


def _pair_dots(x: sparse.csr_matrix, r: np.ndarray, c: np.ndarray, block: int = 20_000) -> np.ndarray:
    """Row-wise dot products x[r[i]]·x[c[i]] without forming x·xᵀ (blocks bound the memory)."""
    out = np.empty(len(r), dtype=np.float32)
    for s in range(0, len(r), block):
        e = s + block
        out[s:e] = np.asarray(x[r[s:e]].multiply(x[c[s:e]]).sum(axis=1)).ravel()
    return out


def _row_top(r: np.ndarray, c: np.ndarray, n: np.ndarray, k: int) -> np.ndarray:
    """Indices of each row's *k* entries with the largest *n* (ties: lower column first)."""
    order = np.lexsort((c, -n, r))
    rs = r[order]
    first = np.r_[True, rs[1:] != rs[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(rs)), 0))
    return order[(np.arange(len(rs)) - start) < k]


def _shared_pairs(b: sparse.csr_matrix, min_shared: int, budget: int, top_k: int,
                  keep: "callable | None" = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (r < c) of rows of the binary matrix *b* sharing at least *min_shared* columns, with the count.

    Built block by block from the transposed posting lists; callers cap the column frequencies, and each
    row keeps only its *top_k* partners by shared count, so pairs and work grow linearly with the rows.
    """
    bt = b.T.tocsr()
    df = np.diff(bt.indptr)
    cost = np.asarray(b @ df.astype(np.float32)).ravel() if b.shape[1] else np.zeros(b.shape[0])
    rs, cs, ns = [], [], []
    for s, e in _chunks(cost, budget):
        prod = (b[s:e] @ bt).tocoo()
        r = prod.row.astype(np.int64) + s
        m = (prod.col != r) & (prod.data >= min_shared)
        r, c, n = r[m], prod.col[m].astype(np.int64), prod.data[m]
        if keep is not None and len(r):
            k = keep(r, c)
            r, c, n = r[k], c[k], n[k]
        t = _row_top(r, c, n, top_k)
        r, c, n = r[t], c[t], n[t]
        rs.append(np.minimum(r, c))
        cs.append(np.maximum(r, c))
        ns.append(n)
    if not rs:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0, dtype=np.float32)
    r, c, n = np.concatenate(rs), np.concatenate(cs), np.concatenate(ns)
    size = max(int(b.shape[0]), 1)
    _, first = np.unique(r * size + c, return_index=True)
    return r[first], c[first], n[first]


def _shared_pairs_within(b: sparse.csr_matrix, group: np.ndarray, min_shared: int, top_k: int
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_shared_pairs` restricted to rows of the same *group* (plan), computed one group at a time.

    Same pairs, counts and per-row top-k as filtering the corpus-wide product, without ever multiplying rows
    of different plans (that product grows with the square of the corpus when plans share their wording).
    """
    rs, cs, ns = [], [], []
    order = np.argsort(group, kind="stable")
    cuts = np.flatnonzero(np.diff(group[order])) + 1
    for idx in np.split(order, cuts):
        if len(idx) < 2:
            continue
        sub = b[idx]
        cols = np.sort(sub.indices)  # the group's own columns: a transpose of the full width costs O(columns)
        cols = cols[np.r_[True, cols[1:] != cols[:-1]]] if len(cols) else cols
        sub = sparse.csr_matrix((sub.data, np.searchsorted(cols, sub.indices), sub.indptr), shape=(len(idx), len(cols)))
        prod = (sub @ sub.T).tocoo()
        r, c, n = idx[prod.row].astype(np.int64), idx[prod.col].astype(np.int64), prod.data
        m = (r != c) & (n >= min_shared)
        r, c, n = r[m], c[m], n[m]
        t = _row_top(r, c, n, top_k)
        rs.append(np.minimum(r[t], c[t]))
        cs.append(np.maximum(r[t], c[t]))
        ns.append(n[t])
    if not rs:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0, dtype=np.float32)
    r, c, n = np.concatenate(rs), np.concatenate(cs), np.concatenate(ns)
    size = max(int(b.shape[0]), 1)
    _, first = np.unique(r * size + c, return_index=True)
    return r[first], c[first], n[first]


def _cap_degree(r: np.ndarray, c: np.ndarray, score: np.ndarray, cap: int) -> np.ndarray:
    """At most *cap* edges per item (indices into the arrays).

    Best score first (ranking edges by their rank at either end instead was measured worse on the dev split).
    """
    if cap <= 0 or not len(r):
        return np.zeros(0, dtype=np.int64)
    deg: dict[int, int] = {}
    kept = []
    for i in np.lexsort((c, r, -score)):
        a, b = int(r[i]), int(c[i])
        if deg.get(a, 0) < cap and deg.get(b, 0) < cap:
            deg[a] = deg.get(a, 0) + 1
            deg[b] = deg.get(b, 0) + 1
            kept.append(i)
    return np.sort(np.asarray(kept, dtype=np.int64))


# ------------------------------------------------------------------ the index


class OverlapIndex:
    """Rare content n-grams (inverted index) over all items, plus their plans, regions and levels.

    Built once per link run; also answers :meth:`similar` on demand (one task's best matches in other plans).
    """

    def __init__(self, view: GraphView, index: CorpusIndex, plans: dict[str, Node], cfg: OverlapConfig):
        self.view, self.index, self.cfg = view, index, cfg
        x = index.content
        n = x.shape[0]
        df = np.bincount(x.indices, minlength=x.shape[1])
        # rare across the corpus: in at most max(2, share·N) items, and never more than candidate_max_df
        cap = min(max(cfg.rare_df_floor, cfg.max_df_share * n), float(cfg.candidate_max_df))
        self.x = x
        self.xs = _keep_columns(x, (df <= cap) & (df > 0))
        self.xs.eliminate_zeros()
        # the same pattern with ones, sharing xs's index arrays (a national corpus holds several such pairs)
        self.xb = sparse.csr_matrix((np.ones(self.xs.nnz, dtype=np.float32), self.xs.indices, self.xs.indptr),
                                    shape=self.xs.shape)
        pid = {p: k for k, p in enumerate(sorted(view.items_by_plan))}
        self.plan_ids = sorted(view.items_by_plan)
        self.plan_of = np.array([pid[it.plan] for it in view.items], dtype=np.int64)

        def code(values: list) -> np.ndarray:
            table: dict = {}
            return np.array([table.setdefault(v, len(table)) if v else -1 - k for k, v in enumerate(values)],
                            dtype=np.int64)

        meta = [plans.get(p) for p in self.plan_ids]
        self.region_of_plan = code([(m.get("region") if m is not None else None) for m in meta])
        self.level_of_plan = code([(m.get("level") if m is not None else None) for m in meta])

    # -------------------------------------------------------------- scoring

    def _scores(self, r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _pair_dots(self.x, r, c), _pair_dots(self.xs, r, c)

    def _cross_ok(self, cos: np.ndarray, strong: np.ndarray, n_shared: np.ndarray) -> np.ndarray:
        oc = self.cfg
        return (cos >= oc.peer_min_score) & (n_shared >= oc.min_shared_terms) & (strong >= oc.min_shared_weight * cos)

    def _evidence(self, a: int, b: int) -> list[str]:
        items, oc = self.view.items, self.cfg
        grams = set(shingles(items[b].text, oc.evidence_shingle))
        blocks = shared_blocks(items[a].text, "", min_len=oc.evidence_shingle, limit=oc.evidence_block_limit,
                               b_grams=grams)
        return [t for t in blocks
                if len(t) >= oc.evidence_min_chars or content_text(t, self.index.stopwords).strip()][:oc.max_evidence]

    def _ordered(self, i: int, j: int) -> tuple[int, int]:
        items = self.view.items
        return (i, j) if items[i].id <= items[j].id else (j, i)

    # -------------------------------------------------------------- cross-plan kinds

    def cross_plan(self) -> list[Overlap]:
        """``same_region`` and ``peer`` overlaps, each task among the other's best few, capped per task."""
        oc = self.cfg
        pr, pl = self.region_of_plan, self.level_of_plan
        po = self.plan_of

        def keep(r, c):
            a, b = po[r], po[c]
            return (a != b) & ((pr[a] == pr[b]) | (pl[a] == pl[b]))

        r, c, n = _shared_pairs(self.xb, oc.min_shared_terms, oc.pair_budget, oc.candidate_top_k, keep)
        cos, strong = self._scores(r, c)
        ok = self._cross_ok(cos, strong, n)
        r, c, cos = r[ok], c[ok], cos[ok]
        same_region = pr[po[r]] == pr[po[c]]
        out: list[Overlap] = []
        for kind, mask, cap in (("same_region", same_region, oc.same_region_max_per_task),
                                ("peer", ~same_region, oc.peer_max_per_task)):
            kr, kc, ks = r[mask], c[mask], cos[mask]
            sel = self._top_per_plan(kr, kc, ks)
            kr, kc, ks = kr[sel], kc[sel], ks[sel]
            for q in _cap_degree(kr, kc, ks, cap):
                a, b = self._ordered(int(kr[q]), int(kc[q]))
                out.append(Overlap(a, b, round(float(ks[q]), 4), kind, self._evidence(a, b)))
        return out

    def _top_per_plan(self, r: np.ndarray, c: np.ndarray, score: np.ndarray) -> np.ndarray:
        """Pairs where one side is among the other's ``peer_top_k`` best in that plan (indices)."""
        if not len(r):
            return np.zeros(0, dtype=np.int64)
        src = np.concatenate([r, c])
        dst_plan = np.concatenate([self.plan_of[c], self.plan_of[r]])
        s = np.concatenate([score, score])
        pair = np.concatenate([np.arange(len(r)), np.arange(len(r))])
        order = np.lexsort((pair, -s, dst_plan, src))
        src, dst_plan = src[order], dst_plan[order]
        new_group = np.r_[True, (src[1:] != src[:-1]) | (dst_plan[1:] != dst_plan[:-1])]
        start = np.maximum.accumulate(np.where(new_group, np.arange(len(src)), 0))
        rank = np.arange(len(src)) - start
        return np.unique(pair[order][rank < self.cfg.peer_top_k])

    # -------------------------------------------------------------- within one plan

    def within_plan(self) -> list[Overlap]:
        """Repeated or overlapping items inside one plan (a task restated as a box project, a duplicate)."""
        oc, items = self.cfg, self.view.items
        k = self.index.cfg.shingle
        n = len(items)
        po = self.plan_of
        # (1) a copied passage: an 8-character shingle rare across the corpus, repeated by at most within_shingle_max_in_plan items of the plan
        # the corpus index's integer-hashed shingles: no second items × shingles matrix for this pass
        shi = self.index.shingles
        cap = max(oc.rare_df_floor, int(self.index.cfg.max_shingle_df * n) // oc.within_shingle_df_divisor)
        sh = _keep_columns(shi.matrix, (shi.df > 1) & (shi.df <= cap))
        sh = self._limit_in_plan(sh, oc.within_shingle_max_in_plan)
        r1, c1, _ = _shared_pairs_within(sh, po, 1, oc.candidate_top_k)
        # (2) a high content cosine, found through the shared rare n-grams
        r2, c2, _ = _shared_pairs_within(self.xb, po, oc.min_shared_terms, oc.candidate_top_k)
        cos2 = _pair_dots(self.x, r2, c2)
        hi = cos2 >= oc.within_min_score
        r = np.concatenate([r1, r2[hi]])
        c = np.concatenate([c1, c2[hi]])
        if not len(r):
            return []
        key = np.unique(r * n + c)
        r, c = key // n, key % n
        cos = _pair_dots(self.x, r, c)
        keep_r, keep_c, keep_s, keep_ev = [], [], [], []
        for i, j, cs in zip(r.tolist(), c.tolist(), cos.tolist()):
            if items[i].id == items[j].id:
                continue
            runs = covered_runs(items[i].text, set(shingles(items[j].text, k)), k, oc.within_min_passage)
            runs = [p for p in runs if len(content_text(p.text, self.index.stopwords).replace(" ", "")) >= k // 2 + 1]
            longest = max((len(p) for p in runs), default=0)
            if longest < oc.within_min_passage and cs < oc.within_min_score:
                continue
            score = min(1.0, oc.w_copy * min(1.0, longest / oc.within_copy_full) + oc.w_cos * cs)
            ev = [p.text for p in sorted(runs, key=len, reverse=True)[:oc.max_evidence]] or shared_blocks(
                items[i].text, items[j].text, limit=oc.max_evidence)
            keep_r.append(i)
            keep_c.append(j)
            keep_s.append(round(score, 4))
            keep_ev.append(ev)
        kr, kc, ks = np.asarray(keep_r, dtype=np.int64), np.asarray(keep_c, dtype=np.int64), np.asarray(keep_s)
        out = []
        for q in _cap_degree(kr, kc, ks, oc.within_max_per_task):
            a, b = self._ordered(int(kr[q]), int(kc[q]))
            out.append(Overlap(a, b, float(ks[q]), "within_plan", keep_ev[q]))
        return out

    def _limit_in_plan(self, sh: sparse.csr_matrix, most: int) -> sparse.csr_matrix:
        """Drop (item, shingle) entries whose shingle is in more than *most* items of that item's plan.

        One plan at a time (the view keeps a plan's items contiguous): counting (plan, shingle) keys for
        the whole corpus at once sorted arrays as large as the matrix several times over."""
        if not sh.nnz:
            return sh
        po = self.plan_of
        if len(po) > 1 and (np.diff(po) < 0).any():
            raise ValueError("items are not grouped by plan")  # GraphView.build sorts them by plan
        keep = np.zeros(sh.nnz, dtype=bool)
        cuts = np.r_[0, np.flatnonzero(np.diff(po)) + 1, len(po)]
        for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist()):
            s, e = int(sh.indptr[lo]), int(sh.indptr[hi])
            if e > s:
                _, inv, counts = np.unique(sh.indices[s:e], return_inverse=True, return_counts=True)
                keep[s:e] = counts[inv] <= most
        return _keep_entries(sh, keep)

    # -------------------------------------------------------------- on demand

    def similar(self, i: int, k: int = 10, *, other_plans: bool = True) -> list[tuple[int, float]]:
        """Item *i*'s *k* best matches (item index, cosine) in other plans, any level, from the same index."""
        row = self.xb[i]
        hits = (row @ self.xb.T).tocoo()
        c = hits.col[(hits.col != i) & (hits.data >= 1)].astype(np.int64)
        if other_plans:
            c = c[self.plan_of[c] != self.plan_of[i]]
        if not len(c):
            return []
        cos = _pair_dots(self.x, np.full(len(c), i, dtype=np.int64), c)
        order = np.lexsort((c, -cos))[:k]
        return [(int(c[q]), round(float(cos[q]), 4)) for q in order if cos[q] > 0]


def find_overlaps(view: GraphView, index: CorpusIndex, plans: dict[str, Node], cfg: LinkConfig) -> list[Overlap]:
    """All stored overlap kinds; each pair once, with the most specific kind."""
    ox = OverlapIndex(view, index, plans, cfg.overlaps)
    seen: set[tuple[int, int]] = set()
    out: list[Overlap] = []
    for o in ox.within_plan() + ox.cross_plan():
        if (o.a, o.b) not in seen:
            seen.add((o.a, o.b))
            out.append(o)
    return out
