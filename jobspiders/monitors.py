"""Spidermon: the published-job JSON Schema for item validation, and the close-spider monitors.

Run when each spider closes (``SPIDERMON_SPIDER_CLOSE_MONITORS``): the crawl finished normally, its error
count stays under ``SPIDERMON_MAX_ERRORS``, no more than ``JOBS_PUBLISH_MAX_FAILED_SHARE`` of its boards
failed, and it did not list far fewer postings than the ATS's previous crawl (``JOBS_PUBLISH_MAX_DROP``).
A failed monitor is logged and counted under ``spidermon/…`` in the stats.
"""

from __future__ import annotations

import json
from typing import Any

from spidermon import MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import ErrorCountMonitor, FinishReasonMonitor
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline

from jobspiders.config import JobsConfig
from jobspiders.data import read_text
from jobspiders.items import JobItem
from jobspiders.store import open_store

JOB_SCHEMA: dict[str, Any] = json.loads(read_text("job.schema.json"))


class JobValidationPipeline(ItemValidationPipeline):
    """Spidermon's item validation for the items this crawl normalized: an unchanged item (re-crawl)
    was validated when it was stored, and validating it again was a tenth of a re-crawl's time."""

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, JobItem) and item.unchanged:
            return item
        return super().process_item(item)


@monitors.name("Boards")
class BoardsMonitor(BaseScrapyMonitor):
    """Too many failed boards."""

    @monitors.name("No more failed boards than JOBS_PUBLISH_MAX_FAILED_SHARE")
    def test_failed_share(self) -> None:
        total = self.stats.get("jobspiders/boards/total", 0)
        failed = self.stats.get("jobspiders/boards/failed", 0)
        limit = JobsConfig.from_settings(self.crawler.settings).max_failed_share
        message = f"{failed} of {total} boards failed (limit {limit:.0%})"
        self.assertLessEqual(failed, total * limit, msg=message)  # noqa: PT009 (unittest-based monitors)


@monitors.name("Postings against the last crawl")
class PostingsTrendMonitor(BaseScrapyMonitor):
    """The ATS listed far fewer postings than in its previous crawl."""

    @monitors.name("Postings did not fall by more than JOBS_PUBLISH_MAX_DROP")
    def test_postings_did_not_collapse(self) -> None:
        config = JobsConfig.from_settings(self.crawler.settings)
        store = open_store(config.db)
        try:
            totals = store.crawl_totals(self.crawler.spider.name, limit=2)
        finally:
            store.close()
        if len(totals) < 2:
            return
        current, previous = totals
        message = f"{current} postings, {previous} in the last crawl"
        self.assertGreaterEqual(current, previous * (1 - config.max_drop), msg=message)  # noqa: PT009


class CrawlMonitorSuite(MonitorSuite):
    monitors = [FinishReasonMonitor, ErrorCountMonitor, BoardsMonitor, PostingsTrendMonitor]  # noqa: RUF012
