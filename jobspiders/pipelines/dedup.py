from __future__ import annotations

from jobspiders.items import JobItem
from jobspiders.pipelines.base import JobsPipeline


class DedupPipeline(JobsPipeline):
    """One item per ATS job in a crawl.

    The same job on two boards (same company, title and location) is collapsed when publishing, from
    the store, where both boards' rows are kept so that each board can close its own.
    """

    concern = "dedup"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.seen: set[str] = set()

    def process_item(self, item: JobItem) -> JobItem:
        if item.id in self.seen:
            self.drop(item, "duplicate")
        self.seen.add(item.id)
        self.count("unique")
        return item
