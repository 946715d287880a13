"""``scrapy crawlall``: every ATS spider in one process, then one publish (in a new process, started
before the crawl: the crawl's heap is not carried under it, `publish.PublishProcess`).

Ends with a one-screen table per ATS (board outcomes, where the postings went) on stdout and the same as
JSON in ``OUTPUT_DIR/crawl-summary.json`` (with the exit code and what it means), for operators and
schedulers. Exit codes: 0 published, 1 crawl failed, 2 publish refused, 3 bad configuration.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from jobspiders.cli import add_ats_option, bad_configuration, selected_spiders
from jobspiders.commands import EXIT_BAD_CONFIG, EXIT_CRAWL_FAILED, EXIT_OK, EXIT_PUBLISH_REFUSED
from jobspiders.commands.publish import publish_or_exit_code
from jobspiders.config import ConfigError, JobsConfig
from jobspiders.normalize.dates import to_iso
from jobspiders.publish import PublishProcess, previous_count, write_atomic
from jobspiders.redis_queue import connect, redis_url
from jobspiders.registry import RegistryError, load_registry
from jobspiders.store import open_store

# Columns of the end-of-crawl summary: (header, stats keys under jobspiders/, summed). Board outcomes,
# then the postings: seen on the boards, new to the store, seen again, closed (gone from an answering
# board), invalid (skipped), filtered out (bad URL, not in any list, duplicate), stale and fresh (expiry).
SUMMARY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("boards", ("boards/total",)),
    ("ok", ("boards/ok",)),
    ("empty", ("boards/empty",)),
    ("missing", ("boards/missing",)),
    ("failed", ("boards/failed",)),
    ("seen", ("postings/ok",)),
    ("new", ("store/new",)),
    ("again", ("store/seen_again",)),
    ("closed", ("store/closed",)),
    ("invalid", ("postings/invalid",)),
    ("filtered", ("validate/bad_url", "profiles/no_profile", "dedup/duplicate")),
    ("stale", ("expiry/stale",)),
    ("fresh", ("expiry/fresh",)),
)


# The JSON summary: (section, name, stats key under jobspiders/).
SUMMARY_JSON = (
    ("boards", "total", "boards/total"),
    ("boards", "ok", "boards/ok"),
    ("boards", "empty", "boards/empty"),
    ("boards", "missing", "boards/missing"),
    ("boards", "failed", "boards/failed"),
    ("jobs", "seen", "postings/ok"),
    ("jobs", "invalid", "postings/invalid"),
    ("jobs", "new", "store/new"),
    ("jobs", "seen_again", "store/seen_again"),
    ("jobs", "closed", "store/closed"),
    ("jobs", "not_stored", "store/failed"),  # in batches the store refused (logged as errors)
    ("jobs", "stale", "expiry/stale"),
    ("jobs", "fresh", "expiry/fresh"),
)
OUTCOMES = {
    EXIT_OK: "published",
    EXIT_CRAWL_FAILED: "crawl failed",
    EXIT_PUBLISH_REFUSED: "publish refused",
    EXIT_BAD_CONFIG: "bad configuration",
}


def summary_document(
    stats_by_ats: Mapping[str, Mapping[str, Any]], *, now: str, elapsed: float
) -> dict[str, Any]:
    """The summary as JSON (OUTPUT_DIR/crawl-summary.json): per ATS and in total, board outcomes and
    what happened to the jobs, plus each spider's finish reason."""
    ats: dict[str, Any] = {}
    totals: dict[str, dict[str, int]] = {"boards": {}, "jobs": {}}
    for name, stats in sorted(stats_by_ats.items()):
        entry: dict[str, Any] = {"finish_reason": stats.get("finish_reason"), "boards": {}, "jobs": {}}
        for section, field, key in SUMMARY_JSON:
            value = int(stats.get(f"jobspiders/{key}", 0))
            entry[section][field] = value
            totals[section][field] = totals[section].get(field, 0) + value
        ats[name] = entry
    return {"generated_at": now, "elapsed_seconds": round(elapsed, 1), "ats": ats, "totals": totals}


def write_summary(
    config: JobsConfig, document: dict[str, Any], exit_code: int, *, published: bool = True
) -> None:
    document["exit_code"] = exit_code
    document["outcome"] = OUTCOMES.get(exit_code, "unknown") if published or exit_code else "crawled"
    if exit_code == EXIT_OK and published:
        document["published"] = previous_count(config.output_dir / "jobs.json")
    try:
        write_atomic(
            config.output_dir / "crawl-summary.json",
            json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        )
    except OSError as exc:
        print(f"cannot write crawl-summary.json: {exc}", file=sys.stderr)


def summary_table(stats_by_ats: Mapping[str, Mapping[str, Any]]) -> str:
    """One row per ATS with board outcomes and where the postings went."""
    headers = ["ats", *(header for header, _ in SUMMARY)]
    rows = [
        [ats, *(str(sum(int(stats.get(f"jobspiders/{key}", 0)) for key in keys)) for _, keys in SUMMARY)]
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
        add_ats_option(parser, "only these spiders (repeatable or comma-separated)")
        parser.add_argument(
            "--no-publish",
            action="store_true",
            help="crawl only (scale-out workers: run `scrapy publish` once after all of them)",
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
            if redis_url(self.settings):  # scale-out worker: fail now rather than in every spider
                connect(self.settings).close()
        except (ConfigError, RegistryError) as exc:
            self.exitcode = bad_configuration(exc)
            return
        # Started now, so that its imports overlap the crawl (closed unused if the crawl fails).
        with nullcontext() if opts.no_publish else PublishProcess(listing=config) as process:
            crawlers = {}
            started = time.monotonic()
            for name in selected_spiders(opts.ats, self.crawler_process.spider_loader.list()):
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
            document = summary_document(stats, now=to_iso(config.now), elapsed=elapsed)
            if unstored := document["totals"]["jobs"]["not_stored"]:
                print(
                    f"{unstored} jobs were not written to the store (the log's errors name their boards): "
                    "the lists are published without them",
                    file=sys.stderr,
                )
            failed = [name for name, values in stats.items() if values.get("finish_reason") != "finished"]
            if self.crawler_process.bootstrap_failed or failed:
                print(f"crawl failed: {', '.join(failed) or 'a spider did not start'}", file=sys.stderr)
                self.exitcode = EXIT_CRAWL_FAILED
            elif process is None:
                self.exitcode = EXIT_OK
                document["published"] = None
            else:
                self.exitcode = publish_or_exit_code(config, process=process)
        write_summary(config, document, self.exitcode, published=not opts.no_publish)
