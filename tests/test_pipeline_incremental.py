"""Incremental re-crawls and batched store writes (issue 8): the pipelines over a real SQLite store."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import asdict, replace

import pytest
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from jobspiders import settings as project_settings
from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize import profiles
from jobspiders.pipelines import incremental, normalize
from jobspiders.pipelines.dedup import DedupPipeline
from jobspiders.pipelines.incremental import IncrementalPipeline, raw_hash
from jobspiders.pipelines.normalize import NormalizePipeline
from jobspiders.pipelines.profiles import ProfilePipeline
from jobspiders.pipelines.skills import SkillsPipeline
from jobspiders.pipelines.store import StorePipeline
from jobspiders.registry import Board
from jobspiders.spiders.base import BoardRun
from jobspiders.spiders.greenhouse import GreenhouseSpider
from jobspiders.store import SqliteStore
from tests.conftest import settle

NOW1, NOW2 = "2026-11-20T12:00:00Z", "2026-11-21T12:00:00Z"
PUBLISHED = ("title", "url", "location", "locations", "workplace", "employment_type", "seniority")
PUBLISHED += ("posted_at", "date_source", "salary", "skills", "profiles", "description", "company")


def posting(job_id: str, title: str = "Senior Backend Engineer (Go)", **raw: object) -> JobItem:
    url = f"https://boards.greenhouse.io/acme/jobs/{job_id}"
    fields = {
        "location": "Berlin, Germany",
        "description": "<p>We use Go, PostgreSQL and Kubernetes. 70.000 - 90.000 EUR per year.</p>",
        "posted_at": "2026-11-15T10:00:00Z",
        **raw,
    }
    return JobItem(
        id=f"greenhouse:acme:{job_id}",
        ats="greenhouse",
        board="acme",
        job_id=job_id,
        company="Acme",
        title=title,
        url=url,
        raw=RawPosting(title=title, url=url, company="Acme", **fields),
    )


CHAIN = (
    IncrementalPipeline,
    ProfilePipeline,
    NormalizePipeline,
    SkillsPipeline,
    DedupPipeline,
    StorePipeline,
)


def in_settings_order(classes: tuple[type, ...]) -> list[type]:
    """``classes`` in the order of the project's ITEM_PIPELINES (the order Scrapy runs them in)."""
    return sorted(
        classes, key=lambda cls: project_settings.ITEM_PIPELINES[f"{cls.__module__}.{cls.__name__}"]
    )


class Crawl:
    """The pipelines from incremental to store, as Scrapy runs them, over one store."""

    def __init__(self, db: str, now: str, **settings: object) -> None:
        self.crawler = get_crawler(
            GreenhouseSpider, settings_dict={"JOBS_DB": db, "JOBS_NOW": now, **settings}
        )
        self.crawler.spider = GreenhouseSpider.from_crawler(self.crawler, companies=[])
        self.pipes = [cls(self.crawler) for cls in in_settings_order(CHAIN)]
        for pipe in self.pipes:
            if hasattr(pipe, "open_spider"):
                pipe.open_spider()
        self.out: list[JobItem] = []

    def feed(self, *items: JobItem) -> None:
        for item in items:
            try:
                for pipe in self.pipes:
                    item = settle(pipe.process_item(item))
            except DropItem as exc:
                self.crawler.signals.send_catch_log(
                    signals.item_dropped, item=item, response=None, exception=exc, spider=self.crawler.spider
                )
            else:
                self.out.append(item)

    def close(self) -> dict:
        for pipe in reversed(self.pipes):
            if hasattr(pipe, "close_spider"):
                pipe.close_spider()
        return self.crawler.stats.get_stats()


def rows(db: str) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        return {
            r[0]: r[1:] for r in conn.execute("SELECT id, first_seen, last_seen, closed_at, data FROM jobs")
        }


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "jobs.db")


