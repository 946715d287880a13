"""Spidermon: the published-job JSON Schema for item validation, and the close-spider monitors.

Run when each spider closes (``SPIDERMON_SPIDER_CLOSE_MONITORS``): the crawl finished normally, its error
count stays under ``SPIDERMON_MAX_ERRORS``, no more than ``JOBS_PUBLISH_MAX_FAILED_SHARE`` of its boards
failed, and it did not list far fewer postings than the ATS's previous crawl (``JOBS_PUBLISH_MAX_DROP``).
A failed monitor is logged and counted under ``spidermon/…`` in the stats.
"""

from __future__ import annotations

import json
from typing import Any

import fastjsonschema
from itemadapter import ItemAdapter
from spidermon import MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import ErrorCountMonitor, FinishReasonMonitor
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.validation import JSONSchemaValidator

from jobspiders.config import JobsConfig
from jobspiders.data import read_text
from jobspiders.items import JobItem, job_record
from jobspiders.store import open_store

JOB_SCHEMA: dict[str, Any] = json.loads(read_text("job.schema.json"))


class CompiledSchemaValidator(JSONSchemaValidator):
    """Spidermon's JSON Schema validator, answering for a valid item from the schema compiled once
    (fastjsonschema: ~50 µs an item instead of jsonschema's ~400 µs, a tenth of a first crawl's time).
    An item it rejects is validated again by jsonschema, so every error is reported as before."""

    def __init__(self, schema: dict[str, Any]) -> None:
        super().__init__(schema)
        self._valid = fastjsonschema.compile(schema)

    def _validate(self, data: Any, strict: bool = False) -> None:
        try:
            self._valid(data)
        except fastjsonschema.JsonSchemaException:
            super()._validate(data, strict)


class JobValidationPipeline(ItemValidationPipeline):
    """Spidermon's item validation for the items this crawl normalized: an unchanged item (re-crawl)
    was validated when it was stored, and validating it again was a tenth of a re-crawl's time.

    A JobItem is validated as the record it is stored as (`job_record`: no deep copy of its raw
    posting, which ``ItemAdapter.asdict`` made for every item)."""

    @classmethod
    def _load_jsonschema_validator(cls, schema: Any) -> JSONSchemaValidator:
        loaded = super()._load_jsonschema_validator(schema)  # spidermon's loading and its errors
        return CompiledSchemaValidator(loaded._schema)  # the schema spidermon loaded

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, JobItem):
            return super().process_item(item)
        if item.unchanged:
            return item
        validators = self.find_validators(item)
        if not validators:
            return item
        record = job_record(item)
        self.stats.add_item()
        self.stats.add_fields(len(record) + 1)  # + raw, as ItemAdapter counted it
        for validator in validators:
            ok, errors = validator.validate(record)
            if not ok:
                self._add_error_stats(errors)
                if self.add_errors_to_items:
                    self._add_errors_to_item(ItemAdapter(item), errors)
                if self.drop_items_with_errors:
                    self._drop_item(item, errors)
        return item


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
