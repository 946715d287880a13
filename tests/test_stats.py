"""The stats collector (settings.STATS_CLASS): Scrapy's MemoryStatsCollector's behaviour, kept."""

from __future__ import annotations

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from jobspiders import settings as project_settings
from jobspiders.stats import JobsStatsCollector

OPERATIONS = [
    ("inc_value", ("a",), {}),
    ("inc_value", ("a", 2), {}),
    ("inc_value", ("b",), {"start": 10}),
    ("max_value", ("m", 3), {}),
    ("max_value", ("m", 1), {}),
    ("min_value", ("n", 3), {}),
    ("min_value", ("n", 5), {}),
    ("set_value", ("s", "x"), {}),
    ("inc_value", ("c", 1), {"spider": None}),  # the deprecated argument is still accepted
]


def _run(collector: MemoryStatsCollector) -> dict:
    for name, args, kwargs in OPERATIONS:
        getattr(collector, name)(*args, **kwargs)
    return dict(collector.get_stats())


def test_the_project_uses_it():
    crawler = get_crawler(settings_dict={"STATS_CLASS": project_settings.STATS_CLASS})
    assert type(crawler.stats) is JobsStatsCollector


def test_values_are_scrapys():
    crawler = get_crawler()
    ours, scrapys = JobsStatsCollector(crawler), MemoryStatsCollector(crawler)
    with pytest.warns(Warning, match="spider"):  # Scrapy's own shim warns about spider=; ours does not
        expected = _run(scrapys)
    assert _run(ours) == expected == {"a": 3, "b": 11, "m": 3, "n": 3, "s": "x", "c": 1}
    assert ours.get_value("missing", 7) == 7
    ours.clear_stats()
    assert ours.get_stats() == {}


def test_a_closed_spiders_stats_are_kept():
    crawler = get_crawler()
    crawler.spider = crawler._create_spider("kept")
    collector = JobsStatsCollector(crawler)
    collector.open_spider()
    collector.inc_value("items")
    collector.close_spider(reason="finished")
    assert collector.spider_stats == {"kept": {"items": 1}}
