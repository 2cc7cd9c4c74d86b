"""Task-level ``上级规划``: each lower Task/Project → the upper Task/Project(s) it implements.

Per lower plan, candidates come only from the loaded plans on its upper chain (all levels). Sections
are aligned first (section vectors = sum of their items), then each lower item is scored against the
upper items by copied passages (weighted most: lower plans copy upper text nearly verbatim), TF-IDF
cosine on content text, title similarity and the section alignment. Nothing above the threshold →
no link: a wrong link is worse than none.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.preprocessing import normalize as l2_normalize
from scipy import sparse

from .config import LinkConfig
from .index import CorpusIndex
from .text import covered_runs, dice, shingles
from .view import GraphView


@dataclass(slots=True)
class Candidate:
    """One scored (lower, upper) pair with the evidence behind the score."""

    low: int
    up: int
    score: float
    copy: float
    lex: float
    title: float
    section: float
    longest: int
    passages: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        if self.passages and self.copy >= 0.3:
            return "copied"
        return "copied+lexical" if self.passages else "lexical"


def _section_matrix(view: GraphView, index: CorpusIndex, idxs: list[int]) -> tuple[list[str | None], sparse.csr_matrix]:
    """Section id per distinct section among *idxs* and its L2-normalised summed vector."""
    secs: list[str | None] = []
    pos: dict[str | None, int] = {}
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
    """Longest runs of *a* also found in *b* (evidence for a lexical link); linear in the text lengths.

    *b_grams*: the 4-character shingles of *b*, when the caller compares *b* many times.
    """
    k = min(4, min_len)
    runs = covered_runs(a, b_grams if b_grams is not None else set(shingles(b, k)), k, min_len)
    return [p.text for p in sorted(runs, key=len, reverse=True)[:limit]]


def score_lower_plan(view: GraphView, index: CorpusIndex, low_idxs: list[int], up_idxs: list[int],
                     cfg: LinkConfig, postings: dict[str, list[int]] | None = None) -> dict[int, list[Candidate]]:
    """Scored, selected parents for every lower item of one plan (lower idx → parents best first).

    *postings* is the shingle index of the upper chain (:meth:`CorpusIndex.chain_postings`); pass it
    when several lower plans share one chain so it is built once.
    """
    tc = cfg.tasks
    if not low_idxs or not up_idxs:
        return {}
    lex = index.lexical_block(low_idxs, up_idxs)
    low_secs, low_sm = _section_matrix(view, index, low_idxs)
    up_secs, up_sm = _section_matrix(view, index, up_idxs)
    sec_sim = (low_sm @ up_sm.T).toarray()
    row_max = sec_sim.max(axis=1, keepdims=True)
    sec_rel = np.divide(sec_sim, row_max, out=np.zeros_like(sec_sim), where=row_max > 0)
    low_sec_pos = {s: k for k, s in enumerate(low_secs)}
    up_sec_pos = {s: k for k, s in enumerate(up_secs)}
    up_col = {j: c for c, j in enumerate(up_idxs)}
    if postings is None:
        postings = index.chain_postings(up_idxs)

    out: dict[int, list[Candidate]] = {}
    for r, i in enumerate(low_idxs):
        it = view.items[i]
        if not it.text:
            continue
        cand_cols = set(np.nonzero(lex[r] >= tc.min_lex)[0].tolist())
        copy_hits = index.copy_candidates(i, postings)
        cand_cols.update(up_col[j] for j in copy_hits)
        ls = low_sec_pos[it.section or f"item:{i}"]
        scored: list[Candidate] = []
        for c in cand_cols:
            j = up_idxs[c]
            up = view.items[j]
            runs = index.passages(i, j) if j in copy_hits else []
            covered = sum(len(p) for p in runs)
            copy = covered / max(1, min(len(it.text), len(up.text)))
            longest = len(runs[0]) if runs else 0
            title = dice(it.title_norm, up.title_norm)
            sec = float(sec_rel[ls, up_sec_pos[up.section or f"item:{j}"]])
            score = tc.w_copy * copy + tc.w_lex * float(lex[r, c]) + tc.w_title * title + tc.w_section * sec
            if longest >= tc.verbatim_chars:
                score = max(score, tc.verbatim_floor)
            scored.append(Candidate(i, j, min(1.0, score), copy, float(lex[r, c]), title, sec, longest,
                                    [p.text for p in runs[:tc.max_evidence]]))
        if not scored:
            continue
        scored.sort(key=lambda c: (-c.score, view.items[c.up].id))
        best = scored[0]
        if best.score < tc.min_score and best.longest < tc.verbatim_chars:
            continue
        chosen = [best]
        for c in scored[1:]:
            if len(chosen) >= tc.max_parents:
                break
            if (c.score >= tc.min_secondary and c.score >= tc.secondary_ratio * best.score) or c.longest >= tc.verbatim_chars:
                chosen.append(c)
        for c in chosen:
            if not c.passages:
                c.passages = shared_blocks(it.text, view.items[c.up].text, limit=tc.max_evidence)
        out[i] = chosen
    return out
