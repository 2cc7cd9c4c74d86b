"""Row passes over the whole corpus split into ranges for forked worker processes.

Hashing every item text and every clause into n-gram columns is pure Python per row (sklearn's
analyzers) and the longest step of a national link run. Rows are independent, so consecutive ranges go to
forked workers: they read what the parent holds (inherited, never pickled) and send back only numbers.
Results come back in range order, so the outcome does not depend on the number of workers.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# The function the workers run, set before the pool forks (inherited: closures need no pickling).
_JOB: dict = {}


def row_ranges(n: int, size: int) -> list[tuple[int, int]]:
    """Consecutive [start, stop) ranges of at most *size* rows covering ``range(n)``.

    >>> row_ranges(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    >>> row_ranges(0, 2)
    []
    """
    return [(a, min(a + size, n)) for a in range(0, n, max(1, size))]


def _run(a: int, b: int):
    return _JOB["fn"](a, b)


def map_ranges(fn: Callable[[int, int], T], n: int, workers: int, size: int) -> tuple[list[T], int]:
    """``fn(start, stop)`` for every range of :func:`row_ranges` (*n*, *size*), in order, and the workers used.

    With one worker, one range or no ``fork`` it runs here. A worker that dies (e.g. killed for memory)
    leaves its ranges and the later ones to this process, so a result is always complete."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ranges = row_ranges(n, size)
    workers = min(workers, len(ranges))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [fn(a, b) for a, b in ranges], 1
    out: list[T] = []
    _JOB["fn"] = fn
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_run, a, b) for a, b in ranges]
            for fut in futures:
                try:
                    out.append(fut.result())
                except BrokenProcessPool:
                    break
    finally:
        _JOB.clear()
    out.extend(fn(a, b) for a, b in ranges[len(out):])
    return out, workers
