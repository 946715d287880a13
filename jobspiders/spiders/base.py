"""`AtsSpider`: the machinery every ATS spider shares.

An ATS module subclasses `AtsSpider` and declares how to list a board and how to map one posting:

- ``name``: the spider name, which is also the ATS id in the registry and in item ids.
- ``board_url``: the list endpoint, formatted with the board (``{token}``, ``{host}``, ``{site}``).
  Override ``board_requests(board)`` instead when the first request needs more (a POST body, a host rule).
- ``postings(data, board)``: the posting records of one decoded list page.
- ``to_item(raw, board)``: one posting → `JobItem`, built with ``self.job(...)``. Pure mapping: no cleaning,
  the ATS's own values go into `RawPosting` and the pipelines normalize them.
- optional ``next_page(data, response, board)``: the next list page's request, or None.
- optional ``detail_request(raw, board)``: a request whose payload completes the posting (the
  description, say), merged by ``merge_detail``; when it fails the posting is still emitted from the list.
- ``response_format``: "json" (default), "xml" (a parsel Selector) or "html" (the response itself, with
  ``.css()``/``.xpath()``; `jobspiders.spiders.jsonld` reads schema.org JobPosting blocks from it).
  A request's ``meta["response_format"]`` overrides it (an HTML page that leads to a JSON API).
- ``postings()`` raises ``BoardMissing`` when a normal-looking page says the board does not exist;
  ``board_host(board)`` names the board's host where the ATS redirects unknown boards elsewhere.
- ``host_limits``: stricter per-host politeness where an ATS asks for it (low rate limits).
- ``self.request(url, board, json_body=...)`` builds the POST of a JSON API (Workday, Workable).

The base reads the registry (``-a companies=FILE``, ``-a company=TOKEN[,TOKEN…]``, ``-a shard=I/N``), builds
the requests, decodes responses, and accounts for every board and posting. Each board ends with one
outcome, sent as the `board_finished` signal and counted in the stats:
``ok`` (answered, jobs listed), ``empty`` (answered, no jobs), ``missing`` (404/410: no such board) or
``failed`` (any other fault: the store then closes none of its jobs). A bad posting is counted, logged with
board and job id, and skipped; it never stops the board or the crawl.

A board answered in one request may be replayed (``replay``, set by
`jobspiders.pipelines.incremental.IncrementalPipeline`): when its answer is byte for byte the one the store
keeps (`answer_digest`), its postings are emitted as the store knows them, without decoding or mapping them
again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import astuple, dataclass, field
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from lxml import etree
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from w3lib.encoding import http_content_type_encoding, resolve_encoding

from jobspiders.config import JobsConfig
from jobspiders.items import JobItem, RawPosting
from jobspiders.jsonio import loads_payload, loads_utf8_payload
from jobspiders.middlewares import MIRRORED
from jobspiders.registry import Board, load_registry, parse_shard, select_boards
from jobspiders.registry_health import load_learned_names, select_due
from jobspiders.signals import board_finished

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

STATS = "jobspiders"
# No entities, no network, no huge trees: feeds are untrusted input.
_STRICT_XML = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)


class BadPayload(ValueError):
    """A response that is not what the ATS should send (HTML error page, broken JSON, wrong shape)."""


class BoardMissing(LookupError):
    """The ATS says, in a normal page, that there is no such board (JOIN and JazzHR answer 200)."""


@dataclass(slots=True)
class BoardRun:
    """What happened to one board in this crawl."""

    board: Board
    pending: int = 0
    pages: int = 0
    job_ids: set[str] = field(default_factory=set)
    requests: int = 0
    invalid: int = 0
    repeated: int = 0  # postings listed again under the same job id
    errors: int = 0  # faults, unavailable details and invalid postings
    company_name: str | None = None  # the name the board states about itself, when it does
    outcome: str | None = None  # set once: ok, empty, missing, failed
    reason: str | None = None
    answer: str | None = None  # `answer_digest` of the board's first answer, when replays are on
    replayed: bool = False  # its postings came from the store (the answer was the stored one)

    @property
    def one_answer(self) -> bool:
        """Whether the board was listed by one answer, whole and clean: what a replay can stand for."""
        return (
            self.answer is not None
            and self.outcome == "ok"
            and self.requests == self.pages == 1
            and not (self.errors or self.invalid or self.repeated)
        )

    def fail(self, outcome: str, reason: str) -> None:
        if self.outcome is None:
            self.outcome, self.reason = outcome, reason


@dataclass(frozen=True, slots=True)
class Replay:
    """A board's postings as its stored answer lists them (`AtsSpider.replay`)."""

    company_name: str | None
    entries: Sequence[Sequence[str]]  # [id, job_id, title, url, raw_hash], in the answer's order


