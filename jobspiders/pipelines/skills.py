from __future__ import annotations

from jobspiders.items import JobItem
from jobspiders.normalize.skills import tag_skills
from jobspiders.pipelines.base import JobsPipeline


class SkillsPipeline(JobsPipeline):
    """Tags skills named in the title and description (taxonomy: skills.yml)."""

    concern = "skills"

    def process_item(self, item: JobItem) -> JobItem:
        if not item.unchanged:  # unchanged items keep their stored skills
            item.skills = tag_skills(f"{item.title}\n{item.description}")
        self.count("tagged" if item.skills else "none")
        return item
