from __future__ import annotations

from dataclasses import fields as dataclass_fields

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.dates import to_iso
from jobspiders.normalize.posting import normalize_posting, posting_title
from jobspiders.pipelines.base import JobsPipeline

_RAW_FIELDS = tuple(f.name for f in dataclass_fields(RawPosting))


def normalized_title(item: JobItem) -> str:
    """The title `NormalizePipeline` gives ``item`` (`ProfilePipeline` matches it before normalizing)."""
    raw = item.raw
    return posting_title(raw.title if raw else item.title) or item.title


class NormalizePipeline(JobsPipeline):
    """Fills the normalized fields from ``item.raw`` with `normalize_posting` (as `scrapy normalize` does)."""

    concern = "normalize"

    def process_item(self, item: JobItem) -> JobItem:
        if item.unchanged:  # IncrementalPipeline filled it from the store
            return item
        # A shallow mapping of the raw values (normalize_posting only reads them; asdict deep-copied).
        raw = item.raw
        fields = normalize_posting(
            {name: getattr(raw, name) for name in _RAW_FIELDS} if raw else {"title": item.title},
            self.config.now,
        )
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
        return item