class AtsSpider(scrapy.Spider):
    """Base class of the ATS spiders (see the module docstring for how to write one)."""

    name: ClassVar[str]
    board_url: ClassVar[str] = ""
    response_format: ClassVar[str] = "json"
    accept: ClassVar[str] = "application/json"
    # Stricter politeness for an ATS's hosts, as DOWNLOAD_SLOTS entries, e.g.
    # {"apply.workable.com": {"concurrency": 1, "delay": 2.0}} (never below the project defaults).
    host_limits: ClassVar[Mapping[str, Mapping[str, float]]] = {}

    def __init__(
        self,
        companies: str | None = None,
        company: str | None = None,
        shard: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.companies_file = companies
        self.company_tokens = [token for token in (company or "").split(",") if token.strip()]
        # A bad shard fails before any request, with the message the user needs.
        self.shard = parse_shard(shard) if shard else None
        self.boards: list[Board] = []
        self.runs: dict[str, BoardRun] = {}
        self.config: JobsConfig | None = None
        self.board_queue: Any = None  # see board_source()
        self.in_flight: set[str] = set()  # boards started and not finished (see start())
        self._room: Deferred[None] | None = None
        # (run, answer digest) -> the stored answer's postings, or None; set by IncrementalPipeline.
        self.replay: Callable[[BoardRun, str], Replay | None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.config = JobsConfig.from_settings(crawler.settings)
        registry_file = spider.companies_file or spider.config.companies
        learned = load_learned_names(spider.config)
        boards, _problems = load_registry(registry_file, ats=spider.name, learned_names=learned)
        spider.boards = list(
            select_boards(boards, ats=spider.name, tokens=spider.company_tokens, shard=spider.shard)
        )
        if not spider.company_tokens:  # boards named with -a company= are always crawled
            # Boards missing crawl after crawl are dormant: crawled weekly, not daily (registry_health).
            spider.boards = select_due(spider.boards, spider.config, crawler.settings)
        if spider.company_tokens and not spider.boards:
            logger.warning(
                "No %s board in the registry matches company=%s", spider.name, ",".join(spider.company_tokens)
            )
        spider.runs = {board.key: BoardRun(board) for board in spider.boards}
        return spider

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if cls.host_limits:
            slots = {**settings.getdict("DOWNLOAD_SLOTS"), **cls.host_limits}
            settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    @property
    def output_dir(self) -> str:
        """For ``%(output_dir)s`` in FEEDS URIs."""
        return str(self.config.output_dir) if self.config else "output"

    # --- hooks for ATS modules -------------------------------------------------------------------

    def board_requests(self, board: Board) -> Iterable[Request]:
        """The first request(s) of a board; by default a GET of ``board_url``."""
        yield self.request(self.board_url.format(token=board.token, host=board.host, site=board.site), board)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        """Posting records of one decoded list page."""
        raise NotImplementedError

    def company_name(self, data: Any, board: Board) -> str | None:
        """The company name a list page states (Greenhouse ``company_name``), to correct inventory names."""
        return None

    def next_page(self, data: Any, response: Response, board: Board) -> Request | None:
        """The next list page, or None when this was the last."""
        return None

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        """A request completing one posting, or None when the list has everything."""
        return None

    def board_host(self, board: Board) -> str | None:
        """The host a board lives on, when the ATS redirects unknown boards elsewhere (BambooHR): a list
        page redirected off it means "no such board", a detail page redirected off it is unavailable."""
        return None

    def merge_detail(self, raw: Mapping[str, Any], detail: Any) -> Mapping[str, Any]:
        """The posting completed with its detail payload."""
        return {**raw, **detail} if isinstance(detail, Mapping) else raw

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        """One posting → JobItem, via ``self.job(...)``."""
        raise NotImplementedError

    # --- helpers for ATS modules -----------------------------------------------------------------

    def request(self, url: str, board: Board, *, json_body: Any = None, **kwargs: Any) -> Request:
        """A request of ``board``, routed to the list callback unless ``callback`` is given.

        ``json_body`` makes it a POST of that JSON document (Workday, Workable list APIs).
        """
        headers = {"Accept": self.accept, **kwargs.pop("headers", {})}
        if json_body is not None:
            kwargs.setdefault("method", "POST")
            kwargs["body"] = json.dumps(json_body, separators=(",", ":"))
            headers.setdefault("Content-Type", "application/json")
        meta = {"board": board.key, **kwargs.pop("meta", {})}
        if urlsplit(url).hostname in self.host_limits:
            # AutoThrottle would lower the delay an ATS asked for down to DOWNLOAD_DELAY: keep it.
            meta.setdefault("autothrottle_dont_adjust_delay", True)
        kwargs.setdefault("callback", self.parse_page)
        kwargs.setdefault("errback", self.page_failed)
        return Request(url, headers=headers, meta=meta, **kwargs)

    def job(self, board: Board, *, job_id: Any, title: Any, url: Any, raw: RawPosting) -> JobItem:
        """A JobItem with the board's fields filled; title, url and company go into ``raw`` too."""
        if job_id is None or job_id == "":
            raise ValueError("posting has no id")
        if not title:
            raise ValueError("posting has no title")
        raw.title = title
        raw.url = url
        raw.company = raw.company or board.name
        job_id = str(job_id)
        return JobItem(
            id=f"{self.name}:{board.token}:{job_id}",
            ats=self.name,
            board=board.token,
            job_id=job_id,
            company=board.name,
            company_url=board.website,
            title=str(title),
            url=str(url or ""),
            raw=raw,
        )

    # --- the crawl ---------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        """Each board's first requests, starting a board only while fewer than ``JOBS_BOARDS_IN_FLIGHT``
        are unfinished: Scrapy's scheduler then never holds every board's pending requests at once,
        and its per-host queue choice (one host per board for some ATS) stays as cheap at 5,000 boards
        as at 100."""
        logger.info("%s: crawling %d boards", self.name, len(self.boards))
        self.crawler.stats.set_value(f"{STATS}/boards/total", len(self.boards))
        async for board in self.board_source():
            while len(self.in_flight) >= self.config.boards_in_flight:
                self._room = Deferred()
                await maybe_deferred_to_future(self._room)
            run = self.runs.setdefault(board.key, BoardRun(board))
            self.in_flight.add(board.key)
            try:
                requests = list(self.board_requests(board))
            except Exception as exc:  # a registry entry the ATS module cannot use
                run.fail("failed", f"cannot build request: {exc}")
                self._finish(run)
                continue
            self._expect(run, len(requests))
            for request in requests:
                yield request

    async def board_source(self) -> AsyncIterator[Board]:
        """The boards `start()` crawls: the registry's selection, unless a board queue was attached
        (``board_queue``, set by the Redis scale-out extension `jobspiders.redis_queue.RedisBoardQueue`),
        which hands out boards while the crawl runs."""
        if self.board_queue is not None:
            async for board in self.board_queue.boards(self):
                yield board
            return
        for board in self.boards:
            yield board

    def decode(self, response: Response) -> Any:
        """The payload of a response in ``response_format`` (or the request's ``meta["response_format"]``,
        for an ATS mixing pages and APIs); BadPayload when it is not one."""
        home = self.board_host(self.runs[response.meta["board"]].board)
        if home and response.meta.get("redirect_urls") and urlsplit(response.url).hostname != home:
            if "posting" in response.meta:
                raise BadPayload(f"redirected off {home} to {response.url}")
            raise BoardMissing(f"no such board: redirected off {home} to {response.url}")
        if not isinstance(response, TextResponse) or not response.body.strip():
            raise BadPayload("empty or binary response")
        response_format = response.meta.get("response_format", self.response_format)
        if response_format == "json":
            try:
                if _utf8(response):
                    return loads_utf8_payload(response.body, lambda: response.text)
                return loads_payload(response.text)
            except ValueError:
                kind = "an HTML page" if response.text.lstrip()[:1] == "<" else "invalid JSON"
                raise BadPayload(f"expected JSON, got {kind}") from None
        if response_format == "xml":
            if response.text.lstrip()[:1] != "<" or "<html" in response.text[:500].lower():
                raise BadPayload("expected XML, got something else")
            try:  # strictly: a truncated feed must fail the board, not read as a shorter one
                etree.fromstring(response.body, parser=_STRICT_XML)
            except etree.XMLSyntaxError as exc:
                raise BadPayload(f"invalid XML: {exc}") from None
            return scrapy.Selector(text=response.text, type="xml")
        return response

    def parse_page(self, response: Response) -> Iterable[Any]:
        """A list page: its postings (or their detail requests), then the next page."""
        run = self.runs[response.meta["board"]]
        if self.replay is not None and run.requests == 1 and not run.pages:
            run.answer = answer_digest(run.board, response)
            replay = self.replay(run, run.answer)
            if replay is not None:
                yield from self._replayed(run, replay)
                return
        try:
            data = self.decode(response)
            records = self.postings(data, run.board)
            if isinstance(records, Mapping | str | bytes):  # an object where a list belongs
                raise BadPayload(f"expected a list of postings, got {type(records).__name__}")
            records = list(records)
            follow = self.next_page(data, response, run.board)
        except BoardMissing as exc:
            run.fail("missing", str(exc) or "no such board")
            self.crawler.stats.inc_value(f"{STATS}/pages/missing")
            self._done(run)
            return
        except (BadPayload, TypeError, KeyError, AttributeError, ValueError) as exc:
            kind = "" if isinstance(exc, BadPayload) else f"unexpected shape: {type(exc).__name__}: "
            self._fault(run, response.url, f"{kind}{exc}")
            self._done(run)
            return
        run.pages += 1
        with suppress(TypeError, KeyError, AttributeError, ValueError):  # a name is a nicety, never a fault
            run.company_name = run.company_name or self.company_name(data, run.board)
        for raw in records:
            if not isinstance(raw, Mapping):
                self._invalid(run, None, f"posting is a {type(raw).__name__}, not an object")
                continue
            detail = self._safe(run, raw, self.detail_request)
            if detail is not None:
                self._expect(run, 1)
                yield detail.replace(
                    callback=self.parse_detail,
                    errback=self.detail_failed,
                    meta={**detail.meta, "board": run.board.key, "posting": raw},
                )
            else:
                yield from self._emit(run, raw)
        if follow is not None:
            self._expect(run, 1)
            yield follow
        self._done(run)

    def _replayed(self, run: BoardRun, replay: Replay) -> Iterable[JobItem]:
        """The board's postings as its stored answer lists them: the pipelines fill them from the store."""
        run.pages, run.replayed, run.company_name = 1, True, replay.company_name
        run.job_ids.update(entry[1] for entry in replay.entries)
        self.crawler.stats.inc_value(f"{STATS}/boards/replayed")
        self.crawler.stats.inc_value(f"{STATS}/postings/ok", len(replay.entries))
        board = run.board
        for item_id, job_id, title, url, digest in replay.entries:
            yield JobItem(
                id=item_id,
                ats=self.name,
                board=board.token,
                job_id=job_id,
                company=board.name,
                company_url=board.website,
                title=title,
                url=url,
                raw_hash=digest,
            )
        self._done(run)

    def parse_detail(self, response: Response) -> Iterable[Any]:
        run = self.runs[response.meta["board"]]
        raw = response.meta["posting"]
        try:
            merged = self.merge_detail(raw, self.decode(response))
        except (BadPayload, BoardMissing, TypeError, KeyError, AttributeError, ValueError) as exc:
            self._detail_fault(run, raw, str(exc))
            merged = raw
        yield from self._emit(run, merged)
        self._done(run)

    def page_failed(self, failure: Failure) -> None:
        request = failure.request
        run = self.runs[request.meta["board"]]
        if failure.check(HttpError) and failure.value.response.status in (404, 410):
            run.fail("missing", f"HTTP {failure.value.response.status}: no such board")
            self.crawler.stats.inc_value(f"{STATS}/pages/missing")
        else:
            self._fault(run, request.meta.get(MIRRORED, request.url), _describe(failure, self.config.mirror))
        self._done(run)

    def detail_failed(self, failure: Failure) -> Iterable[Any]:
        request = failure.request
        run = self.runs[request.meta["board"]]
        raw = request.meta["posting"]
        self._detail_fault(run, raw, _describe(failure, self.config.mirror))
        yield from self._emit(run, raw)
        self._done(run)

    # --- accounting --------------------------------------------------------------------------------

    def _emit(self, run: BoardRun, raw: Mapping[str, Any]) -> Iterable[JobItem]:
        item = self._safe(run, raw, self.to_item)
        if item is None:
            return
        if item.job_id in run.job_ids:
            # Some ATS list a job once per location or language; the first listing speaks for it.
            self.crawler.stats.inc_value(f"{STATS}/postings/repeated")
            run.repeated += 1
            return
        run.job_ids.add(item.job_id)
        self.crawler.stats.inc_value(f"{STATS}/postings/ok")
        yield item

    def _safe(self, run: BoardRun, raw: Mapping[str, Any], hook: Any) -> Any:
        try:
            return hook(raw, run.board)
        except Exception as exc:  # bad input must never stop the board: count, log, skip
            self._invalid(run, raw.get("id") or raw.get("shortcode"), f"{type(exc).__name__}: {exc}")
            return None

    def _expect(self, run: BoardRun, requests: int) -> None:
        run.pending += requests
        run.requests += requests

    def _invalid(self, run: BoardRun, job_id: Any, reason: str) -> None:
        run.invalid += 1
        run.errors += 1
        self.crawler.stats.inc_value(f"{STATS}/postings/invalid")
        logger.warning("%s job %s: invalid posting skipped: %s", run.board.key, job_id, reason)

    def _fault(self, run: BoardRun, url: str, reason: str) -> None:
        run.fail("failed", reason)
        run.errors += 1
        self.crawler.stats.inc_value(f"{STATS}/pages/failed")
        logger.error("%s: %s (%s)", run.board.key, reason, url)

    def _detail_fault(self, run: BoardRun, raw: Mapping[str, Any], reason: str) -> None:
        run.errors += 1
        self.crawler.stats.inc_value(f"{STATS}/details/failed")
        logger.warning(
            "%s job %s: detail unavailable, using the list data: %s", run.board.key, raw.get("id"), reason
        )

    def _done(self, run: BoardRun) -> None:
        run.pending -= 1
        if run.pending <= 0:
            self._finish(run)

    def _finish(self, run: BoardRun) -> None:
        self.in_flight.discard(run.board.key)
        if self._room is not None:  # start() waits for a board to finish
            room, self._room = self._room, None
            room.callback(None)
        if run.outcome is None and run.invalid and not run.job_ids:
            # Not one usable posting: the ATS changed its shape, and "empty" would close every job.
            run.fail("failed", f"all {run.invalid} postings invalid")
        if run.outcome is None:
            run.outcome = "ok" if run.job_ids else "empty"
        stats = self.crawler.stats
        stats.inc_value(f"{STATS}/boards/{run.outcome}")
        stats.inc_value(f"{STATS}/boards/done")
        log = logger.info if run.outcome in ("ok", "empty") else logger.warning
        log(
            "%s: board %s, %d jobs%s",
            run.board.key,
            run.outcome,
            len(run.job_ids),
            f" ({run.reason})" if run.reason else "",
        )
        self.crawler.signals.send_catch_log(board_finished, run=run, spider=self)

    def closed(self, reason: str) -> None:
        # Boards still pending when the crawl stops (shutdown, timeout) did not finish: they failed.
        for run in self.runs.values():
            if run.outcome is None and run.pending > 0:
                run.fail("failed", f"crawl closed before the board finished ({reason})")
                run.pending = 0
                self._finish(run)


def answer_digest(board: Board, response: Response) -> str:
    """A digest of everything a board's list answer is read from: the answer (status, type, body), the
    request (its real URL when mirrored, method, body), the registry entry, and our code (a new version
    reads every answer afresh once)."""
    request = response.request
    url = request.meta.get(MIRRORED, request.url) if request is not None else response.url
    method, body = (request.method, request.body) if request is not None else ("GET", b"")
    head = json.dumps(
        [
            _code_version(),
            astuple(board),
            url,
            method,
            response.status,
            response.headers.get(b"Content-Type"),
        ],
        sort_keys=True,
        default=repr,
    )
    digest = hashlib.blake2b(head.encode("utf-8", "surrogatepass"), digest_size=16)
    digest.update(b"\0%d\0" % len(body))
    digest.update(body)
    digest.update(b"\0")
    digest.update(response.body)
    return digest.hexdigest()


@cache
def _code_version() -> str:
    """A digest of the jobspiders package's Python sources (read through importlib.resources: a Scrapyd
    egg is a zip file)."""
    digest = hashlib.blake2b(digest_size=16)
    pending = [(files("jobspiders"), "")]
    while pending:
        folder, prefix = pending.pop()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            name = f"{prefix}/{entry.name}"
            if entry.is_dir():
                pending.append((entry, name))
            elif entry.name.endswith(".py"):
                digest.update(f"{name}\0".encode())
                digest.update(entry.read_bytes())
    return digest.hexdigest()


def _utf8(response: Response) -> bool:
    """Whether the body is UTF-8 as Scrapy would decode it: by the encoding given to the response (what a
    middleware or a test may set; Scrapy puts it first), else by its headers: charset utf-8 or none at
    all (JSON is UTF-8, RFC 8259). A body that is not, after all, is decoded as Scrapy decodes it
    (`loads_utf8_payload`)."""
    given = getattr(response, "_encoding", None)  # TextResponse(encoding=...): no public accessor
    if given:
        return resolve_encoding(given) == "utf-8"
    declared = http_content_type_encoding((response.headers.get(b"Content-Type") or b"").decode("latin-1"))
    return declared in (None, "utf-8")


def _describe(failure: Failure, mirror: str | None) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    message = failure.getErrorMessage()
    if mirror:  # name the real ATS URL, as everywhere else
        message = message.replace(f"{mirror}/", "https://")
    return f"{failure.type.__name__}: {message}"
