"""``scrapy discover URL… [--add] [--out DIR]``: find the ATS boards behind company websites.

Fetches each URL (a home page or a careers page; through ``ATS_MIRROR`` when set), follows at most one
"careers"/"jobs" link from a page that names no board, and prints the boards found as registry entries
(YAML, one per line, each URL's block introduced by a comment saying what was found and how).
``--add`` merges them into the registry folder (the bundled one unless ``--out``), each into its ATS's file.
Exit code 0 when every URL led to at least one board, 1 when some led to none, 3 on bad configuration.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, ClassVar

from scrapy.exceptions import UsageError

from jobspiders.cli import JobsCommand
from jobspiders.commands import EXIT_CRAWL_FAILED
from jobspiders.commands.registry import bundled_folder
from jobspiders.discover import DiscoverSpider, registry_entries
from jobspiders.registry_import import ImportReport, Row, entry_line, new_builder


class Command(JobsCommand):
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "URL [URL …] [--add] [--out DIR]"

    def short_desc(self) -> str:
        return "Find the ATS boards of company websites and print them as registry entries"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--add", action="store_true", help="merge the boards found into the registry")
        parser.add_argument("--out", metavar="DIR", help="registry folder for --add (default: bundled)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one company website or careers page URL")
        if self.jobs_config() is None:
            return
        crawler = self.crawler_process.create_crawler(DiscoverSpider)
        self.crawler_process.crawl(crawler, urls=args)
        self.crawler_process.start()
        results = list(crawler.spider.results.values()) if crawler.spider else []
        entries = []
        for result in results:
            found = registry_entries(result)
            how = ", ".join(f"{board.ats} by {board.evidence}" for board in result.boards)
            print(f"# {result.url}: " + (f"{len(found)} board(s): {how}" if found else "no board found"))
            if result.gh_jobs and not any(board.ats == "greenhouse" for board in result.boards):
                print(
                    f"#   Greenhouse jobs (gh_jid {', '.join(result.gh_jobs[:3])}) but no board token found"
                )
            for error in result.errors:
                print(f"#   {error}")
            for entry in found:
                print(entry_line(entry), end="")
            entries.extend(found)
        if opts.add and entries:
            folder = Path(opts.out) if opts.out else bundled_folder()
            builder = new_builder(folder)
            report = ImportReport()
            for entry in entries:
                builder.add_row(Row("discover", 0, entry=entry), entry["source"], report)
            builder.finish(report)
            written = builder.write(folder)
            added = sum(report.new.values())
            print(
                f"# added {added} new board(s), {sum(report.merged.values())} already known; "
                f"wrote {', '.join(p.name for p in written) or 'nothing'} in {folder}"
            )
        self.exitcode = 0 if results and all(result.boards for result in results) else EXIT_CRAWL_FAILED
