"""Corpus-wide indexes built once per link run: TF-IDF vectors and a copied-passage shingle index.

Both are built in one pass over all items, so every later comparison is a sparse lookup rather than
an all-pairs scan: the cost grows with the number of lower items times the (bounded) size of their
upper chain.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from .config import TextConfig, read_word_list
from .forked import map_ranges
from .shingle_index import ShingleIndex
from .text import Passage


@lru_cache(maxsize=4)
def _stop_rx(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def content_text(text: str, stopwords: list[str]) -> str:
    """Replace generic policy words by a space so n-grams only see the discriminative content."""
    if not stopwords:
        return text
    return _stop_rx(tuple(stopwords)).sub(" ", text)


_N_FEATURES = 2 ** 21  # hashed n-gram space: no vocabulary to sort, collisions negligible at this size
_ROWS = 20_000  # items per hashing range: a worker's reply stays small, ranges balance over the workers


def _tfidf(counts: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Sublinear TF-IDF of hashed n-gram counts, L2-normalised rows, unused columns dropped."""
    if counts.nnz == 0:
        return sparse.csr_matrix((counts.shape[0], 1), dtype=np.float32), np.zeros(1, dtype=np.float32)
    tr = TfidfTransformer(sublinear_tf=True)
    m = tr.fit_transform(counts).astype(np.float32).tocsr()
    used = _used(m)
    return _compress(m, used), tr.idf_.astype(np.float32)[used]


def _empty_rows() -> sparse.csr_matrix:
    return sparse.csr_matrix((0, _N_FEATURES), dtype=np.float32)


def _stack(parts: list[sparse.csr_matrix]) -> sparse.csr_matrix:
    return parts[0] if len(parts) == 1 else sparse.vstack(parts, format="csr")


def _used(m: sparse.csr_matrix) -> np.ndarray:
    """The sorted column ids *m* uses: a ``bincount`` over the hashed space, linear where ``np.unique`` sorts."""
    return np.flatnonzero(np.bincount(m.indices, minlength=m.shape[1]))


def _compress(m: sparse.csr_matrix, used: np.ndarray) -> sparse.csr_matrix:
    """Drop the unused hashed columns (2^21 wide matrices make every transpose allocate megabytes)."""
    remap = np.full(m.shape[1], -1, dtype=np.int32)  # int32: remap[m.indices] is as large as the matrix
    remap[used] = np.arange(len(used), dtype=np.int32)
    out = sparse.csr_matrix((m.data, remap[m.indices], m.indptr), shape=(m.shape[0], len(used)))
    out.sort_indices()
    return out


def _weighted(b: sparse.csr_matrix, weight: np.ndarray) -> sparse.csr_matrix:
    """*b* with column weights, sharing *b*'s index arrays (a national corpus holds several such pairs)."""
    return sparse.csr_matrix((b.data * weight[b.indices], b.indices, b.indptr), shape=b.shape)


@dataclass(slots=True)
class ChainPostings:
    """The non-boilerplate shingles of one upper chain's items, transposed for one sparse product per lower plan.

    Built once per distinct upper chain and reused by every lower plan under it; ``cache`` lets the
    task scorer keep other chain-side matrices (clause columns, section vectors) next to it.
    """

    upper: list[int]
    rare_t: sparse.csr_matrix  # distinct shingles × upper items
    cache: dict = field(default_factory=dict)


