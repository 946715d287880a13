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

Board answers replayed: a board listed whole by one answer (Greenhouse, Lever, Ashby, Recruitee: every
posting in one response) has that answer's digest (`answer_digest`) and its postings' ids, titles, URLs and
raw hashes kept in the store (`BoardAnswer`), once all of them reached this pipeline. When the same answer
comes again, and each of its postings still has that hash here (stored or filtered), the spider emits them
as they were (`AtsSpider.replay`) without decoding or mapping the answer, and this pipeline takes their hash
as given: they go on as unchanged or filtered items, the same as if they had been read again. Any other
outcome (a fault, an invalid or repeated posting, a second request) forgets the board's answer.

Closing jobs does not depend on any of this: the spider reports every job id it listed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from contextlib import suppress
from dataclasses import fields
from typing import Any

import orjson
from scrapy import signals
from scrapy.exceptions import DropItem

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.dates import to_iso
from jobspiders.pipelines.base import JobsPipeline
from jobspiders.signals import board_finished
from jobspiders.spiders.base import AtsSpider, BoardRun, Replay
from jobspiders.store import BoardAnswer, JobStore, open_store

logger = logging.getLogger(__name__)

# Bump when what the pipelines derive from the same raw posting changes (normalizers, profiles, skills):
# every stored hash then differs once and each job is normalized again.
HASH_VERSION = "2"  # 2: encoded with orjson
_RAW_FIELDS = tuple(f.name for f in fields(RawPosting))
# Stored records held for the boards in flight, at most (about 6 KB each, parsed): the boards read
# first are let go beyond it, and a board with more open jobs is read only this far.
HELD_RECORDS = 10_000
# Board answers written to the store in one transaction, at most (and when the spider closes).
ANSWER_BATCH = 200
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
        self.ats = ""
        # Board answers: the stored ones (by token), this crawl's postings of each board, in order (by
        # board key, until the board is done), boards done but not all of whose items arrived yet, and
        # what to write (answers, and the tokens of boards whose answer is forgotten).
        self.answers: dict[str, BoardAnswer] = {}
        self.runs: dict[str, BoardRun] = {}  # the spider's
        self.listed: dict[str, list[tuple[str, str, str, str, str]]] = {}
        self.waiting: dict[str, BoardRun] = {}
        self.new_answers: list[BoardAnswer] = []
        self.forget: list[str] = []
        if self.enabled:
            self.crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
            self.crawler.signals.connect(self.board_finished, signal=board_finished)

    def open_spider(self) -> None:
        if not self.enabled:
            return
        self.store = open_store(self.config.db)
        spider = self.crawler.spider
        self.ats = getattr(spider, "name", None) or ""
        if self.ats:
            self.known, self.filtered = self.store.raw_hashes(self.ats)
        if isinstance(spider, AtsSpider):
            self.answers = self.store.board_answers(self.ats)
            self.runs = spider.runs
            spider.replay = self.replay

    def replay(self, run: BoardRun, digest: str) -> Replay | None:
        """The board's postings as its stored answer lists them, when ``digest`` is that answer's and each
        posting still has its hash here; else None (the spider reads the answer)."""
        answer = self.answers.get(run.board.token)
        if answer is None or answer.digest != digest:
            return None
        try:
            entries = orjson.loads(answer.entries)
            for item_id, _job_id, _title, _url, hashed in entries:
                if self.known.get(item_id) != hashed and self.filtered.get(item_id) != hashed:
                    return None  # not stored as it was listed (a write failed, a newer crawl changed it)
        except (ValueError, TypeError):
            logger.warning("%s: the stored answer is unreadable; reading the board again", run.board.key)
            return None
        return Replay(answer.company_name, entries)

    def process_item(self, item: JobItem) -> JobItem:
        if self.store is None:
            return item
        replayed = item.raw is None and item.raw_hash is not None  # its hash came with it (`replay`)
        digest = item.raw_hash if replayed else raw_hash(item)
        item.raw_hash = digest
        key = f"{item.ats}:{item.board}"
        run = self.runs.get(key)
        if run is not None and run.answer is not None and run.requests == 1 and not run.replayed:
            self.listed.setdefault(key, []).append((item.id, item.job_id, item.title, item.url, digest))
        if self.known.get(item.id) == digest and self._fill(item):
            self.count("unchanged")
            return item
        if self.filtered.get(item.id) == digest:
            self.count("filtered")
            self.crawler.stats.inc_value("jobspiders/profiles/no_profile")
            raise DropItem(f"no_profile {item.id}")
        if replayed:  # its stored job is gone since the spider looked (another process, a race)
            self.count("replay_lost")
            if self.answers.pop(item.board, None) is not None:
                self.forget.append(item.board)
            raise DropItem(f"replayed job {item.id} is no longer in the store")
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

    def board_finished(self, run: BoardRun) -> None:
        """Keep the board's answer once all of its items are here (they may come after this signal)."""
        if self.store is None:
            return
        self.waiting[run.board.key] = run
        self._answered(run)
        if len(self.new_answers) + len(self.forget) >= ANSWER_BATCH:
            self._write_answers()

    def _answered(self, run: BoardRun, *, last: bool = False) -> None:
        """Settle a finished board's answer: keep it or forget it; or, while some of its items have not
        come yet and this is not the ``last`` call (at close: they never will), leave it waiting."""
        key, token = run.board.key, run.board.token
        listed = self.listed.get(key, ())
        whole = run.one_answer and len(listed) == len(run.job_ids)
        if run.one_answer and not run.replayed and len(listed) < len(run.job_ids) and not last:
            return
        self.waiting.pop(key, None)
        self.listed.pop(key, None)
        if run.replayed:
            return  # the stored answer stands
        entries = None
        if whole:
            with suppress(TypeError):  # text orjson refuses (lone surrogates): not worth keeping
                entries = orjson.dumps(listed).decode()
        if entries is not None:
            self.new_answers.append(BoardAnswer(token, run.answer or "", run.company_name, entries))
        elif token in self.answers:
            self.forget.append(token)

    def _write_answers(self) -> None:
        assert self.store is not None
        answers, self.new_answers = self.new_answers, []
        forget, self.forget = self.forget, []
        if not (answers or forget):
            return
        try:
            self.store.remember_answers(self.ats, answers, forget, self.now)
        except Exception as exc:  # only a later crawl's speed depends on them
            logger.warning(
                "Store %s: %d board answers not kept (%s: %s)",
                self.config.db,
                len(answers),
                type(exc).__name__,
                exc,
            )

    def close_spider(self) -> None:
        if self.store is None:
            return
        try:
            for run in list(self.waiting.values()):  # some of their items never came (dropped before)
                self._answered(run, last=True)
            self._write_answers()
            if self.newly_filtered:
                self.store.remember_filtered(self.newly_filtered, self.now)
        finally:
            self.store.close()
            self.store = None
