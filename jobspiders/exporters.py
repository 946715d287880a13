"""Feed exporters (Scrapy's ``FEED_EXPORTERS``): the ``jsonlines`` feed of each crawl's items.

`JsonLinesExporter` writes what Scrapy's `JsonLinesItemExporter` writes (one JSON object per line, the
same keys and values, in ``fields_to_export`` order), with orjson instead of the standard library's
encoder, and without Scrapy's per-field adapter calls for dataclass items whose fields declare no
serializer: together they were 40-60 µs of every item of a crawl, about a seventh of a re-crawl that
finds nothing changed. Anything else (another encoding, field serializers, values orjson cannot
encode) goes through Scrapy's own code.

`BufferedFileFeedStorage` (``FEED_STORAGES`` for local files) is Scrapy's `FileFeedStorage` with a
bigger write buffer, whose written pages leave the kernel's cache as the feed grows
(`jobspiders.writeonce`).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path
from typing import IO, Any

import orjson
from scrapy.exporters import JsonLinesItemExporter
from scrapy.extensions.feedexport import FileFeedStorage

from jobspiders.writeonce import open_written_once

_PASS_DATES = orjson.OPT_PASSTHROUGH_DATETIME
# A feed line is 2-3 KB: with the default 8 KB buffer every third item was a write() call, about a tenth
# of what a re-crawl does per item more than the crawl alone. What a killed crawl loses of its feed is
# at most this much more (the items are in the store either way).
FEED_WRITE_BUFFER = 1 << 20


class BufferedFileFeedStorage(FileFeedStorage):
    """Scrapy's local-file feed storage (same paths, ``overwrite`` and folders) writing through a
    `FEED_WRITE_BUFFER` buffer."""

    def open(self, spider: Any) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Not read again by the crawl: its pages leave the cache as it is written (`writeonce`).
        return open_written_once(path, self.write_mode, buffering=FEED_WRITE_BUFFER)


class JsonLinesExporter(JsonLinesItemExporter):
    def export_item(self, item: Any) -> None:
        fast = self._fast_fields(item)
        if fast is None:
            super().export_item(item)
            return
        try:
            # Dates are left to Scrapy's encoder, which writes them its own way.
            line = orjson.dumps({name: getattr(item, name) for name in fast}, option=_PASS_DATES)
        except TypeError:  # a value orjson does not encode: Scrapy's encoder knows more types
            super().export_item(item)
            return
        self.file.write(line + b"\n")

    def _fast_fields(self, item: Any) -> tuple[str, ...] | None:
        """The exported fields when they can be read straight off ``item``, else None."""
        if (
            self.fields_to_export is None
            or isinstance(self.fields_to_export, dict)  # renamed output fields
            or not dataclasses.is_dataclass(item)
            or (self.encoding or "").replace("-", "").lower() != "utf8"
        ):
            return None
        return _plain_fields(type(item), tuple(self.fields_to_export))


@cache
def _plain_fields(cls: type, wanted: tuple[str, ...]) -> tuple[str, ...] | None:
    """``wanted`` when every one is a field of the dataclass ``cls`` without a serializer."""
    declared = {field.name: field for field in dataclasses.fields(cls)}
    if any(name not in declared or "serializer" in declared[name].metadata for name in wanted):
        return None
    return wanted
