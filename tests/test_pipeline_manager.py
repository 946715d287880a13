"""The item processor (settings.ITEM_PROCESSOR): Scrapy's ItemPipelineManager's behaviour, kept."""

from __future__ import annotations

import asyncio
import warnings

import pytest
from scrapy.exceptions import DropItem
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler
from twisted.internet import defer

from jobspiders import settings as project_settings
from jobspiders.pipelines.manager import JobsPipelineManager


class Add:
    def process_item(self, item):
        return {**item, "trail": [*item["trail"], "add"]}


class Later:
    async def process_item(self, item):
        await asyncio.sleep(0)
        return {**item, "trail": [*item["trail"], "later"]}


class Fired:
    def process_item(self, item):
        return defer.succeed({**item, "trail": [*item["trail"], "fired"]})


class Drop:
    def process_item(self, item):
        if item.get("drop"):
            raise DropItem("dropped on purpose")
        return item


class Count:
    def process_item(self, item):
        return {**item, "trail": [*item["trail"], "count"]}


PIPELINES = {f"{__name__}.{cls}": at for at, cls in enumerate(["Add", "Later", "Fired", "Drop", "Count"])}


def _managers():
    crawler = get_crawler(settings_dict={"ITEM_PIPELINES": PIPELINES})
    return JobsPipelineManager.from_crawler(crawler), ItemPipelineManager.from_crawler(crawler)


def _process(manager, item):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = asyncio.run(manager.process_item_async(item))
        except DropItem as exc:
            result = ("dropped", str(exc))
    return result, sorted(str(w.message) for w in caught)


def test_the_project_uses_it():
    assert load_object(project_settings.ITEM_PROCESSOR) is JobsPipelineManager


@pytest.mark.parametrize("item", [{"trail": []}, {"trail": [], "drop": True}])
def test_items_and_warnings_are_scrapys(item):
    ours, scrapys = _managers()
    assert [type(p).__name__ for p in ours.middlewares] == ["Add", "Later", "Fired", "Drop", "Count"]
    expected = _process(scrapys, item)
    assert _process(ours, item) == expected
    result, warned = expected
    if item.get("drop"):
        assert result == ("dropped", "dropped on purpose")
    else:
        assert result["trail"] == ["add", "later", "fired", "count"]
    assert any("returned a Deferred" in message for message in warned)  # Scrapy's deprecation, kept


def test_a_plain_chain_makes_no_coroutine_per_pipeline(monkeypatch):
    from jobspiders.pipelines import manager

    def counted(*args, **kwargs):
        raise AssertionError("ensure_awaitable called for a plain value")

    monkeypatch.setattr(manager, "ensure_awaitable", counted)
    crawler = get_crawler(settings_dict={"ITEM_PIPELINES": {f"{__name__}.Add": 1, f"{__name__}.Count": 2}})
    result = asyncio.run(JobsPipelineManager.from_crawler(crawler).process_item_async({"trail": []}))
    assert result["trail"] == ["add", "count"]
