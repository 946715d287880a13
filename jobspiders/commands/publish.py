from __future__ import annotations

import argparse
import sys
from typing import Any, ClassVar

from jobspiders.cli import JobsCommand
from jobspiders.commands import EXIT_BAD_CONFIG, EXIT_PUBLISH_REFUSED
from jobspiders.config import ConfigError, JobsConfig
from jobspiders.publish import PublishProcess, PublishRefused, PublishResult, publish


def publish_or_exit_code(
    config: JobsConfig,
    profile: str | None = None,
    *,
    force: bool = False,
    process: PublishProcess | None = None,
) -> int:
    """Publish every profile (or only ``profile``) and print the outcome; the command's exit code.
    ``process``: publish there (`PublishProcess`, after a crawl in this process)."""
    try:
        run = process.publish if process is not None else publish
        result = run(config, profile, force=force)
    except PublishRefused as exc:
        if exc.result is not None:
            _report(exc.result)
        print(f"publish refused, the last good list is kept: {exc}", file=sys.stderr)
        return EXIT_PUBLISH_REFUSED
    except (ConfigError, ValueError) as exc:
        print(f"bad configuration: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    _report(result)
    return 0


def _report(result: PublishResult) -> None:
    for output in result.outputs:
        shown = "" if output.readme_rows == output.count else f" ({output.readme_rows} in README.md)"
        folder = output.files[0].parent if output.files else ""
        print(f"published {output.count} {output.profile} jobs{shown}: {folder}")
    print(f"published {result.count} jobs: {result.readme} {result.jobs_json}")


class Command(JobsCommand):
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Render every list (README.md, jobs.json, jobs.csv, feed.atom, index.html) from the store"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        # Replaces Scrapy's global --profile (cProfile output); the parser resolves the conflict.
        parser.add_argument(
            "--profile",
            dest="list_profile",
            default=None,
            metavar="NAME",
            help="publish only this list profile (profiles.yml); default: every profile",
        )
        parser.set_defaults(profile=None)  # Scrapy reads opts.profile to decide on cProfile
        parser.add_argument(
            "--force", action="store_true", help="publish even when most boards failed or the list collapsed"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if (config := self.jobs_config()) is None:
            return
        self.exitcode = publish_or_exit_code(config, opts.list_profile, force=opts.force)