def test_unchanged_postings_are_not_normalized_again(db, monkeypatch):
    first = Crawl(db, NOW1)
    first.feed(posting("1"), posting("2", posted_at=None), posting("3", title="Office Manager"))
    stats1 = first.close()
    assert stats1["jobspiders/store/new"] == 2
    assert stats1["jobspiders/profiles/no_profile"] == 1
    before = rows(db)

    calls = []
    real = normalize.normalize_posting
    monkeypatch.setattr(normalize, "normalize_posting", lambda *a: calls.append(a) or real(*a))
    second = Crawl(db, NOW2)
    second.feed(posting("1"), posting("2", posted_at=None), posting("3", title="Office Manager"))
    stats2 = second.close()
    assert calls == []  # nothing normalized, the filtered posting included
    assert stats2["jobspiders/incremental/unchanged"] == 2
    assert stats2["jobspiders/incremental/filtered"] == 1
    assert stats2["jobspiders/profiles/no_profile"] == 1
    assert stats2["jobspiders/store/seen_again"] == 2
    assert stats2["jobspiders/store/unchanged"] == 2
    assert "jobspiders/store/new" not in stats2
    # The items are complete: the same published fields as a first crawl gives (feed, expiry, spidermon).
    for old, new in zip(first.out, second.out, strict=True):
        assert new.unchanged
        assert not old.unchanged
        same = [k for k in PUBLISHED if not (k == "posted_at" and old.date_source == "first_seen")]
        assert {k: getattr(new, k) for k in same} == {k: getattr(old, k) for k in same}
    assert second.out[1].date_source == "first_seen"
    assert second.out[1].posted_at == NOW2
    # The store only moved last_seen.
    after = rows(db)
    assert {k: (v[0], v[1], v[3]) for k, v in after.items()} == {
        k: (v[0], NOW2, v[3]) for k, v in before.items()
    }


def test_postings_no_list_wants_are_dropped_before_they_are_normalized(db, monkeypatch):
    assert [cls.__name__ for cls in in_settings_order(CHAIN)][:3] == [
        "IncrementalPipeline",
        "ProfilePipeline",
        "NormalizePipeline",
    ]
    calls = []
    real = normalize.normalize_posting
    monkeypatch.setattr(
        normalize, "normalize_posting", lambda raw, now: calls.append(raw["title"]) or real(raw, now)
    )
    crawl = Crawl(db, NOW1)
    crawl.feed(posting("1"), posting("2", title="Office Manager"), posting("3", title="Account Executive"))
    stats = crawl.close()
    assert calls == ["Senior Backend Engineer (Go)"]
    assert stats["jobspiders/normalize/ok"] == 1
    assert stats["jobspiders/profiles/no_profile"] == 2
    assert [item.id for item in crawl.out] == ["greenhouse:acme:1"]


@pytest.mark.parametrize(
    ("raw_title", "item_title"),
    [
        ("Senior Backend Engineer (Go)", "Senior Backend Engineer (Go)"),
        ("Senior&nbsp;Backend&nbsp;Engineer", "x"),
        ("&lt;b&gt;Backend Engineer&lt;/b&gt;", "x"),
        ("Backend &amp;amp;lt;Platform&amp;amp;gt; Engineer", "x"),  # unescaped once by normalize
        ("Back\u200bend Engi\u00adneer", "x"),  # invisible characters
        ("  \n\t ", "Backend Engineer"),  # nothing left: normalize keeps the spider's title
        (None, "Data Engineer (Python)"),
        (12345, "iOS Developer"),
        ("Office Manager", "Backend Engineer"),
    ],
)
def test_profiles_are_those_of_the_title_normalize_gives(raw_title, item_title):
    # ProfilePipeline runs first now: it must find what it found on the normalized title before.
    crawler = get_crawler(GreenhouseSpider, settings_dict={"JOBS_NOW": NOW1, "JOBS_INCREMENTAL": False})
    item = posting("1", title=item_title)
    item.raw.title = raw_title
    normalized = settle(NormalizePipeline(crawler).process_item(replace(item)))
    expected = profiles.match_profiles(normalized.title)
    try:
        got = ProfilePipeline(crawler).process_item(item).profiles
    except DropItem:
        got = []
    assert got == expected
    assert item.title == item_title  # not normalized by ProfilePipeline


def test_changed_postings_are_normalized_and_stored(db):
    first = Crawl(db, NOW1)
    first.feed(posting("1"), posting("3", title="Office Manager"))
    first.close()
    second = Crawl(db, NOW2)
    second.feed(posting("1", location="Munich, Germany"), posting("3", title="Backend Engineer"))
    stats = second.close()
    assert stats["jobspiders/incremental/changed"] == 2
    assert [item.unchanged for item in second.out] == [False, False]
    assert second.out[0].location.startswith("Munich")
    assert stats["jobspiders/store/new"] == 1
    assert stats["jobspiders/store/seen_again"] == 1
    data = rows(db)
    assert '"Munich' in data["greenhouse:acme:1"][3]
    assert data["greenhouse:acme:1"][:2] == (NOW1, NOW2)


