"""What the project's Scrapy commands share (kept outside jobspiders.commands: Scrapy instantiates
every command class it finds in that package)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from jobspiders.config import ConfigError, JobsConfig

# Exit codes of crawlall and publish (DESIGN.md).
EXIT_OK = 0
EXIT_CRAWL_FAILED = 1
EXIT_PUBLISH_REFUSED = 2
EXIT_BAD_CONFIG = 3


def bad_configuration(problem: Exception | str) -> int:
    """Say what is wrong with the configuration; the exit code that goes with it."""
    print(f"bad configuration: {problem}", file=sys.stderr)
    return EXIT_BAD_CONFIG


def add_ats_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--ats NAME``: repeatable or comma-separated spider names (crawlall, enqueue)."""
    parser.add_argument("--ats", action="append", default=[], metavar="NAME", help=help)


def selected_spiders(values: Iterable[str], known: Sequence[str]) -> list[str]:
    """The spiders ``--ats`` names (every known one when none is named); UsageError for unknown names."""
    wanted = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise UsageError(f"unknown spider(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return wanted or list(known)


class JobsCommand(ScrapyCommand):
    """A project command that reads the project settings (JobsConfig) first."""

    requires_project = True

    def jobs_config(self) -> JobsConfig | None:
        """The project settings; None, with exit code 3 set and the reason printed, when they are bad."""
        try:
            return JobsConfig.from_settings(self.settings)
        except ConfigError as exc:
            self.exitcode = bad_configuration(exc)
            return None
