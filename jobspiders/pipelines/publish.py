from __future__ import annotations

import logging

from scrapy import signals

from jobspiders.pipelines.base import JobsPipeline
from jobspiders.publish import PublishRefused, publish

logger = logging.getLogger(__name__)


class PublishPipeline(JobsPipeline):
    """Publishes README.md and jobs.json from the store when the spider closes (DESIGN.md: the last
    pipeline), so a plain `scrapy crawl <ats>` leaves a fresh list. `crawlall` turns this off
    (``JOBS_PUBLISH_ON_CLOSE``) and publishes once after all its spiders.

    It acts on ``spider_closed``, which Scrapy sends after every pipeline has closed: pipelines close in
    reverse order, and the store must have recorded the boards' outcomes (and closed jobs) first. It has
    no ``process_item``: Scrapy then leaves it out of every item's pipeline chain.
    """

    concern = "publish"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.config.publish_on_close:
            self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self) -> None:
        try:
            result = publish(self.config)
        except PublishRefused as exc:
            self.count("refused")
            logger.error("Publish refused, the last good list is kept: %s", exc)
            return
        self.count("published")
        self.crawler.stats.set_value("jobspiders/publish/jobs", result.count)
