"""Scrapy's log lines, but drops at DEBUG (they are counted in the stats, jobspiders/<concern>/<reason>),
and none of the per-response and per-item DEBUG lines ("Crawled", "Scraped from", "Dropped") made when
``LOG_LEVEL`` does not show them.

Scrapy's logging handler drops records below ``LOG_LEVEL``, but its loggers let every record through to
it: each of those lines still cost a log record (about 5 µs), twice or more for every posting of a crawl.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter, LogFormatterResult

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.python.failure import Failure


class JobsLogFormatter(LogFormatter):
    def __init__(self, debug: bool = True) -> None:
        super().__init__()
        self.debug = debug  # whether DEBUG lines are shown

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        level = crawler.settings.get("LOG_LEVEL", logging.DEBUG)
        number = logging.getLevelName(level.upper()) if isinstance(level, str) else level
        return cls(debug=not isinstance(number, int) or number <= logging.DEBUG)  # unknown: as before

    def crawled(self, request: Request, response: Response, spider: Spider) -> LogFormatterResult | None:
        return super().crawled(request, response, spider) if self.debug else None

    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult | None:
        return super().scraped(item, response, spider) if self.debug else None

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult | None:
        if not self.debug:
            return None
        return {"level": logging.DEBUG, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
