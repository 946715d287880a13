"""The log formatter: drops at DEBUG, and no per-response or per-item DEBUG line made that LOG_LEVEL hides."""

from __future__ import annotations

import logging

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DropItem
from scrapy.http import TextResponse
from scrapy.logformatter import LogFormatter
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from jobspiders import settings as project_settings
from jobspiders.logformatter import JobsLogFormatter

RESPONSE = TextResponse("https://boards.greenhouse.io/acme", body=b"{}", request=Request("https://x.test/"))
SPIDER = Spider.from_crawler(get_crawler(), name="greenhouse")
ITEM = {"id": "greenhouse:acme:1", "title": "Backend Engineer"}


def formatter(level: object) -> JobsLogFormatter:
    return JobsLogFormatter.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": level}))


def lines(formatter: LogFormatter) -> list[object]:
    return [
        formatter.crawled(RESPONSE.request, RESPONSE, SPIDER),
        formatter.scraped(ITEM, RESPONSE, SPIDER),
        formatter.dropped(ITEM, DropItem("no_profile greenhouse:acme:1"), RESPONSE, SPIDER),
    ]


@pytest.mark.parametrize("level", ["DEBUG", "debug", logging.DEBUG, 5, "NOT A LEVEL"])
def test_debug_lines_are_made_when_they_can_be_shown(level):
    crawled, scraped, dropped = lines(formatter(level))
    scrapy_crawled, scrapy_scraped, _ = lines(LogFormatter())
    assert crawled == scrapy_crawled
    assert scraped == scrapy_scraped
    assert dropped["level"] == logging.DEBUG  # Scrapy's own is a WARNING
    assert dropped["msg"] % dropped["args"] == "Dropped: no_profile greenhouse:acme:1"


@pytest.mark.parametrize("level", ["INFO", "warning", logging.ERROR])
def test_no_debug_line_is_made_when_log_level_hides_it(level):
    assert lines(formatter(level)) == [None, None, None]
    # the lines above DEBUG are Scrapy's
    failure_line = formatter(level).item_error(ITEM, ValueError("x"), RESPONSE, SPIDER)
    assert failure_line == LogFormatter().item_error(ITEM, ValueError("x"), RESPONSE, SPIDER)


def test_the_project_logs_through_it_at_info():
    settings = Settings()
    settings.setmodule(project_settings)
    assert settings.get("LOG_FORMATTER") == "jobspiders.logformatter.JobsLogFormatter"
    assert settings.get("LOG_LEVEL") == "INFO"
