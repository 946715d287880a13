from __future__ import annotations

import argparse
import json
import sys
from typing import Any, ClassVar

from scrapy.exceptions import UsageError

from jobspiders.cli import JobsCommand
from jobspiders.detect import detect_url


class Command(JobsCommand):
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "URL [URL …]   (or URLs on standard input, one per line, with -)"

    def short_desc(self) -> str:
        return "Tell the ATS, board token, host, site and job id of careers URLs (one JSON line per URL)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("give at least one URL, or - to read URLs from standard input")
        urls = (line.strip() for line in sys.stdin if line.strip()) if args == ["-"] else iter(args)
        for url in urls:
            print(json.dumps(detect_url(url).to_dict(), ensure_ascii=False), flush=True)
