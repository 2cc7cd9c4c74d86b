"""Repair OCR/PDF damage in task titles and indicator names (药品抽检合构各率 → 药品抽检合格率).

Why: scans and text-layer PDFs garble a character or split one into two, and the damaged name then
never matches the same measure in another plan. The vocabulary is the other plans of the corpus, jieba's
dictionary and ``patterns/repair.toml``. A stretch of the name whose character pairs are known nowhere is
a damage spot; a repair is one edit there (drop a character, replace one, merge two into one) after which
every pair around it is known and the repaired stretch is printed verbatim in another plan (or the
pattern terms) — applied only when exactly one such edit exists. Digits and Latin
characters are never touched. The original stays in ``title_raw``/``name_raw``; each repair is a warning
with file and line.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from functools import lru_cache

import numpy as np

from .pattern_files import pattern_file
from .models import Graph

_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _cfg() -> dict:
    return pattern_file("repair.toml")


@lru_cache(maxsize=1)
def _jieba_words() -> frozenset[str]:
    import jieba

    jieba.setLogLevel(60)
    jieba.dt.check_initialized()
    return frozenset(w for w, f in jieba.dt.FREQ.items() if f >= _cfg()["jieba_min_freq"] and 2 <= len(w) <= 6)


@lru_cache(maxsize=1)
def _base_vocab() -> tuple[frozenset[str], frozenset[str]]:
    """Bigrams and trigrams of jieba words (frequent ones) and the pattern terms."""
    words = [*_jieba_words(), *_cfg()["terms"]]
    return frozenset(_grams(words, 2)), frozenset(_grams(words, 3))


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _grams(texts, n: int):
    """The n-character stretches of *texts* made only of CJK characters, in order (slices of CJK runs)."""
    for t in texts:
        for run in _CJK_RUN.findall(t):
            for i in range(len(run) - n + 1):
                yield run[i:i + n]


def _plan_texts(graph: Graph, plan_id: str) -> list[str]:
    from .store.embedded import owner_plan

    out = []
    for n in graph.nodes.values():
        if owner_plan(n) == plan_id or n.id == plan_id:
            for k in ("title", "text", "name"):
                v = n.props.get(k)
                if isinstance(v, str):
                    out.append(v)
    return out


class Vocabulary:
    """Known character pairs/triples: the other plans' texts, repeated pairs of this plan, jieba, patterns."""

    def __init__(self, other_texts: list[str], own_texts: list[str]):
        base2, base3 = _base_vocab()
        own2 = Counter(_grams(own_texts, 2))
        self.bi = set(base2) | set(_grams(other_texts, 2)) | {g for g, c in own2.items() if c >= 2}
        self.tri = set(base3) | set(_grams(other_texts, 3))
        self.words = _jieba_words()
        self.blob = "\n".join([*other_texts, *_cfg()["terms"]])
        self.mid: dict[tuple[str, str], set[str]] = {}
        for g in self.tri:
            self.mid.setdefault((g[0], g[2]), set()).add(g[1])

    def known(self, s: str, lo: int, hi: int) -> bool:
        """Every CJK pair of s[lo:hi] is known."""
        return all(s[i:i + 2] in self.bi for i in range(max(0, lo), min(len(s) - 1, hi))
                   if _CJK.match(s[i]) and _CJK.match(s[i + 1]))


