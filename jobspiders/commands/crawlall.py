from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from typing import Any

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from jobspiders.commands import EXIT_BAD_CONFIG, EXIT_CRAWL_FAILED
from jobspiders.commands.publish import publish_or_exit_code
from jobspiders.config import ConfigError, JobsConfig
from jobspiders.registry import RegistryError, load_registry
from jobspiders.store import open_store

# Columns of the end-of-crawl summary: (header, stats key under jobspiders/).
SUMMARY = (
    ("boards", "boards/total"),
    ("ok", "boards/ok"),
    ("empty", "boards/empty"),
    ("missing", "boards/missing"),
    ("failed", "boards/failed"),
    ("postings", "postings/ok"),
    ("invalid", "postings/invalid"),
    ("bad url", "validate/bad_url"),
    ("not in list", "profiles/no_profile"),
    ("dup", "dedup/duplicate"),
    ("stored", "store/new"),
    ("again", "store/seen_again"),
    ("closed", "store/closed"),
    ("stale", "expiry/stale"),
    ("fresh", "expiry/fresh"),
)


def summary_table(stats_by_ats: Mapping[str, Mapping[str, Any]]) -> str:
    """One row per ATS with board outcomes and where the postings went."""
    headers = ["ats", *(header for header, _ in SUMMARY)]
    rows = [
        [ats, *(str(stats.get(f"jobspiders/{key}", 0)) for _, key in SUMMARY)]
        for ats, stats in sorted(stats_by_ats.items())
    ]
    totals = ["total", *(str(sum(int(row[i]) for row in rows)) for i in range(1, len(headers)))]
    table = [headers, *rows, totals]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = [
        "  ".join(
            cell.rjust(width) if i else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in table
    ]
    return "\n".join(lines)


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Crawl every ATS spider in one process, then publish once"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--ats",
            action="append",
            default=[],
            metavar="NAME",
            help="only these spiders (repeatable or comma-separated)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # Publish once, after every spider, instead of once per spider.
        self.settings.set("JOBS_PUBLISH_ON_CLOSE", False, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("crawlall takes no positional arguments")
        try:
            config = JobsConfig.from_settings(self.settings)
            open_store(config.db).close()
            load_registry(opts.spargs.get("companies") or config.companies)
        except (ConfigError, RegistryError) as exc:
            print(f"bad configuration: {exc}", file=sys.stderr)
            self.exitcode = EXIT_BAD_CONFIG
            return
        known = self.crawler_process.spider_loader.list()
        wanted = [name.strip() for value in opts.ats for name in value.split(",") if name.strip()]
        unknown = sorted(set(wanted) - set(known))
        if unknown:
            raise UsageError(f"unknown spider(s): {', '.join(unknown)}; known: {', '.join(known)}")
        crawlers = {}
        started = time.monotonic()
        for name in wanted or known:
            crawler = self.crawler_process.create_crawler(name)
            crawlers[name] = crawler
            self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        elapsed = time.monotonic() - started
        stats = {
            name: crawler.stats.get_stats() if crawler.stats else {} for name, crawler in crawlers.items()
        }
        print(summary_table(stats))
        print(f"crawled {len(crawlers)} spiders in {elapsed:.1f}s")
        failed = [name for name, values in stats.items() if values.get("finish_reason") != "finished"]
        if self.crawler_process.bootstrap_failed or failed:
            print(f"crawl failed: {', '.join(failed) or 'a spider did not start'}", file=sys.stderr)
            self.exitcode = EXIT_CRAWL_FAILED
            return
        self.exitcode = publish_or_exit_code(config)
