"""The garbage collector's young-generation threshold while a crawl or a publish runs (issue 8).

CPython collects its youngest generation every 700 net allocations (its default threshold), and the
older generations after every few of those. Each collection walks every container object of the
generations it collects; a crawl holds a few hundred thousand of them for its whole length (the
scheduler's queued requests with their headers and meta, Twisted timeouts, asyncio tasks, per board state)
and allocates millions more that die young. At the default threshold the collector took 54 % of the CPU of
a 1,000-board crawl, 39 % of a 100-board one: the more boards in flight, the more live objects every
collection walks, which is why seconds per posting grew with the registry. With a young threshold of
50,000 most objects are freed by reference counting before a collection sees them: the same crawl ran
2.2 times as fast at the same peak RSS (benchmarks/PERFORMANCE.md). Reference cycles are still collected,
only less often.

The threshold is process-wide: raises nest (crawlall runs several crawlers in one process, which may stop
in any order) and the last restore puts back what was there.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000  # JOBS_GC_THRESHOLD's default

_saved: list[tuple[int, int, int]] = []  # the thresholds to restore, one per active raise


def raise_threshold(young: int) -> None:
    """Collect the young generation every ``young`` net allocations at most (0: leave it as it is) until
    the matching `restore_threshold`."""
    current = gc.get_threshold()
    _saved.append(current)
    if young > current[0]:
        gc.set_threshold(young, *current[1:])


def restore_threshold() -> None:
    """Undo the latest `raise_threshold`."""
    if _saved:
        gc.set_threshold(*_saved.pop())


@contextmanager
def raised_threshold(young: int) -> Iterator[None]:
    """`raise_threshold` for the block."""
    raise_threshold(young)
    try:
        yield
    finally:
        restore_threshold()


def collections() -> tuple[int, ...]:
    """Collections so far of each generation (young first), for the crawl stats."""
    return tuple(generation["collections"] for generation in gc.get_stats())
