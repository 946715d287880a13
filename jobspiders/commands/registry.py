"""``scrapy registry import FILE… [--out DIR]`` and ``scrapy registry status``.

import: read inventories (CSV ``name,url``, URL lists, YAML registries), detect each board, merge them into
the registry folder (the bundled jobspiders/data/companies/ unless ``--out``), print counts per ATS and the
rejected rows per reason; each rejected row is listed on stderr as ``file:line: reason: detail``.

status: per ATS and per state (active, empty, failing, dormant, new) the registry's boards, from the store's
board run history, and the boards whose state changed in the last crawl.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from scrapy.exceptions import UsageError

from jobspiders.cli import JobsCommand
from jobspiders.commands import EXIT_BAD_CONFIG
from jobspiders.config import ConfigError, JobsConfig
from jobspiders.registry import BUNDLED, RegistryError, load_registry
from jobspiders.registry_health import dormancy_policy, load_board_history, status_report
from jobspiders.registry_import import import_files, new_builder, summary


def bundled_folder() -> Path:
    """The bundled registry folder (jobspiders/data/companies) as a path we can write."""
    return Path(str(resources.files("jobspiders.data").joinpath(BUNDLED)))


class Command(JobsCommand):
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "import FILE [FILE …] [--out DIR] | status"

    def short_desc(self) -> str:
        return "Import board inventories into the registry, or show the registry's health"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--out", metavar="DIR", help="registry folder to merge into (default: bundled)")
        parser.add_argument("--source", metavar="LABEL", help="provenance of the rows (default: folder/file)")
        parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")
        parser.add_argument("--companies", metavar="PATH", help="status: registry file or folder to report")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("say import FILE… or status")
        action, files = args[0], args[1:]
        if action == "import":
            if not files:
                raise UsageError("registry import needs at least one FILE")
            self.exitcode = self.do_import(files, opts)
        elif action == "status":
            if files:
                raise UsageError("registry status takes no FILE")
            self.exitcode = self.do_status(opts)
        else:
            raise UsageError(f"unknown registry action {action!r}: import or status")

    def do_import(self, files: list[str], opts: argparse.Namespace) -> int:
        folder = Path(opts.out) if opts.out else bundled_folder()
        missing = [name for name in files if not Path(name).is_file()]
        if missing:
            print(f"bad configuration: no such file: {', '.join(missing)}", file=sys.stderr)
            return EXIT_BAD_CONFIG
        builder = new_builder(folder)
        try:
            report = import_files(files, builder, source=opts.source)
        except (ValueError, OSError) as exc:
            print(f"bad configuration: {exc}", file=sys.stderr)
            return EXIT_BAD_CONFIG
        for rejected in report.rejected:
            print(rejected, file=sys.stderr)
        print(summary(report, builder))
        if opts.dry_run:
            print("dry run: nothing written")
            return 0
        written = builder.write(folder)
        print(f"wrote {len(written)} files in {folder}: {', '.join(p.name for p in written) or 'none'}")
        return 0

    def do_status(self, opts: argparse.Namespace) -> int:
        try:
            config = JobsConfig.from_settings(self.settings)
            after, _every = dormancy_policy(self.settings)
            boards, _problems = load_registry(opts.companies or config.companies)
            history = load_board_history(config)
        except (ConfigError, RegistryError, ValueError) as exc:
            print(f"bad configuration: {exc}", file=sys.stderr)
            return EXIT_BAD_CONFIG
        print(status_report(boards, history, after))
        return 0