@dataclass(slots=True)
class CorpusIndex:
    texts: list[str]
    cfg: TextConfig
    stopwords: list[str] = field(default_factory=list)
    lex_bin: sparse.csr_matrix | None = None
    lex_w: sparse.csr_matrix | None = None
    lex_mass: np.ndarray | None = None
    content: sparse.csr_matrix | None = None
    content_idf: np.ndarray | None = None
    shingles: ShingleIndex | None = None
    rare: sparse.csr_matrix | None = None  # items × shingles with the boilerplate columns (df > cap) emptied
    boilerplate_cap: int = 0

    @classmethod
    def build(cls, texts: list[str], cfg: TextConfig, workers: int = 1) -> "CorpusIndex":
        """Hashes the texts in ranges of ``_ROWS`` (over *workers* forked processes when more than one);
        only the IDF weights and the shingle columns need the whole corpus and are computed here."""
        stop = sorted(read_word_list("link_stopwords.txt"), key=len, reverse=True)
        idx = cls(texts, cfg, stop)
        # Linking: IDF-weighted Dice of character n-gram sets. Generic wording has a low IDF, so two
        # texts score high only when they share the rare phrases (measured far better than cosine).
        lex_hv = HashingVectorizer(analyzer="char", ngram_range=(cfg.lex_ngram, cfg.lex_ngram), n_features=_N_FEATURES,
                                   alternate_sign=False, norm=None, binary=True, dtype=np.float32)
        # Overlap vectors: generic policy words removed first (surface similarity must not count).
        content_hv = HashingVectorizer(analyzer="char_wb", ngram_range=(cfg.ngram_min, cfg.ngram_max),
                                       n_features=_N_FEATURES, alternate_sign=False, norm=None, dtype=np.float32)

        def hash_rows(a: int, b: int) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
            part = texts[a:b]
            return (lex_hv.transform(part).tocsr(),
                    content_hv.transform([content_text(t, stop) for t in part]).tocsr())

        parts, _ = map_ranges(hash_rows, len(texts), workers, _ROWS)
        if not parts:
            parts = [(_empty_rows(), _empty_rows())]
        b = _stack([lex for lex, _ in parts])
        content = _stack([c for _, c in parts])
        del parts
        b = _compress(b, _used(b))
        df = np.bincount(b.indices, minlength=b.shape[1])
        idf = (np.log((1 + b.shape[0]) / (1 + df)) + 1).astype(np.float32)
        idx.lex_bin = b
        idx.lex_w = _weighted(b, idf)
        idx.lex_mass = np.asarray(idx.lex_w.sum(axis=1)).ravel()
        idx.content, idx.content_idf = _tfidf(content)
        del content
        k = cfg.shingle
        # integer-hashed shingles in one CSR matrix: sets of strings for every item cost ~30 kB per task
        idx.boilerplate_cap = max(cfg.min_shingle_df_cap, int(cfg.max_shingle_df * len(texts)))
        idx.shingles = ShingleIndex.build(texts, k, idx.boilerplate_cap)
        idx.rare = idx.shingles.rare()
        return idx

    def chain_postings(self, upper: list[int]) -> ChainPostings:
        """Inverted index of the non-boilerplate shingles of *upper* items (built once per upper chain)."""
        return ChainPostings(list(upper), self.rare[upper].T.tocsr())

    def copy_block(self, low: list[int], postings: ChainPostings) -> sparse.csr_matrix:
        """Shared non-boilerplate shingles, lower items × upper items of the chain (one sparse product)."""
        return (self.rare[low] @ postings.rare_t).tocsr()

    def copy_candidates(self, i: int, postings: ChainPostings) -> dict[int, int]:
        """Upper items sharing discriminative shingles with item *i* → number shared."""
        row = self.copy_block([i], postings)
        return {postings.upper[c]: int(v) for c, v in zip(row.indices.tolist(), row.data.tolist())
                if v > 0 and postings.upper[c] != i}

    def passages(self, i: int, j: int, min_len: int | None = None) -> list[Passage]:
        """Runs of item *i*'s text copied from item *j* (longest first)."""
        return self.shingles.passages(i, j, min_len or self.cfg.min_passage)

    def lexical_block(self, rows: list[int], cols: list[int]) -> np.ndarray:
        """IDF-weighted n-gram Dice, rows × cols: 2·Σidf(shared) / (Σidf(row) + Σidf(col))."""
        if not rows or not cols:
            return np.zeros((len(rows), len(cols)), dtype=np.float32)
        num = (self.lex_w[rows] @ self.lex_bin[cols].T).toarray()
        den = self.lex_mass[rows][:, None] + self.lex_mass[cols][None, :]
        return np.divide(2 * num, den, out=np.zeros_like(num), where=den > 0)

    def cosine_block(self, rows: list[int], cols: list[int]) -> np.ndarray:
        """Cosine of the content vectors (generic words removed), rows × cols: used for overlaps."""
        if not rows or not cols:
            return np.zeros((len(rows), len(cols)), dtype=np.float32)
        return (self.content[rows] @ self.content[cols].T).toarray()


@dataclass(slots=True)
class ClauseRows:
    """The clauses of a range of items as numbers only: clauses per item, matching length, binary n-gram rows."""

    counts: np.ndarray
    lengths: np.ndarray
    matrix: sparse.csr_matrix


