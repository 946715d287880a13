"""Normalizing postings in worker processes while the crawl goes on (issue 8).

Scrapy runs a crawl on one core, and ``normalize_posting`` is the biggest CPU cost of a first crawl after
Scrapy's own (about half a millisecond a posting: HTML to text, salary sentences, dates, places). It is a
pure function of the raw posting and ``now``, so `NormalizePipeline` hands postings to a pool of worker
processes and the reactor keeps downloading and parsing meanwhile; the results are the same as in-process.

- ``JOBS_NORMALIZE_WORKERS``: worker processes; ``"auto"`` (the default) is 1 when this process may run on
  two CPUs or more (its CPU affinity, and a container's CPU quota: `usable_cpus`) and 0 otherwise; 0
  normalizes in the crawl process.
- ``JOBS_NORMALIZE_WORKERS_AFTER``: postings a crawler normalizes in its own process before it uses the
  workers (default 200, 0.1 s of work), so that a small crawl never pays a worker's start-up (a new
  interpreter that imports Scrapy and the normalizers: half a second of another core).

Postings go in batches (`BATCH_SIZE`, or whatever arrived within `BATCH_DELAY`): one round trip through
`concurrent.futures` costs the crawl process about 200 µs, a third of the work it saves; in batches of 32
about 30 µs a posting. One pool serves every crawler of the process (``crawlall``) and stops when the last
pipeline that uses it closes. Workers are spawned, not forked: a crawl process has threads.

Nothing is lost when a worker cannot do its job: a batch whose worker died (BrokenProcessPool, e.g. killed
by the OOM killer) or that failed for any reason is normalized again in the crawl process, posting by
posting, so an error is raised for the posting that causes it, as without workers; after a dead worker
the pipeline stops using the pool. The asyncio reactor is needed (the project's TWISTED_REACTOR).
"""

from __future__ import annotations

import asyncio
import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import is_asyncio_available

from jobspiders.config import ConfigError, count_setting
from jobspiders.normalize.posting import normalize_posting

logger = logging.getLogger(__name__)

BATCH_SIZE = 32
BATCH_DELAY = 0.02  # seconds a partial batch waits for more postings

Raw = Mapping[str, Any]
Fields = dict[str, Any]


CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def usable_cpus(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """The CPUs this process may use: its affinity, capped by a cgroup v2 CPU quota (``docker --cpus``,
    a Kubernetes CPU limit), which the affinity does not show."""
    cpus = len(os.sched_getaffinity(0))
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, math.floor(int(quota) / int(period))))
    except (OSError, ValueError):  # no cgroup v2 here, or a file we do not understand: no quota
        pass
    return cpus


def worker_count(settings: BaseSettings) -> int:
    """``JOBS_NORMALIZE_WORKERS`` as a number of processes ("auto": 1 with 2 usable CPUs or more, else 0)."""
    value = settings.get("JOBS_NORMALIZE_WORKERS", "auto")
    if value is None or str(value).strip().lower() == "auto":
        return 1 if usable_cpus() >= 2 else 0
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if count < 0:
        raise ConfigError(
            f"JOBS_NORMALIZE_WORKERS must be auto or a whole number of processes, got {value!r}"
        )
    return count


def workers_after(settings: BaseSettings) -> int:
    """``JOBS_NORMALIZE_WORKERS_AFTER``: postings normalized in-process before the workers start."""
    return count_setting(settings, "JOBS_NORMALIZE_WORKERS_AFTER", 200, "postings (0 or more)")


def normalize_batch(raws: list[Raw], now: datetime) -> list[Fields]:
    """`normalize_posting` of each raw posting (what a worker runs)."""
    return [normalize_posting(raw, now) for raw in raws]


# One pool per process, shared by the crawlers that use it: [pool, users].
_shared: list[Any] = [None, 0]


def _acquire_pool(processes: int) -> ProcessPoolExecutor:
    pool = _shared[0]
    if pool is None:
        pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        _shared[0] = pool
    _shared[1] += 1
    return pool


def _release_pool(pool: ProcessPoolExecutor) -> None:
    if _shared[0] is not pool:  # replaced after it broke: nobody else uses it
        pool.shutdown(wait=False, cancel_futures=True)
        return
    _shared[1] -= 1
    if _shared[1] <= 0:
        _shared[:] = [None, 0]
        pool.shutdown(wait=False, cancel_futures=True)


