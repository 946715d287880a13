"""``scrapy enqueue``: push the registry's boards as seeds onto Redis for scale-out workers.

Boards are chosen as the spiders choose them (``-a companies/company/shard``; without ``company``, dormant
boards only on their turn, from the history in ``JOBS_DB``: give it the workers' store). Exit codes:
0 queued, 3 bad configuration (Redis not reachable, REDIS_URL unset, unreadable registry or store).
See jobspiders/redis_queue.py and docs/deploy.md.
"""

from __future__ import annotations

import argparse
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from jobspiders.cli import add_ats_option, bad_configuration, selected_spiders
from jobspiders.config import ConfigError, JobsConfig
from jobspiders.redis_queue import DEFAULT_PREFIX, boards_key, connect, enqueue
from jobspiders.registry import RegistryError, load_registry, parse_shard, select_boards
from jobspiders.registry_health import select_due


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--ats NAME …] [-a companies=PATH] [-a company=TOKEN,…] [-a shard=I/N]"

    def short_desc(self) -> str:
        return "Push the registry's boards onto the Redis lists read by scale-out workers"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_ats_option(parser, "only these ATS (repeatable or comma-separated; default: every spider)")
        parser.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="board selection as for the spiders: companies=PATH, company=TOKEN[,…], shard=I/N",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("enqueue takes no positional arguments")
        selection = dict(self._pair(value) for value in opts.spargs)
        unknown = sorted(set(selection) - {"companies", "company", "shard"})
        if unknown:
            raise UsageError(f"unknown -a argument(s): {', '.join(unknown)}")
        try:
            shard = parse_shard(selection["shard"]) if selection.get("shard") else None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        from scrapy.spiderloader import get_spider_loader

        names = selected_spiders(opts.ats, get_spider_loader(self.settings).list())
        try:
            config = JobsConfig.from_settings(self.settings)
            boards, _ = load_registry(selection.get("companies") or config.companies)
            server = connect(self.settings)
        except (ConfigError, RegistryError) as exc:
            self.exitcode = bad_configuration(exc)
            return
        tokens = [t for t in (selection.get("company") or "").split(",") if t.strip()]
        chosen = [
            board for name in names for board in select_boards(boards, ats=name, tokens=tokens, shard=shard)
        ]
        if not tokens:  # as the spiders do: dormant boards only on their weekly turn (JOBS_DB's history)
            try:
                chosen = select_due(chosen, config, self.settings)
            except ConfigError as exc:
                self.exitcode = bad_configuration(exc)
                return
        prefix = self.settings.get("JOBS_REDIS_PREFIX") or DEFAULT_PREFIX
        run, counts = enqueue(server, chosen, names=names, prefix=prefix)
        for name in names:
            print(f"{name}: {counts.get(name, 0)} boards -> {boards_key(prefix, name)}")
        print(f"run {run}: {len(chosen)} boards queued")

    @staticmethod
    def _pair(value: str) -> tuple[str, str]:
        name, sep, text = value.partition("=")
        if not sep:
            raise UsageError(f"-a takes NAME=VALUE, got {value!r}")
        return name.strip(), text