def hash_clauses(items: Iterable[list[tuple[str, str]]]) -> ClauseRows:
    """Binary character 2–3-gram rows of every clause's matching form, items in order."""
    hv = HashingVectorizer(analyzer="char", ngram_range=(2, 3), n_features=_N_FEATURES, alternate_sign=False,
                           norm=None, binary=True, dtype=np.float32)
    counts: list[int] = []
    matching: list[str] = []
    for cl in items:
        counts.append(len(cl))
        matching.extend(m for _, m in cl)
    return ClauseRows(np.array(counts, dtype=np.int64), np.array([len(m) for m in matching], dtype=np.float32),
                      hv.transform(matching).tocsr() if matching else _empty_rows())


@dataclass(slots=True)
class ClauseIndex:
    """Every item cut into clauses (title first), as IDF-weighted character 2–3-gram sets.

    Clauses of one item are contiguous (``start[i]:start[i+1]``), so clause similarities reduce to
    item pairs with one ``reduceat``. Only numbers are kept: the clause strings of a national corpus
    (2.5 million, twice: display and matching form) cost more than the matrix, and only the evidence of
    chosen links needs them, so ``display_of(item)`` recomputes one item's clauses on demand (row ``start[item] + k`` is its k-th). The binary
    matrix is ``w`` with its data set to one (built per upper chain, not stored).
    """

    start: np.ndarray
    weight: np.ndarray  # Σ idf of a clause's n-grams: how much content it carries
    length: np.ndarray  # matching characters
    w: sparse.csr_matrix | None
    display_of: Callable[[int], list[str]]

    @classmethod
    def build(cls, per_item: Iterable[list[tuple[str, str]]], display_of: Callable[[int], list[str]],
              chunk: int = 100_000) -> "ClauseIndex":
        """*per_item*: for every item its clauses as (display, matching) pairs, title first (consumed once).

        Hashed in chunks of *chunk* items, so only one chunk's strings and n-gram lists are alive at a time."""
        parts: list[ClauseRows] = []
        batch: list[list[tuple[str, str]]] = []
        for n, cl in enumerate(per_item, 1):
            batch.append(cl)
            if n % chunk == 0:
                parts.append(hash_clauses(batch))
                batch.clear()
        if batch:
            parts.append(hash_clauses(batch))
        return cls.from_parts(parts, display_of)

    @classmethod
    def from_parts(cls, parts: list["ClauseRows"], display_of: Callable[[int], list[str]]) -> "ClauseIndex":
        """The index of consecutive item ranges hashed by :func:`hash_clauses` (in this or a worker process)."""
        counts = np.concatenate([p.counts for p in parts]) if parts else np.zeros(0, dtype=np.int64)
        start = np.zeros(len(counts) + 1, dtype=np.int64)
        start[1:] = np.cumsum(counts)
        length = np.concatenate([p.lengths for p in parts]) if parts else np.zeros(0, dtype=np.float32)
        if not start[-1]:
            return cls(start, np.zeros(0, dtype=np.float32), length, None, display_of)
        b = _stack([p.matrix for p in parts])
        del parts
        b = _compress(b, _used(b))
        df = np.bincount(b.indices, minlength=b.shape[1])
        idf = (np.log((1 + b.shape[0]) / (1 + df)) + 1).astype(np.float32)
        b.data *= idf[b.indices]  # in place: the binary matrix becomes the weighted one, no second copy
        return cls(start, np.asarray(b.sum(axis=1), dtype=np.float32).ravel(), length, b, display_of)

    def rows(self, item: int) -> range:
        return range(int(self.start[item]), int(self.start[item + 1]))

    def binary(self, rows: np.ndarray) -> sparse.csr_matrix:
        """The 0/1 n-gram rows of *rows* (``w`` carries the same pattern)."""
        m = self.w[rows]
        m.data[:] = 1.0
        return m

    def block(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """IDF-weighted n-gram Dice between clauses, rows × cols."""
        if len(rows) == 0 or len(cols) == 0 or self.w is None:
            return np.zeros((len(rows), len(cols)), dtype=np.float32)
        num = (self.w[rows] @ self.binary(cols).T).toarray()
        den = self.weight[rows][:, None] + self.weight[cols][None, :]
        return np.divide(2 * num, den, out=np.zeros_like(num), where=den > 0)
