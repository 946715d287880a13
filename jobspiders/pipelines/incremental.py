"""Incremental re-crawls (issue 8): a posting whose raw content did not change since the last crawl is not
normalized again.

`IncrementalPipeline` (before normalize) hashes each item's raw posting (`raw_hash`: the RawPosting fields
and the identity fields the spider fills, as stable JSON). The hashes of the spider's ATS are loaded once
when the spider opens: the stored jobs' and those of postings no list profile wanted (the store's
``filtered`` table). An item whose hash matches a stored job gets that job's published fields from the
store and ``unchanged = True``: normalize, profiles and skills skip it and the store only bumps its
``last_seen`` (and reopens it); the feed, expiry and spidermon still see a complete item. The first such
item of a board reads the board's open jobs in one query (`JobStore.board_jobs`: one query or round trip
a board instead of one a posting); they are kept while the board may still send items (the
``JOBS_BOARDS_IN_FLIGHT`` boards last read, `HELD_RECORDS` records at most: big boards are read in
part) and each is let go once used. An item whose
hash matches a filtered posting is dropped as ``no_profile`` at once. Dropped ``no_profile`` items are
remembered in ``filtered`` when the spider closes. ``JOBS_INCREMENTAL = False`` turns it all off.

Closing jobs does not depend on any of this: the spider reports every job id it listed.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import fields
from typing import Any

import orjson
from scrapy import signals
from scrapy.exceptions import DropItem

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.dates import to_iso
from jobspiders.pipelines.base import JobsPipeline
from jobspiders.store import JobStore, open_store

# Bump when what the pipelines derive from the same raw posting changes (normalizers, profiles, skills):
# every stored hash then differs once and each job is normalized again.
HASH_VERSION = "2"  # 2: encoded with orjson
_RAW_FIELDS = tuple(f.name for f in fields(RawPosting))
# Stored records held for the boards in flight, at most (about 6 KB each, parsed): the boards read
# first are let go beyond it, and a board with more open jobs is read only this far.
HELD_RECORDS = 10_000
# The stored record's fields that normalize and later pipelines fill (the spider fills the identity ones).
FILLED = (
    "title",
    "url",
    "location",
    "locations",
    "workplace",
    "employment_type",
    "seniority",
    "posted_at",
    "date_source",
    "salary",
    "skills",
    "profiles",
    "description",
)


def raw_hash(item: JobItem) -> str:
    """A stable hash of what the pipelines derive an item from."""
    raw = item.raw
    parts: dict[str, Any] = {name: getattr(raw, name) for name in _RAW_FIELDS} if raw is not None else {}
    parts.update(
        v=HASH_VERSION, title=item.title, url=item.url, company=item.company, company_url=item.company_url
    )
    try:
        data = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS, default=str)  # 3x the standard json here
    except TypeError:  # what orjson refuses: lone surrogates (json.loads lets "\ud83d" through), odd keys
        text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
        data = text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class IncrementalPipeline(JobsPipeline):
    """Marks the items whose raw posting is the stored one (see the module docstring)."""

    concern = "incremental"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.enabled = self.crawler.settings.getbool("JOBS_INCREMENTAL", True)
        self.store: JobStore | None = None
        self.known: dict[str, str] = {}
        self.filtered: dict[str, str] = {}
        self.newly_filtered: list[tuple[str, str, str]] = []
        # Stored records of the boards being crawled (`board_jobs`), by board, oldest board first.
        self.boards: OrderedDict[tuple[str, str], dict[str, dict[str, Any]]] = OrderedDict()
        self.boards_read: set[tuple[str, str]] = set()
        self.held = 0  # records in self.boards
        self.now = to_iso(self.config.now)
        if self.enabled:
            self.crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    def open_spider(self) -> None:
        if not self.enabled:
            return
        self.store = open_store(self.config.db)
        name = getattr(self.crawler.spider, "name", None)
        if name:
            self.known, self.filtered = self.store.raw_hashes(name)

    def process_item(self, item: JobItem) -> JobItem:
        if self.store is None:
            return item
        digest = item.raw_hash = raw_hash(item)
        if self.known.get(item.id) == digest and self._fill(item):
            self.count("unchanged")
            return item
        if self.filtered.get(item.id) == digest:
            self.count("filtered")
            self.crawler.stats.inc_value("jobspiders/profiles/no_profile")
            raise DropItem(f"no_profile {item.id}")
        self.count("changed")
        return item

    def _fill(self, item: JobItem) -> bool:
        stored = self._stored(item)
        if stored is None:
            return False
        for name in FILLED:
            if name in stored:
                setattr(item, name, stored[name])
        if item.date_source == "first_seen":  # as normalize leaves it; the store keeps the first date
            item.posted_at = self.now
        item.unchanged = True
        return True

    def _stored(self, item: JobItem) -> dict[str, Any] | None:
        """The item's stored record: from its board's, read once, else on its own (a closed job seen
        again, a board whose records were let go)."""
        assert self.store is not None
        board = (item.ats, item.board)
        records = self.boards.get(board)
        if records is None and board not in self.boards_read:
            records = self.boards[board] = self.store.board_jobs(*board, limit=HELD_RECORDS)
            self.boards_read.add(board)
            self.held += len(records)
            while len(self.boards) > self.config.boards_in_flight or self.held > HELD_RECORDS:
                self.held -= len(self.boards.popitem(last=False)[1])
        stored = records.pop(item.id, None) if records is not None else None
        if stored is not None:
            self.held -= 1
            if not records:
                self.boards.pop(board, None)
        return stored if stored is not None else self.store.stored_job(item.id)

    def item_dropped(self, item: Any, exception: BaseException, **kwargs: Any) -> None:
        if (
            isinstance(item, JobItem)
            and item.raw_hash
            and not item.unchanged
            and str(exception).startswith("no_profile ")
            and self.filtered.get(item.id) != item.raw_hash
        ):
            self.newly_filtered.append((item.id, item.ats, item.raw_hash))

    def close_spider(self) -> None:
        if self.store is None:
            return
        try:
            if self.newly_filtered:
                self.store.remember_filtered(self.newly_filtered, self.now)
        finally:
            self.store.close()
            self.store = None
