from __future__ import annotations

import logging
from typing import Any

from jobspiders.items import JobItem, job_record
from jobspiders.normalize.dates import to_iso
from jobspiders.normalize.dedup import dedup_key
from jobspiders.pipelines.base import JobsPipeline
from jobspiders.signals import board_finished
from jobspiders.spiders.base import BoardRun
from jobspiders.store import JobStore, open_store

logger = logging.getLogger(__name__)


class StorePipeline(JobsPipeline):
    """Upserts every item into the store; when the crawl ends, records each board's outcome and closes
    the jobs that correctly answering boards no longer list (failed boards close nothing).

    Writes are batched: one transaction per ``JOBS_STORE_BATCH`` items, and one whenever a board finishes
    and when the spider closes, so a killed crawl loses at most the uncommitted batch. Items marked
    ``unchanged`` (pipelines/incremental.py) only bump ``last_seen`` and reopen their job. A batch the
    store refuses is logged with its boards, counted (``jobspiders/store/failed``) and dropped; the crawl
    and the items go on.

    The writes stay in the crawl's thread: in a thread of their own they made a 1,000-board re-crawl
    slower (54 -> 64 s), each row's SQLite step handing the GIL back and forth with the crawl."""

    concern = "store"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.store: JobStore | None = None
        self.finished: list[BoardRun] = []
        self.seen_at = to_iso(self.config.now)
        self.batch_size = max(1, self.crawler.settings.getint("JOBS_STORE_BATCH", 500))
        self.pending: list[dict] = []
        self.touched: list[str] = []
        self.touched_boards: set[tuple[str, str]] = set()
        self.crawler.signals.connect(self.board_finished, signal=board_finished)

    def open_spider(self) -> None:
        self.store = open_store(self.config.db)

    def board_finished(self, run: BoardRun) -> None:
        self.finished.append(run)
        self.flush()

    def process_item(self, item: JobItem) -> JobItem:
        if item.unchanged:
            self.touched.append(item.id)
            self.touched_boards.add((item.ats, item.board))
        else:
            record = job_record(item)
            record.pop("unchanged", None)
            record["dedup_key"] = dedup_key(item.company, item.title, item.location)
            self.pending.append(record)
        if len(self.pending) + len(self.touched) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Commit the buffered writes (one transaction each for upserts and touches)."""
        if self.store is None:
            return
        if self.pending:
            records, self.pending = self.pending, []
            try:
                new = self.store.upsert_many(records, self.seen_at)
            except Exception as exc:
                self._failed(len(records), {(r.get("ats"), r.get("board")) for r in records}, exc)
            else:
                self.count("new", new)
                self.count("seen_again", len(records) - new)
        if self.touched:
            ids, self.touched = self.touched, []
            boards, self.touched_boards = self.touched_boards, set()
            try:
                self.store.touch(ids, self.seen_at)
            except Exception as exc:
                self._failed(len(ids), boards, exc)
            else:
                self.count("seen_again", len(ids))
                self.count("unchanged", len(ids))

    def _failed(self, jobs: int, boards: set[tuple[Any, Any]], exc: Exception) -> None:
        """A write the store refused (disk full, database locked for too long, connection lost)."""
        self.count("failed", jobs)
        logger.error(
            "Store %s: a batch of %d jobs (%s) was not written (%s: %s)",
            self.config.db,
            jobs,
            ", ".join(sorted(f"{ats}:{board}" for ats, board in boards)),
            type(exc).__name__,
            exc,
        )

    def close_spider(self) -> None:
        if self.store is None:
            return
        try:
            self.flush()
            for run in self.finished:
                if run.company_name:
                    self.store.learn_name(run.board.ats, run.board.token, run.company_name, self.seen_at)
                closed = self.store.finish_board(
                    run.board.ats,
                    run.board.token,
                    run.outcome or "failed",
                    run.reason,
                    run.job_ids,
                    self.seen_at,
                )
                if closed:
                    self.crawler.stats.inc_value("jobspiders/store/closed", closed)
                    logger.info("%s: closed %d jobs the board no longer lists", run.board.key, closed)
        finally:
            self.store.close()
            self.store = None
