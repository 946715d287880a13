from __future__ import annotations

from jobspiders.items import JobItem
from jobspiders.normalize.urls import is_http_url
from jobspiders.pipelines.base import JobsPipeline


class ValidatePipeline(JobsPipeline):
    """Hard rules before any work: a title, and a public http(s) URL."""

    concern = "validate"

    def process_item(self, item: JobItem) -> JobItem:
        if not str(item.title or "").strip():
            self.drop(item, "missing_title")
        if not is_http_url(item.url):
            self.drop(item, "bad_url")
        self.count("ok")
        return item
