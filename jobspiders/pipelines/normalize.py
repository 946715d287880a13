from __future__ import annotations

from dataclasses import fields as dataclass_fields

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.dates import to_iso
from jobspiders.normalize.posting import normalize_posting, posting_title
from jobspiders.pipelines.base import JobsPipeline
from jobspiders.workers import NormalizeWorkers, worker_count, workers_after

_RAW_FIELDS = tuple(f.name for f in dataclass_fields(RawPosting))


def normalized_title(item: JobItem) -> str:
    """The title `NormalizePipeline` gives ``item`` (`ProfilePipeline` matches it before normalizing)."""
    raw = item.raw
    return posting_title(raw.title if raw else item.title) or item.title


class NormalizePipeline(JobsPipeline):
    """Fills the normalized fields from ``item.raw`` with `normalize_posting` (as `scrapy normalize` does),
    in worker processes once the crawl has normalized ``JOBS_NORMALIZE_WORKERS_AFTER`` postings here
    (jobspiders/workers.py; the same fields either way)."""

    concern = "normalize"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.processes = worker_count(self.crawler.settings)
        self.in_process_left = workers_after(self.crawler.settings)  # postings before the workers start
        self.workers: NormalizeWorkers | None = None

    async def process_item(self, item: JobItem) -> JobItem:
        if item.unchanged:  # IncrementalPipeline filled it from the store
            return item
        # A shallow mapping of the raw values (normalize_posting only reads them; asdict deep-copied).
        raw = item.raw
        values = {name: getattr(raw, name) for name in _RAW_FIELDS} if raw else {"title": item.title}
        if self.processes and self.workers is None and self.in_process_left <= 0:
            self.workers = NormalizeWorkers(self.processes, self.config.now, self.count)
        if self.workers is not None and self.workers.active:
            fields = await self.workers.normalize(values)
        else:
            self.in_process_left -= 1
            fields = normalize_posting(values, self.config.now)
        self._fill(item, fields)
        return item

    def _fill(self, item: JobItem, fields: dict) -> None:
        item.title = fields["title"] or item.title
        item.url = fields["url"] or item.url
        item.location = fields["location"]
        item.locations = fields["locations"]
        item.workplace = fields["workplace"]
        item.employment_type = fields["employment_type"]
        item.seniority = fields["seniority"]
        item.salary = fields["salary"]
        item.description = fields["description"]
        if fields["posted_at"]:
            item.posted_at, item.date_source = fields["posted_at"], "ats"
        else:  # no usable ATS date: the store keeps the first time we saw the job
            item.posted_at, item.date_source = to_iso(self.config.now), "first_seen"
            self.count("no_date")
        self.count("ok")

    def close_spider(self) -> None:
        if self.workers is not None:
            self.workers.close()
            self.workers = None
