from __future__ import annotations

from jobspiders.items import JobItem
from jobspiders.normalize.profiles import match_profiles
from jobspiders.pipelines.base import JobsPipeline


class ProfilePipeline(JobsPipeline):
    """Keeps the jobs that belong to at least one list profile (profiles.yml) and says which."""

    concern = "profiles"

    def process_item(self, item: JobItem) -> JobItem:
        if not item.unchanged:  # unchanged items keep their stored profiles
            item.profiles = match_profiles(item.title)
        if not item.profiles:
            self.drop(item, "no_profile")
        for name in item.profiles:
            self.count(name)
        return item
