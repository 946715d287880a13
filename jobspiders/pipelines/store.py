from __future__ import annotations

import logging

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
    the jobs that correctly answering boards no longer list (failed boards close nothing)."""

    concern = "store"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.store: JobStore | None = None
        self.finished: list[BoardRun] = []
        self.seen_at = to_iso(self.config.now)
        self.crawler.signals.connect(self.board_finished, signal=board_finished)

    def open_spider(self) -> None:
        self.store = open_store(self.config.db)

    def board_finished(self, run: BoardRun) -> None:
        self.finished.append(run)

    def process_item(self, item: JobItem) -> JobItem:
        record = job_record(item)
        record["dedup_key"] = dedup_key(item.company, item.title, item.location)
        new = self.store.upsert(record, self.seen_at)
        self.count("new" if new else "seen_again")
        return item

    def close_spider(self) -> None:
        if self.store is None:
            return
        try:
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