def test_a_closed_job_seen_again_unchanged_is_reopened(db):
    first = Crawl(db, NOW1)
    first.feed(posting("1"))
    first.close()
    store = SqliteStore(db)
    store.finish_board("greenhouse", "acme", "empty", None, [], NOW1)
    store.close()
    assert rows(db)["greenhouse:acme:1"][2] == NOW1
    second = Crawl(db, NOW2)
    second.feed(posting("1"))
    second.close()
    assert second.out[0].unchanged
    assert rows(db)["greenhouse:acme:1"][1:3] == (NOW2, None)


def test_a_recrawl_reads_each_boards_stored_jobs_once(db, monkeypatch):
    first = Crawl(db, NOW1)
    first.feed(*(posting(str(n)) for n in range(4)))
    first.close()
    store = SqliteStore(db)
    store.finish_board("greenhouse", "acme", "ok", None, ["0", "1", "2"], NOW1)  # closes 3
    store.close()
    reads: list[tuple[str, str]] = []
    board_jobs, stored_job = SqliteStore.board_jobs, SqliteStore.stored_job
    monkeypatch.setattr(
        SqliteStore,
        "board_jobs",
        lambda self, *board, **kw: reads.append(("board", board[1])) or board_jobs(self, *board, **kw),
    )
    monkeypatch.setattr(
        SqliteStore,
        "stored_job",
        lambda self, job_id: reads.append(("job", job_id)) or stored_job(self, job_id),
    )
    second = Crawl(db, NOW2)
    second.feed(*(posting(str(n)) for n in range(4)))
    second.close()
    # one read for the board's open jobs; the closed one seen again is read on its own (and reopened)
    assert reads == [("board", "acme"), ("job", "greenhouse:acme:3")]
    assert [item.unchanged for item in second.out] == [True] * 4
    for old, new in zip(first.out, second.out, strict=True):
        assert {k: getattr(new, k) for k in PUBLISHED} == {k: getattr(old, k) for k in PUBLISHED}
    assert {row[2] for row in rows(db).values()} == {None}  # all open


def test_boards_past_the_boards_in_flight_are_let_go_and_not_read_again(db, monkeypatch):
    def on(board: str, job_id: str) -> JobItem:
        return replace(posting(job_id), board=board, id=f"greenhouse:{board}:{job_id}")

    items = [on("acme", "1"), on("beta", "1"), on("acme", "2"), on("beta", "2")]  # interleaved boards
    first = Crawl(db, NOW1)
    first.feed(*items)
    first.close()
    reads: list[str] = []
    board_jobs, stored_job = SqliteStore.board_jobs, SqliteStore.stored_job
    monkeypatch.setattr(
        SqliteStore,
        "board_jobs",
        lambda self, *board, **kw: reads.append(board[1]) or board_jobs(self, *board, **kw),
    )
    monkeypatch.setattr(
        SqliteStore, "stored_job", lambda self, job_id: reads.append(job_id) or stored_job(self, job_id)
    )
    second = Crawl(db, NOW2, JOBS_BOARDS_IN_FLIGHT=1)
    second.feed(*[on(item.board, item.job_id) for item in items])
    second.close()
    # beta's read let acme's go: acme's second job is read on its own, its board not again
    assert reads == ["acme", "beta", "greenhouse:acme:2"]
    assert [item.unchanged for item in second.out] == [True] * 4


def test_the_records_held_for_boards_are_capped(db, monkeypatch):
    def on(board: str, job_id: str) -> JobItem:
        return replace(posting(job_id), board=board, id=f"greenhouse:{board}:{job_id}")

    big = [on("big", str(n)) for n in range(5)]
    first = Crawl(db, NOW1)
    first.feed(*big, on("small", "1"), on("small", "2"))
    first.close()
    monkeypatch.setattr(incremental, "HELD_RECORDS", 3)
    reads: list[str] = []
    stored_job = SqliteStore.stored_job
    monkeypatch.setattr(
        SqliteStore, "stored_job", lambda self, job_id: reads.append(job_id) or stored_job(self, job_id)
    )
    second = Crawl(db, NOW2)
    pipe = second.pipes[0]
    second.feed(big[0])
    assert pipe.held == 2  # 3 of the big board's 5 read, one used
    second.feed(on("small", "1"))  # 2 more: over the cap, the big board is let go
    assert list(pipe.boards) == [("greenhouse", "small")]
    assert pipe.held == 1
    second.feed(*big[1:], on("small", "2"))
    second.close()
    assert [item.unchanged for item in second.out] == [True] * 7
    # the big board's other jobs, read on their own
    assert sorted(reads) == [job.id for job in big[1:]]
    assert pipe.held == 0


