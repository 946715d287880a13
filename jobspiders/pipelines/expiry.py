from __future__ import annotations

from datetime import timedelta

from jobspiders.items import JobItem
from jobspiders.normalize.dates import to_iso
from jobspiders.pipelines.base import JobsPipeline


class ExpiryPipeline(JobsPipeline):
    """Postings older than ``JOBS_MAX_AGE_DAYS`` are stored (we keep their history) but not exported."""

    concern = "expiry"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.oldest = to_iso(self.config.now - timedelta(days=self.config.max_age_days))

    def process_item(self, item: JobItem) -> JobItem:
        if (item.posted_at or "") < self.oldest:
            self.drop(item, "stale")
        self.count("fresh")
        return item
