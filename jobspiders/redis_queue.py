"""Scale-out on Redis: N identical workers share the boards of the registry (scrapy-redis connection).

``scrapy enqueue [--ats NAME…]`` pushes each board of the registry as a JSON seed onto a Redis list per
ATS; every worker started with ``-s REDIS_URL=redis://…`` (``scrapy crawl <ats>`` or ``scrapy crawlall``)
then takes boards from its ATS's list, one at a time and only when it has room for more, until the list
is empty, and exits. All workers write to one shared store (``JOBS_DB=postgresql://…``); ``scrapy publish``
afterwards gives the list a single-process crawl would have.

Keys (``JOBS_REDIS_PREFIX``, default ``jobspiders``):

- ``<prefix>:<ats>:boards``: the seeds, ``{"run": RUN, "board": {name, ats, token, website, host, site}}``.
  ``scrapy enqueue`` replaces the list in one transaction, so a new run never mixes with leftovers.
- ``<prefix>:<ats>:seen:<RUN>``: the boards taken in that run, the board-level dupefilter: a board seeded
  twice in one run is crawled once. It is per run and expires after ``JOBS_REDIS_RUN_TTL`` seconds, so
  tomorrow's run (a new RUN id) is never blocked by today's.

Why not scrapy-redis's scheduler or RedisSpider: the shared request scheduler would spread one board's
pages over several workers, and a board's outcome (which closes the jobs it no longer lists) must be
decided by the one worker that saw all its pages; RedisSpider seeds through ``start_requests``, which
Scrapy >= 2.16 no longer calls. The board is the unit of work instead, handed to `AtsSpider.start()`
through its ``board_source()`` hook. We use scrapy-redis's connection settings (``REDIS_URL``,
``REDIS_PARAMS``), so existing scrapy-redis deployments configure us the same way.

A worker that dies mid-board loses that board for the run (at most once): the next run crawls it again,
and a board that did not finish closes nothing in the store.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import sleep

from jobspiders.config import ConfigError
from jobspiders.registry import Board

if TYPE_CHECKING:
    from typing import Self

    import redis
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from jobspiders.spiders.base import AtsSpider

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "jobspiders"
DEFAULT_RUN_TTL = 7 * 24 * 3600
BOARD_FIELDS = ("name", "ats", "token", "website", "host", "site")
STATS = "jobspiders/redis"


def redis_url(settings: BaseSettings) -> str | None:
    return (settings.get("REDIS_URL") or "").strip() or None


def connect(settings: BaseSettings) -> redis.Redis:
    """A client from scrapy-redis's settings (``REDIS_URL``, ``REDIS_PARAMS``); ConfigError when Redis
    cannot be reached, naming the URL."""
    url = redis_url(settings)
    if not url:
        raise ConfigError("REDIS_URL is not set: the Redis scale-out mode needs redis://HOST:PORT/DB")
    # Imported here: every scrapy command imports this module (through the commands), few use Redis.
    import redis
    from scrapy_redis import connection

    try:
        server = connection.get_redis_from_settings(settings)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ConfigError(f"REDIS_URL {_redact(url)}: Redis cannot be reached: {exc}") from exc
    return server


def _redact(url: str) -> str:
    head, at, tail = url.rpartition("@")
    return f"{head.split('://')[0]}://***@{tail}" if at else url


def boards_key(prefix: str, ats: str) -> str:
    return f"{prefix}:{ats}:boards"


def seen_key(prefix: str, ats: str, run: str) -> str:
    return f"{prefix}:{ats}:seen:{run}"


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def seed(board: Board, run: str) -> str:
    fields = {name: getattr(board, name) for name in BOARD_FIELDS if getattr(board, name) is not None}
    return json.dumps({"run": run, "board": fields}, sort_keys=True, separators=(",", ":"))


def board_from_seed(data: bytes | str) -> tuple[str, Board]:
    """(run, board) of a seed; ValueError when it is not one."""
    try:
        payload = json.loads(data)
        fields = payload["board"]
        run = str(payload["run"])
        board = Board(**{name: fields[name] for name in BOARD_FIELDS if fields.get(name) is not None})
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a board seed: {data!r:.200}") from exc
    return run, board


def enqueue(
    server: redis.Redis,
    boards: Iterable[Board],
    *,
    names: Iterable[str] = (),
    prefix: str = DEFAULT_PREFIX,
    run: str | None = None,
) -> tuple[str, dict[str, int]]:
    """Replace the list of each ATS in ``names`` (and of each board's ATS) with seeds of ``boards``, in
    one transaction; (run id, boards queued per ATS)."""
    run = run or new_run_id()
    by_ats: dict[str, list[str]] = {name: [] for name in names}
    for board in boards:
        by_ats.setdefault(board.ats, []).append(seed(board, run))
    with server.pipeline(transaction=True) as pipe:
        for ats, seeds in by_ats.items():
            pipe.delete(boards_key(prefix, ats))
            if seeds:
                pipe.rpush(boards_key(prefix, ats), *seeds)
        pipe.execute()
    return run, {ats: len(seeds) for ats, seeds in sorted(by_ats.items())}


class RedisBoardQueue:
    """Extension: with ``REDIS_URL`` set, the ATS spider takes its boards from Redis instead of the
    registry (see the module docstring). Without it the extension is off and nothing changes."""

    def __init__(self, crawler: Crawler, server: redis.Redis, prefix: str, run_ttl: int) -> None:
        self.crawler = crawler
        self.server = server
        self.prefix = prefix
        self.run_ttl = run_ttl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not redis_url(crawler.settings):
            raise NotConfigured("REDIS_URL is not set")
        spider = crawler.spider
        if spider is None or not hasattr(spider, "board_source"):
            raise NotConfigured("not an ATS spider")
        settings = crawler.settings
        queue = cls(
            crawler,
            connect(settings),
            settings.get("JOBS_REDIS_PREFIX") or DEFAULT_PREFIX,
            settings.getint("JOBS_REDIS_RUN_TTL", DEFAULT_RUN_TTL),
        )
        spider.board_queue = queue
        return queue

    async def boards(self, spider: AtsSpider) -> AsyncIterator[Board]:
        """Boards popped from the spider's list, each when the crawl has room for it, until it is empty."""
        key = boards_key(self.prefix, spider.name)
        stats = self.crawler.stats
        stats.set_value("jobspiders/boards/total", 0)  # grows as boards are taken
        logger.info("%s: taking boards from Redis list %s", spider.name, key)
        while True:
            await self._room()
            data = self.server.lpop(key)
            if data is None:
                logger.info("%s: Redis list %s is empty", spider.name, key)
                return
            try:
                run, board = board_from_seed(data)
                if board.ats != spider.name:
                    raise ValueError(f"seed of {board.ats} in the list of {spider.name}")
            except ValueError as exc:
                stats.inc_value(f"{STATS}/bad_seed")
                logger.error("%s: skipping a bad seed: %s", key, exc)
                continue
            if not self._first_taker(spider.name, run, board):
                stats.inc_value(f"{STATS}/duplicate")
                logger.info("%s: already taken in run %s, skipped", board.key, run)
                continue
            stats.inc_value(f"{STATS}/taken")
            stats.inc_value("jobspiders/boards/total")
            yield board

    def _first_taker(self, ats: str, run: str, board: Board) -> bool:
        with self.server.pipeline(transaction=True) as pipe:
            pipe.sadd(seen_key(self.prefix, ats, run), board.key)
            pipe.expire(seen_key(self.prefix, ats, run), self.run_ttl)
            added, _ = pipe.execute()
        return bool(added)

    async def _room(self) -> None:
        """Wait until this worker could start one more board, so boards spread over the workers."""
        engine = self.crawler.engine
        while engine is not None and engine.running:
            scheduler = engine.scheduler
            if not engine.needs_backout() and not (scheduler and scheduler.has_pending_requests()):
                return
            await sleep(0.05)


def queued(server: redis.Redis, prefix: str, names: Iterable[str]) -> Mapping[str, int]:
    """Boards still waiting per ATS."""
    return {name: int(server.llen(boards_key(prefix, name))) for name in names}
