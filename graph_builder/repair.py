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

import re
from collections import Counter
from functools import lru_cache

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


class _OthersHave:
    """``gram in x``: the gram is in jieba/patterns, in a plan other than *plan*, or (when *repeats*) twice in *plan*.

    Only a gram in exactly one plan needs the owner: *solo* maps it to (plan, occurrences), so no per-plan
    gram set is ever built.
    """

    def __init__(self, df: Counter, solo: dict[str, tuple[str, int]], base: frozenset[str], plan: str, repeats: bool):
        self.df, self.solo, self.base, self.plan, self.repeats = df, solo, base, plan, repeats

    def __contains__(self, g: str) -> bool:
        if g in self.base:
            return True
        c = self.df.get(g, 0)
        if c != 1:
            return c > 1
        owner, count = self.solo[g]
        return owner != self.plan or (self.repeats and count >= 2)


class _Mid:
    """``mid.get((a, c))``: characters x with a trigram a-x-c known from the other plans or jieba/patterns."""

    def __init__(self, mid: dict[tuple[str, str], set[str]], tri: _OthersHave):
        self.mid, self.tri = mid, tri

    def get(self, ac: tuple[str, str], default=()):
        xs = {x for x in self.mid.get(ac, ()) if ac[0] + x + ac[1] in self.tri}
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
        import bisect

        self._bisect = bisect.bisect_right
        self.base2, self.base3 = _base_vocab()
        self.df2: Counter = Counter()
        self.df3: Counter = Counter()
        self.solo2: dict[str, tuple[str, int]] = {}  # grams of one plan only → (plan, occurrences in it)
        self.solo3: dict[str, tuple[str, int]] = {}
        parts, self.starts, self.owners, pos = [], [], [], 0
        for pid, ts in texts_by_plan.items():
            for n, df, solo in ((2, self.df2, self.solo2), (3, self.df3, self.solo3)):
                counts = Counter(_grams(ts, n))
                for g, c in counts.items():
                    if g in df:
                        solo.pop(g, None)
                    else:
                        solo[g] = (pid, c)
                df.update(counts.keys())
            chunk = "\n".join(ts) + "\n\x00\n"
            parts.append(chunk)
            self.starts.append(pos)
            self.owners.append(pid)
            pos += len(chunk)
        self.blob = "".join(parts)
        self.terms = "\n".join(_cfg()["terms"])
        self.mid: dict[tuple[str, str], set[str]] = {}
        for g in (*self.df3, *self.base3):
            self.mid.setdefault((g[0], g[2]), set()).add(g[1])
        self.words = _jieba_words()

    def printed_elsewhere(self, stretch: str, plan: str) -> bool:
        if stretch in self.terms:
            return True
        i = self.blob.find(stretch)
        while i >= 0:
            if self.owners[self._bisect(self.starts, i) - 1] != plan:
                return True
            i = self.blob.find(stretch, i + 1)
        return False

    def for_plan(self, plan: str) -> Vocabulary:
        """"The other plans" (plus this plan's repeated pairs) as seen from *plan*: O(1), nothing copied."""
        v = Vocabulary.__new__(Vocabulary)
        v.bi = _OthersHave(self.df2, self.solo2, self.base2, plan, repeats=True)
        v.tri = _OthersHave(self.df3, self.solo3, self.base3, plan, repeats=False)
        v.mid = _Mid(self.mid, v.tri)
        v.words = self.words
        v.blob = _Elsewhere(self, plan)
        return v


def _repair_nodes(plans: list[tuple[str, str, list]], report: set[str] | None = None) -> list[str]:
    """Repair the nodes of each (plan id, source, nodes); a second run restores ``*_raw`` first, so the result
    depends only on the corpus, never on what an earlier (e.g. incremental) run repaired."""
    from .normalize import to_match
    from .textnorm import t2s

    for _, _, nodes in plans:
        for n in nodes:
            for key in ("name", "title"):
                if isinstance(n.props.get(f"{key}_raw"), str):
                    n.props[key] = n.props.pop(f"{key}_raw")
    corpus = CorpusVocabulary({pid: [to_match(t) for n in nodes for t in _texts(n)] for pid, _, nodes in plans})
    warnings: list[str] = []
    for pid, source, nodes in plans:
        vocab = None
        for n in nodes:
            key = "name" if n.label == "Indicator" else "title" if n.label in ("Task", "Project") else None
            value = n.props.get(key) if key else None
            if not isinstance(value, str) or t2s(value) != value:
                continue  # traditional script: the vocabulary is simplified
            vocab = vocab or corpus.for_plan(pid)
            fixed = repair_text(value, vocab)
            if fixed:
                n.props[f"{key}_raw"] = value
                n.props[key] = fixed
                if report is None or pid in report:
                    warnings.append(f"{source}:{n.props.get('line') or 1}: 修复 OCR/PDF 损伤：“{value}” → “{fixed}”（原文保留在 {key}_raw）")
    return warnings


def _texts(n) -> list[str]:
    return [v for k in ("title", "text", "name") if isinstance(v := n.props.get(k), str)]


def repair_graphs(extractions) -> list[str]:
    """Repair titles and names in each extracted plan against the others; returns one warning per repair."""
    from .store.embedded import owner_plan

    plans = []
    for ex in extractions:
        nodes = [n for n in ex.graph.nodes.values() if owner_plan(n) == ex.plan.id or n.id == ex.plan.id]
        plans.append((ex.plan.id, ex.plan.source or ex.plan.id, nodes))
    return _repair_nodes(plans)


def repair_graph(graph: Graph, report: set[str] | None = None) -> list[str]:
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
    return _repair_nodes(plans, report)
