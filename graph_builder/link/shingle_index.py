"""Copied-passage shingles as integer hashes in one sparse matrix, for national-scale memory.

``CorpusIndex`` keeps a Python ``set`` of k-character strings per item; at ~300,000 items that is
gigabytes. Here every k-shingle is a 64-bit polynomial hash computed with numpy over the text's code
points, an item is one sorted row of a CSR matrix (items × distinct shingles, int32 column ids), and
document frequencies are a ``bincount``. The operations mirror the string version:
``chain_postings``/``copy_candidates`` become a sparse product restricted to non-boilerplate columns,
``passages`` becomes a membership test of hashes. Collisions of 64-bit hashes are negligible at this size.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .text import Passage

_BASE = np.uint64(1_000_003)


def shingle_hashes(text: str, k: int) -> np.ndarray:
    """The hash of every k-character window of *text*, in order (len(text) - k + 1 values, uint64)."""
    n = len(text) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):  # Horner over the window: wraps mod 2^64 by design
            h = h * _BASE + cp[j:j + n]
    return h


def covered_runs_hashed(low: str, low_hashes: np.ndarray, upper: np.ndarray, k: int, min_len: int) -> list[Passage]:
    """Maximal runs of *low* made of shingles whose hash is in the sorted array *upper* (≥ *min_len* chars)."""
    if len(low_hashes) == 0 or len(upper) == 0:
        return []
    pos = np.searchsorted(upper, low_hashes)
    pos[pos >= len(upper)] = 0
    hit = np.flatnonzero(upper[pos] == low_hashes)
    runs: list[Passage] = []
    start = end = -1
    for i in hit.tolist():
        if i <= end:
            end = i + k
        else:
            if end - start >= min_len:
                runs.append(Passage(start, end, low[start:end]))
            start, end = i, i + k
    if end - start >= min_len and start >= 0:
        runs.append(Passage(start, end, low[start:end]))
    return runs


@dataclass(slots=True)
class ShingleIndex:
    """Items × distinct shingles (binary CSR), the sorted distinct hashes, and document frequencies."""

    texts: list[str]
    k: int
    matrix: sparse.csr_matrix
    vocab: np.ndarray  # sorted distinct hashes; column j is vocab[j]
    df: np.ndarray
    cap: int

    @classmethod
    def build(cls, texts: list[str], k: int, cap: int) -> "ShingleIndex":
        """Columns from one hash-table pass (pandas ``factorize``) over every item's shingles: a global
        ``np.unique(..., return_inverse=True)`` is a sort of tens of millions of values, the slowest step at
        national scale and superlinear; only the few distinct values are sorted, so ``vocab`` stays sorted."""
        import pandas as pd

        hashes = [shingle_hashes(t, k) for t in texts]
        indptr = np.zeros(len(hashes) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(h) for h in hashes])
        flat = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
        del hashes
        codes, uniq = pd.factorize(flat, sort=False)
        del flat
        order = np.argsort(uniq)
        rank = np.empty(len(uniq), dtype=np.int32)
        rank[order] = np.arange(len(uniq), dtype=np.int32)
        vocab = np.asarray(uniq, dtype=np.uint64)[order]
        cols = rank[codes]
        del codes
        m = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), cols, indptr), shape=(len(texts), len(vocab)))
        m.sum_duplicates()  # a shingle repeated inside one item counts once
        m.data[:] = 1.0
        df = np.bincount(m.indices, minlength=len(vocab)).astype(np.int32)
        return cls(texts, k, m, vocab, df, cap)

    def rare(self) -> sparse.csr_matrix:
        """The matrix with boilerplate columns (df above the cap) removed from every row."""
        keep = (self.df <= self.cap).astype(np.float32)
        return (self.matrix @ sparse.diags(keep)).tocsr()

    def copy_candidates(self, i: int, upper: list[int], rare: sparse.csr_matrix | None = None) -> dict[int, int]:
        """Upper items sharing non-boilerplate shingles with item *i* → number shared (as CorpusIndex)."""
        r = self.rare() if rare is None else rare
        ups = [j for j in upper if j != i]
        if not ups:
            return {}
        counts = (r[ups] @ r[i].T).toarray().ravel()
        return {j: int(c) for j, c in zip(ups, counts) if c > 0}

    def hashes_of(self, j: int) -> np.ndarray:
        """Sorted distinct shingle hashes of item *j*."""
        s, e = self.matrix.indptr[j], self.matrix.indptr[j + 1]
        return self.vocab[self.matrix.indices[s:e]]

    def passages(self, i: int, j: int, min_len: int) -> list[Passage]:
        """Runs of item *i*'s text copied from item *j* (longest first), as ``CorpusIndex.passages``."""
        runs = covered_runs_hashed(self.texts[i], shingle_hashes(self.texts[i], self.k), self.hashes_of(j),
                                   self.k, min_len)
        return sorted(runs, key=len, reverse=True)

    def nbytes(self) -> int:
        m = self.matrix
        return m.data.nbytes + m.indices.nbytes + m.indptr.nbytes + self.vocab.nbytes + self.df.nbytes
