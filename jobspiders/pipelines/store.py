from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from jobspiders.items import JobItem, job_record
from jobspiders.normalize.dates import to_iso
from jobspiders.normalize.dedup import dedup_key
from jobspiders.pipelines.base import JobsPipeline
from jobspiders.signals import board_finished
from jobspiders.spiders.base import BoardRun
from jobspiders.store import JobStore, open_store

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Batches handed to the writer thread and not written yet, at most: the crawl waits for the oldest
# beyond that, so a slow store slows the crawl down instead of filling memory.
MAX_QUEUED_BATCHES = 4


@dataclass
class Batch:
    """Writes handed to the writer thread: records to upsert, ids to touch, the boards they are from."""

    records: list[dict]
    ids: list[str]
    boards: list[str]
    written: Future[tuple[int, int]]  # (new jobs, jobs seen again)


class StorePipeline(JobsPipeline):
    """Upserts every item into the store; when the crawl ends, records each board's outcome and closes
    the jobs that correctly answering boards no longer list (failed boards close nothing).

    Writes are batched: one transaction per ``JOBS_STORE_BATCH`` items, and one whenever a board finishes
    and when the spider closes. Items marked ``unchanged`` (pipelines/incremental.py) only bump
    ``last_seen`` and reopen their job. The store is used from a thread of its own, which writes the
    batches in order while the crawl goes on (SQLite and psycopg let go of the GIL while they work), at
    most `MAX_QUEUED_BATCHES` behind it: a killed crawl loses those and the batch being filled. A batch
    that cannot be written is logged with its boards, counted (``jobspiders/store/failed``) and dropped;
    the crawl goes on."""

    concern = "store"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.store: JobStore | None = None
        self.writer: ThreadPoolExecutor | None = None
        self.queued: deque[Batch] = deque()
        self.finished: list[BoardRun] = []
        self.seen_at = to_iso(self.config.now)
        self.batch_size = max(1, self.crawler.settings.getint("JOBS_STORE_BATCH", 500))
        self.pending: list[dict] = []
        self.touched: list[str] = []
        self.touched_boards: set[str] = set()
        self.crawler.signals.connect(self.board_finished, signal=board_finished)

    def open_spider(self) -> None:
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="jobspiders-store")
        try:
            # Opened in the writer thread: an SQLite connection stays in the thread that made it.
            self.store = self.writer.submit(open_store, self.config.db).result()
        except BaseException:
            self.writer.shutdown()
            self.writer = None
            raise

    def board_finished(self, run: BoardRun) -> None:
        self.finished.append(run)
        self.flush()

    def process_item(self, item: JobItem) -> JobItem:
        if item.unchanged:
            self.touched.append(item.id)
            self.touched_boards.add(f"{item.ats}:{item.board}")
        else:
            record = job_record(item)
            record.pop("unchanged", None)
            record["dedup_key"] = dedup_key(item.company, item.title, item.location)
            self.pending.append(record)
        if len(self.pending) + len(self.touched) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Hand the buffered writes to the writer thread (one transaction each for upserts and touches)."""
        if self.writer is None or not (self.pending or self.touched):
            return
        records, self.pending = self.pending, []
        ids, self.touched = self.touched, []
        boards = sorted({f"{r.get('ats')}:{r.get('board')}" for r in records} | self.touched_boards)
        self.touched_boards = set()
        while len(self.queued) >= MAX_QUEUED_BATCHES:
            self._settle(self.queued.popleft())
        self.queued.append(Batch(records, ids, boards, self.writer.submit(self._write, records, ids)))
        while self.queued and self.queued[0].written.done():
            self._settle(self.queued.popleft())

    def _write(self, records: list[dict], ids: list[str]) -> tuple[int, int]:
        """In the writer thread: (new jobs, jobs seen again)."""
        assert self.store is not None
        new = self.store.upsert_many(records, self.seen_at) if records else 0
        if ids:
            self.store.touch(ids, self.seen_at)
        return new, len(records) - new

    def _settle(self, batch: Batch) -> None:
        """Count a batch the writer thread is done with (here: only the crawl's thread moves stats)."""
        try:
            new, again = batch.written.result()
        except Exception as exc:
            jobs = len(batch.records) + len(batch.ids)
            self.count("failed", jobs)
            logger.error(
                "Store %s: a batch of %d jobs (%s) was not written, or not all of it (%s: %s)",
                self.config.db,
                jobs,
                ", ".join(batch.boards) or "no board",
                type(exc).__name__,
                exc,
            )
            return
        self.count("new", new)
        self.count("seen_again", again + len(batch.ids))
        self.count("unchanged", len(batch.ids))

    def wait_for_writes(self) -> None:
        """Return when every batch handed to the writer thread is written (and counted)."""
        while self.queued:
            self._settle(self.queued.popleft())

    def _in_writer(self, call: Callable[[], T]) -> T:
        assert self.writer is not None
        return self.writer.submit(call).result()

    def close_spider(self) -> None:
        if self.store is None or self.writer is None:
            return
        try:
            self.flush()
            self.wait_for_writes()
            for run, closed in self._in_writer(self._finish_boards):
                if closed:
                    self.crawler.stats.inc_value("jobspiders/store/closed", closed)
                    logger.info("%s: closed %d jobs the board no longer lists", run.board.key, closed)
        finally:
            store, self.store = self.store, None
            self.writer.submit(store.close).result()
            self.writer.shutdown()
            self.writer = None

    def _finish_boards(self) -> list[tuple[BoardRun, int]]:
        """In the writer thread: each finished board's outcome and name, and how many jobs it closed."""
        assert self.store is not None
        done = []
        for run in self.finished:
            if run.company_name:
                self.store.learn_name(run.board.ats, run.board.token, run.company_name, self.seen_at)
            closed = self.store.finish_board(
                run.board.ats, run.board.token, run.outcome or "failed", run.reason, run.job_ids, self.seen_at
            )
            done.append((run, closed))
        return done
