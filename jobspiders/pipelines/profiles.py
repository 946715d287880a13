from __future__ import annotations

from jobspiders.items import JobItem
from jobspiders.normalize.profiles import match_profiles
from jobspiders.pipelines.base import JobsPipeline
from jobspiders.pipelines.normalize import normalized_title


class ProfilePipeline(JobsPipeline):
    """Keeps the jobs that belong to at least one list profile (profiles.yml) and says which.

    Runs before `NormalizePipeline`: profiles match the title alone, which it takes as normalize will
    give it, so the postings no list wants (15 % of the benchmark workload) are dropped before their
    descriptions, dates and salaries are normalized for nothing."""

    concern = "profiles"

    def process_item(self, item: JobItem) -> JobItem:
        if not item.unchanged:  # unchanged items keep their stored profiles
            item.profiles = match_profiles(normalized_title(item))
        if not item.profiles:
            self.drop(item, "no_profile")
        for name in item.profiles:
            self.count(name)
        return item