def _forget_broken(pool: ProcessPoolExecutor) -> None:
    """The next `_acquire_pool` starts a new pool (this one's workers are gone)."""
    if _shared[0] is pool:
        _shared[:] = [None, 0]


class NormalizeWorkers:
    """Normalizes raw postings in worker processes, in batches, for one pipeline (one ``now``). Made and
    used in the asyncio loop (in a coroutine of it).

    ``count`` is called with an outcome and a number of postings: "in_worker" (normalized by a worker),
    "worker_failed" (their batch failed: normalized here)."""

    def __init__(
        self,
        processes: int,
        now: datetime,
        count: Callable[[str, int], None],
        batch_size: int = BATCH_SIZE,
        batch_delay: float = BATCH_DELAY,
    ) -> None:
        self.now = now
        self.count = count
        self.batch_size = batch_size
        self.batch_delay = batch_delay
        self.pool: ProcessPoolExecutor | None = None
        self.batch: list[tuple[Raw, asyncio.Future[Fields]]] = []
        self.timer: asyncio.TimerHandle | None = None
        if processes <= 0:
            return
        if not is_asyncio_available():
            logger.warning("JOBS_NORMALIZE_WORKERS needs the asyncio reactor: normalizing in this process")
            return
        try:
            self.pool = _acquire_pool(processes)
        except (OSError, ImportError, NotImplementedError) as exc:  # e.g. no semaphores without /dev/shm
            logger.warning("Cannot start normalize workers (%s): normalizing in the crawl process", exc)

    @property
    def active(self) -> bool:
        return self.pool is not None

    async def normalize(self, raw: Raw) -> Fields:
        """`normalize_posting(raw, now)`, computed by a worker (in-process once the pool is gone)."""
        if self.pool is None:
            return normalize_posting(raw, self.now)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Fields] = loop.create_future()
        self.batch.append((raw, future))
        if len(self.batch) >= self.batch_size:
            self._send()
        elif self.timer is None:
            self.timer = loop.call_later(self.batch_delay, self._send)
        return await future

    def _send(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        batch, self.batch = self.batch, []
        if not batch:
            return
        if self.pool is None:  # broke meanwhile
            self._in_process(batch)
            return
        try:
            done = self.pool.submit(normalize_batch, [raw for raw, _ in batch], self.now)
        except Exception as exc:  # broken, shut down, or a worker that cannot be started (OSError)
            self._give_up(exc)
            self._in_process(batch)
            return
        loop = asyncio.get_running_loop()
        done.add_done_callback(lambda done: loop.call_soon_threadsafe(self._deliver, batch, done))

    def _deliver(self, batch: list[tuple[Raw, asyncio.Future[Fields]]], done: Future[list[Fields]]) -> None:
        try:
            results = done.result()
        except BaseException as exc:  # any failure (cancelled too): this process does it again
            if isinstance(exc, BrokenProcessPool):
                self._give_up(exc)
            else:
                logger.warning(
                    "A normalize worker failed on a batch of %d postings (%r): normalizing them here",
                    len(batch),
                    exc,
                )
            self.count("worker_failed", len(batch))
            self._in_process(batch)
            return
        for (_, future), fields in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(fields)
        self.count("in_worker", len(batch))

    def _in_process(self, batch: list[tuple[Raw, asyncio.Future[Fields]]]) -> None:
        for raw, future in batch:
            if future.done():
                continue
            try:
                future.set_result(normalize_posting(raw, self.now))
            except Exception as exc:  # raised where the posting is awaited, as without workers
                future.set_exception(exc)

    def _give_up(self, exc: BaseException) -> None:
        if self.pool is None:
            return
        logger.warning(
            "The normalize worker died or cannot start (%r): normalizing in the crawl process from now on",
            exc,
        )
        _forget_broken(self.pool)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = None

    def close(self) -> None:
        """Send what is waiting, then let go of the pool (the last user stops it)."""
        if self.batch:
            self._send()
        if self.pool is not None:
            _release_pool(self.pool)
            self.pool = None
