from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, TextIO

from jobspiders.cli import JobsCommand
from jobspiders.normalize.posting import normalize_posting
from jobspiders.normalize.profiles import match_profiles
from jobspiders.normalize.skills import tag_skills


def normalize_record(raw: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """What the pipelines would make of one raw record: normalized fields, skills and profiles."""
    record = normalize_posting(raw, now)
    record["skills"] = tag_skills(f"{record['title']}\n{record['description']}")
    record["profiles"] = match_profiles(record["title"])
    return record


def normalize_lines(lines: TextIO, out: TextIO, now: datetime) -> int:
    """One output line per input line, in order; returns the number of error lines."""
    errors = 0
    for number, line in enumerate(lines, 1):
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValueError(f"line {number}: expected a JSON object, got {type(raw).__name__}")
            if not raw.get("title"):
                raise ValueError(f"line {number}: missing title")
            result: dict[str, Any] = normalize_record(raw, now)
        except ValueError as exc:
            errors += 1
            message = str(exc) if str(exc).startswith("line ") else f"line {number}: invalid JSON: {exc}"
            result = {"error": message}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return errors


class Command(JobsCommand):
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "< raw.jsonl > normalized.jsonl"

    def short_desc(self) -> str:
        return "Normalize raw job records (JSON lines on stdin) as the pipelines do"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if (config := self.jobs_config()) is None:
            return
        normalize_lines(sys.stdin, sys.stdout, config.now)
