"""Crawl extensions: health (progress in the log while a crawl runs, ``OUTPUT_DIR/health.json`` when it
ends) and the garbage collector's threshold while the crawl runs."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet import task

from jobspiders import gc_tuning
from jobspiders.config import JobsConfig
from jobspiders.normalize.dates import to_iso
from jobspiders.publish import write_atomic
from jobspiders.signals import board_finished

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

    from jobspiders.spiders.base import BoardRun

logger = logging.getLogger(__name__)


class CrawlHealth:
    """Logs ``boards done/total, postings, errors`` every ``JOBS_PROGRESS_INTERVAL`` seconds (Scrapy's
    LogStats pattern) and writes health.json: per ATS, the finish reason and per board the outcome,
    requests, postings and errors. Each spider replaces its own ATS's section, so `crawlall` and separate
    `scrapy crawl` runs build one report."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.config = JobsConfig.from_settings(crawler.settings)
        self.interval = interval
        self.boards: dict[str, dict[str, Any]] = {}
        self.task: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, crawler.settings.getfloat("JOBS_PROGRESS_INTERVAL", 60.0))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.board_finished, signal=board_finished)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        if self.interval > 0:
            self.task = task.LoopingCall(self.log_progress, spider)
            self.task.start(self.interval, now=False)

    def log_progress(self, spider: Spider) -> None:
        stats = self.crawler.stats
        logger.info(
            "%s: %d/%d boards done, %d postings, %d errors",
            spider.name,
            stats.get_value("jobspiders/boards/done", 0),
            stats.get_value("jobspiders/boards/total", 0),
            stats.get_value("jobspiders/postings/ok", 0),
            stats.get_value("log_count/ERROR", 0),
        )

    def board_finished(self, run: BoardRun) -> None:
        self.boards[run.board.token] = {
            "outcome": run.outcome,
            "reason": run.reason,
            "requests": run.requests,
            "postings": len(run.job_ids),
            "errors": run.errors,
        }

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task and self.task.running:
            self.task.stop()
        self.log_progress(spider)
        path = self.config.output_dir / "health.json"
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(report.get("ats"), dict):
                raise ValueError("no ats section")
        except (OSError, ValueError, AttributeError):
            report = {"ats": {}}
        outcomes = [board["outcome"] for board in self.boards.values()]
        report["ats"][spider.name] = {
            "crawled_at": to_iso(self.config.now),
            "finish_reason": reason,
            "boards": dict(sorted(self.boards.items())),
            "totals": {outcome: outcomes.count(outcome) for outcome in ("ok", "empty", "missing", "failed")},
        }
        report["generated_at"] = to_iso(self.config.now)
        write_atomic(path, json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


class GcThreshold:
    """Raises the garbage collector's young-generation threshold to ``JOBS_GC_THRESHOLD`` while the
    engine runs (`jobspiders.gc_tuning` says why) and counts the collections made meanwhile in the stats
    (``gc/collections/young``, ``…/middle``, ``…/full``; process-wide)."""

    def __init__(self, crawler: Crawler, threshold: int) -> None:
        self.crawler = crawler
        self.threshold = threshold
        self.started: tuple[int, ...] = ()  # collections so far when the engine started; () once restored

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler, JobsConfig.from_settings(crawler.settings).gc_threshold)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        gc_tuning.raise_threshold(self.threshold)
        self.started = gc_tuning.collections()

    def spider_closed(self, spider: Spider) -> None:
        # Before the stats are dumped (engine_stopped comes after).
        if self.crawler.stats is None or not self.started:
            return
        counts = zip(("young", "middle", "full"), self.started, gc_tuning.collections(), strict=False)
        for name, before, now in counts:
            self.crawler.stats.set_value(f"gc/collections/{name}", now - before)

    def engine_stopped(self) -> None:
        if self.started:
            gc_tuning.restore_threshold()
            self.started = ()