def repair_text(s: str, vocab: Vocabulary) -> str | None:
    """The repaired string when exactly one small edit fixes the damage spot, else None.

    A character is suspect when the pairs it forms with both neighbours are unknown (a pair across a word
    boundary alone is not enough: 引领|战略 has an unknown 领战 but known pairs on either side).
    """
    if len(s) < _cfg()["min_chars"]:
        return None

    def unknown(i: int) -> bool:
        return 0 <= i < len(s) - 1 and bool(_CJK.match(s[i]) and _CJK.match(s[i + 1])) and s[i:i + 2] not in vocab.bi

    bad = [i for i in range(len(s) - 1) if unknown(i)]
    # a damage spot: two unknown pairs at most one character apart (one unknown pair is a word boundary)
    spots = [(i, j) for i, j in zip(bad, bad[1:]) if j - i == 1 or (j - i == 2 and s[i + 1:j + 1] not in vocab.words)]
    if len(spots) != 1 or len(bad) > 3:
        return None  # clean, or more damage than one edit can repair
    lo, hi = spots[0][0], spots[0][1] + 2  # the damaged stretch s[lo:hi]
    inner = range(lo + 1, hi - 1)
    if all(s[k] in _cfg()["function_chars"] for k in inner):
        return None  # 与/或/及 between two words
    cands: set[str] = set()
    for k in inner:
        if not _CJK.match(s[k]):
            continue
        cands.add(s[:k] + s[k + 1:])  # a stray character
        for x in vocab.mid.get((s[k - 1], s[k + 1]), ()):
            cands.add(s[:k] + x + s[k + 1:])  # one wrong character
        if k + 1 in inner and _CJK.match(s[k + 1]):
            for x in vocab.mid.get((s[k - 1], s[k + 2]), ()):
                cands.add(s[:k] + x + s[k + 2:])  # one character read as two
    good = {c for c in cands if c != s and vocab.known(c, lo - 1, hi - 1) and _same_numbers(s, c)}
    # the repaired stretch, with a character of context on each side, must be printed verbatim elsewhere
    good = {c for c in good if c[max(0, lo - 1):hi + 1 - (len(s) - len(c))] in vocab.blob}
    return next(iter(good)) if len(good) == 1 else None


def _same_numbers(a: str, b: str) -> bool:
    return re.findall(r"[\dA-Za-z.%]+", a) == re.findall(r"[\dA-Za-z.%]+", b)


