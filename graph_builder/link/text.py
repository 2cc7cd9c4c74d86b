"""Text normalisation and copied-passage detection shared by every linker.

Plans are compared on *matching text*: NFKC, traditional → simplified, no whitespace, no
punctuation, no list numbering. Zhejiang (traditional script) then compares with Anhui directly.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..textnorm import simplified

_PUNCT = re.compile(r"[\s\u3000，,。.、；;：:！!？?“”\"'‘’《》〈〉()（）\[\]【】{}—\-–·…|/<>＜＞「」『』]+")
_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百]+[章节条]\s*|[（(][一二三四五六七八九十\d]+[)）]\s*|"
    r"[一二三四五六七八九十]+[、.．]\s*|\d+\s*[、.．](?!\d)\s*|专栏\s*[\d\-－]+\s*)")


def simplify(text: str) -> str:
    """NFKC + simplified script, whitespace kept (for display of evidence); fails loudly without OpenCC."""
    return simplified(text or "")


def norm(text: str | None) -> str:
    """Matching form: simplified, no numbering, punctuation or spaces."""
    s = simplify(text or "")
    for _ in range(2):
        s = _NUMBERING.sub("", s)
    return _PUNCT.sub("", s)


def fingerprint(text: str | None) -> str:
    """Short hash of the matching form, so a decision notices when either end's wording changed."""
    return hashlib.sha1(norm(text).encode("utf-8")).hexdigest()[:12]


def bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)} if len(s) > 1 else ({s} if s else set())


def dice(a: str, b: str) -> float:
    """Char-bigram Dice coefficient of two normalised strings."""
    x, y = bigrams(a), bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def shingles(s: str, k: int) -> list[str]:
    return [s[i:i + k] for i in range(len(s) - k + 1)]


@dataclass(slots=True)
class Passage:
    """A run of the lower text also found in the upper text."""

    start: int
    end: int
    text: str

    def __len__(self) -> int:
        return self.end - self.start


def covered_runs(low: str, upper_shingles: set[str], k: int, min_len: int) -> list[Passage]:
    """Maximal runs of *low* made of k-shingles present in *upper_shingles*, at least *min_len* long."""
    runs: list[Passage] = []
    start = end = -1
    for i in range(len(low) - k + 1):
        if low[i:i + k] in upper_shingles:
            if i <= end:  # extends (or overlaps) the current run
                end = i + k
            else:
                if end - start >= min_len:
                    runs.append(Passage(start, end, low[start:end]))
                start, end = i, i + k
    if end - start >= min_len and start >= 0:
        runs.append(Passage(start, end, low[start:end]))
    return runs


_CLAUSE_END = re.compile(r"(?<=[。；;！!？?\n])")
_COMMA = re.compile(r"(?<=[，,])")


def clauses(text: str, split_at: int = 40, min_chars: int = 4) -> list[str]:
    """Sentences of *text* (display form, simplified); a sentence longer than *split_at* matching
    characters is cut at its commas, so one copied phrase inside a long sentence still stands out."""
    out: list[str] = []
    for sent in _CLAUSE_END.split(simplify(text or "")):
        parts = [sent] if len(norm(sent)) <= split_at else _COMMA.split(sent)
        buf = ""
        for p in parts:
            buf += p
            if len(norm(buf)) >= min_chars:
                out.append(buf.strip())
                buf = ""
        if buf.strip() and out and len(norm(buf)) > 0:
            out[-1] += buf.strip()
        elif buf.strip() and len(norm(buf)) >= 2:
            out.append(buf.strip())
    return [c for c in out if norm(c)]
