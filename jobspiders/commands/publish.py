from __future__ import annotations

import argparse
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from jobspiders.commands import EXIT_BAD_CONFIG, EXIT_PUBLISH_REFUSED
from jobspiders.config import ConfigError, JobsConfig
from jobspiders.publish import PublishRefused, publish


def publish_or_exit_code(config: JobsConfig, profile: str = "backend", *, force: bool = False) -> int:
    """Publish and print the outcome; the command's exit code."""
    try:
        result = publish(config, profile, force=force)
    except PublishRefused as exc:
        print(f"publish refused, the last good list is kept: {exc}", file=sys.stderr)
        return EXIT_PUBLISH_REFUSED
    except (ConfigError, ValueError) as exc:
        print(f"bad configuration: {exc}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    print(f"published {result.count} jobs: {result.readme} {result.jobs_json}")
    return 0


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Render README.md and jobs.json from the store, without crawling"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        # Replaces Scrapy's global --profile (cProfile output); the parser resolves the conflict.
        parser.add_argument(
            "--profile",
            dest="list_profile",
            default="backend",
            metavar="NAME",
            help="list profile to publish (profiles.yml)",
        )
        parser.set_defaults(profile=None)  # Scrapy reads opts.profile to decide on cProfile
        parser.add_argument(
            "--force", action="store_true", help="publish even when most boards failed or the list collapsed"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            config = JobsConfig.from_settings(self.settings)
        except ConfigError as exc:
            print(f"bad configuration: {exc}", file=sys.stderr)
            self.exitcode = EXIT_BAD_CONFIG
            return
        self.exitcode = publish_or_exit_code(config, opts.list_profile, force=opts.force)