def test_incremental_can_be_turned_off(db):
    for now in (NOW1, NOW2):
        crawl = Crawl(db, now, JOBS_INCREMENTAL=False)
        crawl.feed(posting("1"))
        stats = crawl.close()
        assert not crawl.out[0].unchanged
        assert not any(key.startswith("jobspiders/incremental/") for key in stats)


def test_hash_covers_raw_and_identity_fields():
    base = raw_hash(posting("1"))
    assert raw_hash(posting("1")) == base
    assert raw_hash(posting("1", description="<p>other</p>")) != base
    assert raw_hash(posting("1", salary={"min": 1})) != base
    changed = posting("1")
    changed.company_url = "https://acme.example"
    assert raw_hash(changed) != base
    assert asdict(posting("1")).keys() >= {"raw_hash", "unchanged"}
    assert incremental.HASH_VERSION


def test_store_writes_are_batched_and_committed_when_a_board_finishes(db):
    crawl = Crawl(db, NOW1, JOBS_STORE_BATCH=3)
    store_pipe = crawl.pipes[-1]
    crawl.feed(posting("1"), posting("2"))
    assert rows(db) == {}  # buffered, not committed yet
    crawl.feed(posting("3"))
    assert len(rows(db)) == 3  # the batch is full: one transaction
    crawl.feed(posting("4"))
    board = Board(name="Acme", ats="greenhouse", token="acme")
    store_pipe.board_finished(BoardRun(board, job_ids={"1", "2", "3", "4", "5"}, outcome="ok"))
    assert len(rows(db)) == 4
    crawl.feed(posting("5"))
    stats = crawl.close()
    assert len(rows(db)) == 5
    assert stats["jobspiders/store/new"] == 5


def test_a_batch_the_store_refuses_is_logged_counted_and_the_crawl_goes_on(db, monkeypatch, caplog):
    upsert = SqliteStore.upsert_many
    failures = iter([sqlite3.OperationalError("disk I/O error")])

    def upsert_many(self, jobs, seen_at):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return upsert(self, jobs, seen_at)

    monkeypatch.setattr(SqliteStore, "upsert_many", upsert_many)
    crawl = Crawl(db, NOW1, JOBS_STORE_BATCH=2)
    crawl.feed(*(posting(str(n)) for n in range(4)))
    board = Board(name="Acme", ats="greenhouse", token="acme")
    crawl.pipes[-1].board_finished(BoardRun(board, job_ids={"0", "1", "2", "3"}, outcome="ok"))
    stats = crawl.close()
    assert sorted(rows(db)) == ["greenhouse:acme:2", "greenhouse:acme:3"]
    assert stats["jobspiders/store/failed"] == 2
    assert stats["jobspiders/store/new"] == 2
    [message] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert "a batch of 2 jobs (greenhouse:acme) was not written" in message
    assert "OperationalError: disk I/O error" in message
    assert len(crawl.out) == 4  # the items went on to the feed and the later pipelines


def test_touches_the_store_refuses_are_logged_and_counted(db, monkeypatch, caplog):
    first = Crawl(db, NOW1)
    first.feed(posting("1"), posting("2"))
    first.close()

    def touch(self, ids, seen_at):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(SqliteStore, "touch", touch)
    second = Crawl(db, NOW2)
    second.feed(posting("1"), posting("2"))
    stats = second.close()
    assert [item.unchanged for item in second.out] == [True, True]
    assert stats["jobspiders/store/failed"] == 2
    assert "jobspiders/store/unchanged" not in stats
    assert {row[1] for row in rows(db).values()} == {NOW1}  # last_seen not moved
    [message] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert (
        "a batch of 2 jobs (greenhouse:acme) was not written (OperationalError: database is locked)"
        in message
    )