_CJK_LO, _CJK_HI = 0x4E00, 0x9FFF  # the range _CJK matches; code points < 2**16, so a gram packs into one integer


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _gram_keys(codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(packed keys, start positions) of the all-CJK n-grams of *codes*: a-b → a<<16|b, a-b-c → a<<32|b<<16|c."""
    cjk = (codes >= _CJK_LO) & (codes <= _CJK_HI)
    m = len(codes) - n + 1
    if m <= 0:
        z = np.zeros(0, dtype=np.uint64)
        return z, z.astype(np.int64)
    ok = cjk[:m].copy()
    key = codes[:m].copy()
    for j in range(1, n):
        ok &= cjk[j:j + m]
        key = (key << np.uint64(16)) | codes[j:j + m]
    pos = np.flatnonzero(ok)
    return key[pos], pos


def _key(g: str) -> int:
    k = 0
    for ch in g:
        k = (k << 16) | ord(ch)
    return k


@lru_cache(maxsize=1)
def _base_keys() -> np.ndarray:
    """The jieba/pattern bigrams as sorted packed keys (vectorised screening of names)."""
    return np.unique(np.fromiter((_key(g) for g in _base_vocab()[0]), dtype=np.uint64))


@lru_cache(maxsize=1)
def _base_mid() -> dict[tuple[str, str], set[str]]:
    mid: dict[tuple[str, str], set[str]] = {}
    for g in _base_vocab()[1]:
        mid.setdefault((g[0], g[2]), set()).add(g[1])
    return mid


class _GramStats:
    """Per n-gram over the corpus, as sorted arrays: plans containing it (df), occurrences (total) and, for a
    gram of one plan only, that plan (owner) and its occurrences there (count). Accumulated in batches of
    plans, so memory is the distinct grams plus one batch, never one set per plan."""

    def __init__(self, n: int):
        self.n = n
        self.keys = np.zeros(0, dtype=np.uint64)
        self.df = np.zeros(0, dtype=np.int64)
        self.total = np.zeros(0, dtype=np.int64)
        self.owner = np.zeros(0, dtype=np.int64)
        self.count = np.zeros(0, dtype=np.int64)
        self._batch: list[tuple[np.ndarray, np.ndarray, int]] = []
        self._pending = 0

    def add(self, plan: int, codes: np.ndarray) -> None:
        keys = np.sort(_gram_keys(codes, self.n)[0])  # sort + run lengths: np.unique is several times slower here
        if len(keys):
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
            u, c = keys[starts], np.diff(np.r_[starts, len(keys)])
        else:
            u, c = keys, np.zeros(0, dtype=np.int64)
        self._batch.append((u, c, plan))
        self._pending += len(u)
        if self._pending > 2_000_000:
            self.flush()

    def flush(self) -> None:
        if not self._batch:
            return
        keys = np.concatenate([self.keys, *(u for u, _, _ in self._batch)])
        df = np.concatenate([self.df, *(np.ones(len(u), np.int64) for u, _, _ in self._batch)])
        total = np.concatenate([self.total, *(c.astype(np.int64) for _, c, _ in self._batch)])
        owner = np.concatenate([self.owner, *(np.full(len(u), p, np.int64) for u, _, p in self._batch)])
        self._batch, self._pending = [], 0
        order = np.argsort(keys, kind="stable")
        keys, df, total, owner = keys[order], df[order], total[order], owner[order]
        first = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)
        starts = np.flatnonzero(first)
        self.keys = keys[starts]
        self.df = np.add.reduceat(df, starts) if len(starts) else df[:0]
        self.total = np.add.reduceat(total, starts) if len(starts) else total[:0]
        self.owner = owner[starts]  # meaningful only where df == 1
        self.count = self.total  # where df == 1 all occurrences are the owner's

    def remove(self, codes: np.ndarray) -> None:
        """Take one plan's grams out again (the counts are plain sums, so this is exact)."""
        self.flush()
        keys = np.sort(_gram_keys(codes, self.n)[0])
        if not len(keys) or not len(self.keys):
            return
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        u, c = keys[starts], np.diff(np.r_[starts, len(keys)])
        i = np.searchsorted(self.keys, u)
        ok = (i < len(self.keys)) & (self.keys[np.minimum(i, len(self.keys) - 1)] == u)
        self.df[i[ok]] -= 1
        self.total[i[ok]] -= c[ok]
        keep = self.df > 0
        self.keys, self.df, self.total, self.owner = self.keys[keep], self.df[keep], self.total[keep], self.owner[keep]
        self.count = self.total

    def find(self, key: int) -> int:
        i = int(np.searchsorted(self.keys, np.uint64(key)))
        return i if i < len(self.keys) and int(self.keys[i]) == key else -1

    def totals(self, keys: np.ndarray) -> np.ndarray:
        """Occurrences over the corpus of each packed key (0 when unseen)."""
        i = np.searchsorted(self.keys, keys)
        i[i >= len(self.keys)] = 0
        hit = self.keys[i] == keys if len(self.keys) else np.zeros(len(keys), dtype=bool)
        return np.where(hit, self.total[i] if len(self.keys) else 0, 0)


class _OthersHave:
    """``gram in x``: the gram is in jieba/patterns, in a plan other than the one whose grams are *own*, or
    (when *repeats*) twice in that plan. A gram in one plan only is that plan's exactly when *own* has it."""

    def __init__(self, stats: _GramStats, base: frozenset[str], own: np.ndarray, repeats: bool):
        self.stats, self.base, self.own, self.repeats = stats, base, own, repeats

    def __contains__(self, g: str) -> bool:
        if g in self.base:
            return True
        k = _key(g)
        i = self.stats.find(k)
        if i < 0:
            return False
        df = int(self.stats.df[i])
        if df != 1:
            return df > 1
        j = int(np.searchsorted(self.own, np.uint64(k)))
        mine = j < len(self.own) and int(self.own[j]) == k
        return not mine or (self.repeats and int(self.stats.count[i]) >= 2)


class _Mid:
    """``mid.get((a, c))``: characters x with a trigram a-x-c known from the other plans or jieba/patterns."""

    def __init__(self, corpus: "CorpusVocabulary", tri: _OthersHave):
        self.corpus, self.tri = corpus, tri

    def get(self, ac: tuple[str, str], default=()):
        xs = {x for x in self.corpus.middles(*ac) | _base_mid().get(ac, set()) if ac[0] + x + ac[1] in self.tri}
        return xs or default


class _Elsewhere:
    """``stretch in blob``: printed verbatim in another plan (or the pattern terms)."""

    def __init__(self, corpus: "CorpusVocabulary", plan: str):
        self.corpus, self.plan = corpus, plan

    def __contains__(self, stretch: str) -> bool:
        return self.corpus.printed_elsewhere(stretch, self.plan)


class CorpusVocabulary:
    """Gram statistics of the whole corpus, built once; :meth:`for_plan` gives the vocabulary of "the other
    plans" for one plan without rebuilding it per plan (cost and memory grow linearly with the corpus)."""

    def __init__(self, texts_by_plan: dict[str, list[str]]):
        self.base2, self.base3 = _base_vocab()
        self.texts = texts_by_plan
        self.plans = list(texts_by_plan)
        self.index = {p: i for i, p in enumerate(self.plans)}
        self.bi, self.tri = _GramStats(2), _GramStats(3)
        for i, pid in enumerate(self.plans):
            codes = _codes("\n".join(texts_by_plan[pid]))
            self.bi.add(i, codes)
            self.tri.add(i, codes)
        self.bi.flush()
        self.tri.flush()
        self._index_middles()
        self.terms = "\n".join(_cfg()["terms"])
        self.words = _jieba_words()
        self._blob: tuple[str, list[int], list[str]] | None = None

    def _index_middles(self) -> None:
        k = self.tri.keys  # a<<32|b<<16|c re-packed as a<<32|c<<16|b: the middles of (a, c) are one range
        mask = np.uint64(0xFFFF)
        self._mid = np.sort(((k >> np.uint64(32)) << np.uint64(32)) | ((k & mask) << np.uint64(16)) | ((k >> np.uint64(16)) & mask))

    def middles(self, a: str, c: str) -> set[str]:
        lo = (ord(a) << 32) | (ord(c) << 16)
        i, j = np.searchsorted(self._mid, [np.uint64(lo), np.uint64(lo + 0x10000)])
        return {chr(int(x) & 0xFFFF) for x in self._mid[i:j]}

    def suspects(self, values: list[str]) -> list[bool]:
        """Which *values* may hold a damage spot: at least two CJK pairs outside jieba/patterns that occur only
        once in the corpus. A superset of what :func:`repair_text` acts on, computed for all values at once."""
        if not values:
            return []
        codes = _codes("\n".join(values))
        keys, pos = _gram_keys(codes, 2)
        base = _base_keys()
        j = np.minimum(np.searchsorted(base, keys), max(len(base) - 1, 0))
        in_base = base[j] == keys if len(base) else np.zeros(len(keys), dtype=bool)
        rare = (self.bi.totals(keys) < 2) & ~in_base
        ends = np.cumsum([len(v) + 1 for v in values])
        per = np.bincount(np.searchsorted(ends, pos[rare], side="right"), minlength=len(values))
        return [bool(c >= 2) for c in per[:len(values)]]

    def printed_elsewhere(self, stretch: str, plan: str) -> bool:
        if stretch in self.terms:
            return True
        blob, starts, owners = self.blob()
        i = blob.find(stretch)
        while i >= 0:
            if owners[bisect.bisect_right(starts, i) - 1] != plan:
                return True
            i = blob.find(stretch, i + 1)
        return False

    def blob(self) -> tuple[str, list[int], list[str]]:
        """Every plan's text in one string, with each plan's start (built only when a repair candidate needs it)."""
        if self._blob is None:
            parts, starts, owners, pos = [], [], [], 0
            for pid, ts in self.texts.items():
                chunk = "\n".join(ts) + "\n\x00\n"
                parts.append(chunk)
                starts.append(pos)
                owners.append(pid)
                pos += len(chunk)
            self._blob = ("".join(parts), starts, owners)
        return self._blob

    def for_plan(self, plan: str, own_texts: list[str] | None = None) -> Vocabulary:
        """"The other plans" (plus this plan's repeated pairs) as seen from *plan*; nothing of the corpus copied."""
        v = Vocabulary.__new__(Vocabulary)
        codes = _codes("\n".join(self.texts.get(plan, []) if own_texts is None else own_texts))
        v.bi = _OthersHave(self.bi, self.base2, np.unique(_gram_keys(codes, 2)[0]), repeats=True)
        v.tri = _OthersHave(self.tri, self.base3, np.unique(_gram_keys(codes, 3)[0]), repeats=False)
        v.mid = _Mid(self, v.tri)
        v.words = self.words
        v.blob = _Elsewhere(self, plan)
        return v


def _repair_nodes(plans: list[tuple[str, str, list]], report: set[str] | None = None,
                  corpus: "CorpusVocabulary | None" = None, keep: list | None = None) -> list[str]:
    """Repair the nodes of each (plan id, source, nodes); a second run restores ``*_raw`` first, so the result
    depends only on the corpus, never on what an earlier (e.g. incremental) run repaired.

    *corpus*: the vocabulary to use (it must already count these plans), else one built from *plans*;
    *keep*: a list that receives the vocabulary (the store saves it for ``plangraph add``).
    """
    from .textnorm import t2s

    for _, _, nodes in plans:
        restore_raw(nodes)
    texts = {pid: plan_texts(nodes) for pid, _, nodes in plans}
    corpus = corpus or CorpusVocabulary(texts)
    if keep is not None:
        keep.append(corpus)
    warnings: list[str] = []
    for pid, source, nodes in plans:
        todo = []
        for n in nodes:
            key = "name" if n.label == "Indicator" else "title" if n.label in ("Task", "Project") else None
            value = n.props.get(key) if key else None
            if isinstance(value, str) and len(value) >= _cfg()["min_chars"] and t2s(value) == value:
                todo.append((n, key, value))  # traditional script is skipped: the vocabulary is simplified
        vocab = None
        for (n, key, value), maybe in zip(todo, corpus.suspects([v for _, _, v in todo])):
            if not maybe:
                continue
            vocab = vocab or corpus.for_plan(pid, texts[pid])
            fixed = repair_text(value, vocab)
            if fixed:
                n.props[f"{key}_raw"] = value
                n.props[key] = fixed
                if report is None or pid in report:
                    warnings.append(f"{source}:{n.props.get('line') or 1}: 修复 OCR/PDF 损伤：“{value}” → “{fixed}”（原文保留在 {key}_raw）")
    return warnings


def restore_raw(nodes) -> None:
    """Undo earlier repairs (``title_raw``/``name_raw`` back into place)."""
    for n in nodes:
        for key in ("name", "title"):
            if isinstance(n.props.get(f"{key}_raw"), str):
                n.props[key] = n.props.pop(f"{key}_raw")


def plan_texts(nodes) -> list[str]:
    """A plan's texts as the vocabulary counts them (as printed: a repaired value counts by its ``*_raw``)."""
    from .normalize import to_match

    out = []
    for n in nodes:
        for k in ("title", "text", "name"):
            v = n.props.get(f"{k}_raw") if k != "text" and isinstance(n.props.get(f"{k}_raw"), str) else n.props.get(k)
            if isinstance(v, str):
                out.append(to_match(v))
    return out


# ---------------------------------------------------------------- the stored vocabulary (plangraph add)
STATE_FILE = "repair-vocab.npz"


def save_state(directory, gen: str, corpus: CorpusVocabulary) -> None:
    """Keep the corpus vocabulary of the stored graph *gen*, so ``plangraph add`` repairs a new plan against
    every stored plan without reading them (gram counts are sums: adding and removing a plan is exact)."""
    import io
    from pathlib import Path

    from .fileio import atomic_write_text

    blob, starts, owners = corpus.blob()
    buf = io.BytesIO()
    np.savez(buf, gen=np.array(gen), bi_keys=corpus.bi.keys, bi_df=corpus.bi.df, bi_total=corpus.bi.total,
             tri_keys=corpus.tri.keys, tri_df=corpus.tri.df, tri_total=corpus.tri.total,
             blob=np.frombuffer(blob.encode("utf-8"), dtype=np.uint8), starts=np.array(starts, dtype=np.int64),
             owners=np.array(owners, dtype=str))
    atomic_write_text(Path(directory) / STATE_FILE, buf.getvalue())


def load_state(directory, gen: str) -> CorpusVocabulary | None:
    """The saved vocabulary if it belongs to graph generation *gen*, else None."""
    from pathlib import Path

    try:
        with np.load(Path(directory) / STATE_FILE, allow_pickle=False) as d:
            if str(d["gen"]) != gen:
                return None
            c = CorpusVocabulary.__new__(CorpusVocabulary)
            c.base2, c.base3 = _base_vocab()
            c.texts, c.plans, c.index = {}, [], {}
            for name in ("bi", "tri"):
                st = _GramStats(2 if name == "bi" else 3)
                st.keys, st.df, st.total = d[f"{name}_keys"], d[f"{name}_df"], d[f"{name}_total"]
                st.owner, st.count = np.zeros(len(st.keys), dtype=np.int64), st.total
                setattr(c, name, st)
            c._blob = (d["blob"].tobytes().decode("utf-8"), d["starts"].tolist(), d["owners"].tolist())
    except (OSError, ValueError, KeyError):
        return None
    c._index_middles()
    c.terms = "\n".join(_cfg()["terms"])
    c.words = _jieba_words()
    return c


def update_state(corpus: CorpusVocabulary, drop: dict[str, list[str]], add: dict[str, list[str]]) -> None:
    """Take plans out of the vocabulary (*drop*: their texts as counted) and put plans in (*add*)."""
    blob, starts, owners = corpus.blob()
    gone = set(drop) | set(add)
    ends = starts[1:] + [len(blob)]
    parts = [(o, blob[a:b]) for o, a, b in zip(owners, starts, ends) if o not in gone]
    parts += [(pid, "\n".join(ts) + "\n\x00\n") for pid, ts in add.items()]
    for ts in drop.values():
        codes = _codes("\n".join(ts))
        corpus.bi.remove(codes)
        corpus.tri.remove(codes)
    for ts in add.values():
        codes = _codes("\n".join(ts))
        corpus.bi.add(-1, codes)
        corpus.tri.add(-1, codes)
    corpus.bi.flush()
    corpus.tri.flush()
    corpus._index_middles()
    pos, new_starts = 0, []
    for _, chunk in parts:
        new_starts.append(pos)
        pos += len(chunk)
    corpus._blob = ("".join(c for _, c in parts), new_starts, [o for o, _ in parts])
    corpus.texts.update(add)


def _texts(n) -> list[str]:
    return [v for k in ("title", "text", "name") if isinstance(v := n.props.get(k), str)]


def repair_graphs(extractions, keep: list | None = None) -> list[str]:
    """Repair titles and names in each extracted plan against the others; returns one warning per repair."""
    from .store.embedded import owner_plan

    plans = []
    for ex in extractions:
        nodes = [n for n in ex.graph.nodes.values() if owner_plan(n) == ex.plan.id or n.id == ex.plan.id]
        plans.append((ex.plan.id, ex.plan.source or ex.plan.id, nodes))
    return _repair_nodes(plans, keep=keep)


def repair_graph(graph: Graph, report: set[str] | None = None, keep: list | None = None) -> list[str]:
    """Repair a whole merged graph (every loaded plan is vocabulary for the others); warnings only for the
    plans in *report* (e.g. the files an incremental build re-extracted)."""
    from .store.embedded import owner_plan

    by_plan: dict[str, list] = {}
    for n in graph.nodes.values():
        pid = n.id if n.label == "Plan" else owner_plan(n)
        if pid:
            by_plan.setdefault(pid, []).append(n)
    plans = [(pid, (graph.nodes[pid].props.get("source") if pid in graph.nodes else None) or pid, nodes)
             for pid, nodes in by_plan.items() if pid in graph.nodes and graph.nodes[pid].props.get("loaded", True) is not False]
    return _repair_nodes(plans, report, keep=keep)
