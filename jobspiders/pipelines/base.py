"""What every pipeline shares: the crawler, the project config and outcome counting."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NoReturn

from scrapy.exceptions import DropItem

from jobspiders.config import JobsConfig

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from jobspiders.items import JobItem


class JobsPipeline:
    """Base of the project's pipelines; ``concern`` names the stats namespace."""

    concern: ClassVar[str]

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = JobsConfig.from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def count(self, outcome: str, n: int = 1) -> None:
        """Add ``n`` to the outcome's stat (none is created for 0)."""
        if n:
            self.crawler.stats.inc_value(f"jobspiders/{self.concern}/{outcome}", n)

    def drop(self, item: JobItem, reason: str) -> NoReturn:
        self.count(reason)
        raise DropItem(f"{reason} {item.id}")
