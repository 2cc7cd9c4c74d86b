"""``OVERLAPS`` between tasks of peer plans and inside one plan.

Surface similarity is not enough: the vectors are built from *content text* (generic policy words from
``link_stopwords.txt`` removed), and a peer pair must also share several high-IDF n-grams that carry a
good part of the similarity — two tasks that only both say 加强…监管 never qualify.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .config import LinkConfig
from .index import CorpusIndex, content_text
from .tasks import shared_blocks
from .text import covered_runs, shingles
from .view import GraphView


@dataclass(slots=True)
class Overlap:
    a: int
    b: int
    score: float
    kind: str  # peer | within_plan
    evidence: list[str]


def _strong_parts(index: CorpusIndex, max_df_share: float):
    """Content vectors restricted to rare n-grams (in at most max(2, share·N) items), and their binary pattern."""
    m = index.content
    df = np.bincount(m.indices, minlength=m.shape[1])
    rare = (df <= max(2, max_df_share * m.shape[0])).astype(np.float32)
    xs = (m @ sparse.diags(rare)).tocsr()
    xs.eliminate_zeros()
    xb = xs.copy()
    xb.data[:] = 1.0
    return xs, xb


def peer_overlaps(view: GraphView, index: CorpusIndex, peer_groups: list[list[str]], cfg: LinkConfig) -> list[Overlap]:
    """Best-matching task pairs between plans of one peer group.

    A pair is kept when it passes the thresholds and one side is among the other's ``peer_top_k`` best
    in that plan; each task keeps at most ``peer_max_per_task`` such pairs, so the output grows
    linearly with the number of tasks. Rows are processed in chunks (vectorised, bounded memory).
    """
    oc = cfg.overlaps
    found: dict[tuple[int, int], Overlap] = {}
    xs, xb = _strong_parts(index, oc.max_df_share)
    grams4: dict[int, set[str]] = {}  # 4-char shingles per item, for the evidence passages

    def evidence(a: int, b: int) -> list[str]:
        if b not in grams4:
            grams4[b] = set(shingles(view.items[b].text, 4))
        blocks = shared_blocks(view.items[a].text, "", min_len=4, limit=8, b_grams=grams4[b])
        return [t for t in blocks if len(t) >= 6 or content_text(t, index.stopwords).strip()][:4]

    for group in peer_groups:
        cols = [i for p in group for i in view.items_by_plan.get(p, [])]
        if len(cols) < 2:
            continue
        plan_of = np.array([group.index(view.items[i].plan) for i in cols])
        xc, xbc, xsc = index.content[cols].T.tocsc(), xb[cols].T.tocsc(), xs[cols].T.tocsc()
        for start in range(0, len(cols), oc.chunk):
            rows = cols[start:start + oc.chunk]
            cos = (index.content[rows] @ xc).toarray()
            rp = plan_of[start:start + oc.chunk]
            ok = (cos >= oc.peer_min_score) & (rp[:, None] != plan_of[None, :])
            if not ok.any():
                continue
            n_strong = (xb[rows] @ xbc).toarray()
            strong_cos = (xs[rows] @ xsc).toarray()
            ok &= (n_strong >= oc.min_shared_terms) & (strong_cos >= oc.min_shared_weight * cos)
            for r in np.flatnonzero(ok.any(axis=1)):
                cand = np.flatnonzero(ok[r])
                cand = cand[np.argsort(-cos[r, cand], kind="stable")]
                per_plan: dict[int, int] = {}
                kept = 0
                for c in cand:
                    p = int(plan_of[c])
                    if per_plan.get(p, 0) >= oc.peer_top_k:
                        continue
                    per_plan[p] = per_plan.get(p, 0) + 1
                    kept += 1
                    i, j = rows[r], cols[c]
                    a, b = sorted((i, j), key=lambda q: view.items[q].id)
                    if (a, b) not in found:
                        found[(a, b)] = Overlap(a, b, round(float(cos[r, c]), 4), "peer", evidence(a, b))
                    if kept >= oc.peer_max_per_task:
                        break
    return list(found.values())


def within_plan_overlaps(view: GraphView, index: CorpusIndex, cfg: LinkConfig) -> list[Overlap]:
    """Repeated or overlapping items inside one plan (a task restated as a box project, a duplicate)."""
    oc = cfg.overlaps
    k = index.cfg.shingle
    sets, df = index.shingle_sets, index.shingle_df
    # a phrase common across the corpus is not evidence of a repeat
    cap = max(2, int(index.cfg.max_shingle_df * len(view.items)) // 2)
    out: list[Overlap] = []
    for plan, idxs in view.items_by_plan.items():
        pairs: dict[tuple[int, int], int] = defaultdict(int)
        plan_post: dict[str, list[int]] = defaultdict(list)
        for i in idxs:
            for g in sets[i]:
                plan_post[g].append(i)
        seen_grams: set[str] = set()
        for i in idxs:
            for g in sets[i]:
                if g in seen_grams or not 1 < df[g] <= cap:
                    continue
                seen_grams.add(g)
                lst = [j for j in plan_post.get(g, ())]
                if 1 < len(lst) <= 6:
                    for x in range(len(lst)):
                        for y in range(x + 1, len(lst)):
                            pairs[(lst[x], lst[y])] += 1
        cos_all = index.cosine_block(idxs, idxs)
        pos = {i: p for p, i in enumerate(idxs)}
        for r, c in zip(*np.nonzero(np.triu(cos_all >= oc.within_min_score, 1))):
            pairs.setdefault((idxs[r], idxs[c]), 0)
        for (i, j), _n in pairs.items():
            if view.items[i].id == view.items[j].id:
                continue
            runs = covered_runs(view.items[i].text, sets[j], k, oc.within_min_passage)
            runs = [p for p in runs if len(content_text(p.text, index.stopwords).replace(" ", "")) >= k // 2 + 1]
            longest = max((len(p) for p in runs), default=0)
            cos = float(cos_all[pos[i], pos[j]])
            if longest < oc.within_min_passage and cos < oc.within_min_score:
                continue
            score = min(1.0, oc.w_copy * min(1.0, longest / 16) + oc.w_cos * cos)
            a, b = sorted((i, j), key=lambda q: view.items[q].id)
            ev = [p.text for p in sorted(runs, key=len, reverse=True)[:4]] or shared_blocks(
                view.items[i].text, view.items[j].text, limit=4)
            out.append(Overlap(a, b, round(score, 4), "within_plan", ev))
    return out
