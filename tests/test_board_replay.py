"""Board answers replayed (issue 8): a board whose one answer is byte for byte the stored one is not decoded,
mapped or hashed again; its items come out as a fresh read would make them. The real Greenhouse spider and
the project's pipelines over one SQLite store, fed recorded answers."""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import closing

import pytest
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from jobspiders import settings as project_settings
from jobspiders.pipelines import incremental
from jobspiders.spiders import base, greenhouse
from jobspiders.spiders.greenhouse import GreenhouseSpider
from jobspiders.store import SqliteStore
from tests.conftest import FIXTURES, collect, fixture_response, settle, start_requests

NOW1, NOW2, NOW3 = "2026-11-20T12:00:00Z", "2026-11-21T12:00:00Z", "2026-11-22T12:00:00Z"
URL = "https://boards-api.greenhouse.io/v1/boards/northwind/jobs?content=true&pay_transparency=true"
BOARD = "greenhouse:northwind"
REGISTRY = "- {name: Northwind, website: https://northwind.example/, ats: greenhouse, token: northwind}\n"
# What the store and the feed keep of an item (the fields of jobs.json but last_seen).
PUBLISHED = ("id", "ats", "board", "job_id", "company", "company_url", "title", "url", "location")
PUBLISHED += ("locations", "workplace", "employment_type", "seniority", "posted_at", "date_source")
PUBLISHED += ("salary", "skills", "profiles", "description")
# The pipelines a crawl runs, in order, but publishing and spidermon's validation.
PIPELINES = [
    path
    for path, _ in sorted(project_settings.ITEM_PIPELINES.items(), key=lambda entry: entry[1])
    if ".publish." not in path and ".monitors." not in path
]


def answer(*, extra_title: str | None = None, invalid: bool = False) -> bytes:
    """A Greenhouse board answer from the ugly fixture (entities, a javascript: URL, pay ranges): its
    valid postings and a posting no list wants; ``invalid`` keeps the fixture's broken ones too."""
    data = json.loads((FIXTURES / "greenhouse" / "ugly.json").read_bytes())
    jobs = [
        job
        for job in data["jobs"]
        if invalid or (isinstance(job, dict) and job.get("id") and job.get("title"))
    ]
    office = dict(data["jobs"][1], id=5550009, title="Office Manager", absolute_url=None)
    jobs.append(office)
    if extra_title:
        jobs.append(dict(data["jobs"][1], id=5550010, title=extra_title))
    return json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}}, ensure_ascii=False).encode()


class Crawl:
    """One spider and the project's pipelines on one crawler and store, fed answers as Scrapy feeds them."""

    def __init__(self, db: str, now: str, registry: str, **settings: object) -> None:
        self.crawler = get_crawler(
            GreenhouseSpider, settings_dict={"JOBS_DB": db, "JOBS_NOW": now, **settings}
        )
        self.spider = self.crawler.spider = GreenhouseSpider.from_crawler(self.crawler, companies=registry)
        self.crawler.stats.open_spider()
        self.requests = start_requests(self.spider)  # the board's request, counted as the crawl counts it
        self.pipes = [load_object(path).from_crawler(self.crawler) for path in PIPELINES]
        for pipe in self.pipes:
            if hasattr(pipe, "open_spider"):
                pipe.open_spider()
        self.out: list = []

    def answer(self, body: bytes, *, items_after_the_board: bool = False) -> None:
        results = self.spider.parse_page(fixture_response(URL, body, board=BOARD))
        if items_after_the_board:  # the board finishes (its signal) before any of its items is processed
            results, _ = collect(results)
        for item in results:
            self.feed(item)

    def feed(self, item) -> None:
        try:
            for pipe in self.pipes:
                item = settle(pipe.process_item(item))
        except DropItem as exc:
            self.crawler.signals.send_catch_log(
                signals.item_dropped, item=item, response=None, exception=exc, spider=self.spider
            )
        else:
            self.out.append(item)

    def close(self) -> dict:
        for pipe in self.pipes:
            if hasattr(pipe, "close_spider"):
                pipe.close_spider()
        return self.crawler.stats.get_stats()


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "jobs.db")


@pytest.fixture
def registry(tmp_path) -> str:
    path = tmp_path / "companies.yml"
    path.write_text(REGISTRY)
    return str(path)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The postings the spider maps (``to_item``) and the pipeline hashes (``raw_hash``), as they happen."""
    calls: list[str] = []
    to_item, raw_hash = GreenhouseSpider.to_item, incremental.raw_hash
    monkeypatch.setattr(GreenhouseSpider, "to_item", lambda *a: calls.append("map") or to_item(*a))
    monkeypatch.setattr(incremental, "raw_hash", lambda item: calls.append("hash") or raw_hash(item))
    return calls


def crawl(db: str, now: str, registry: str, body: bytes, **options: object) -> tuple[Crawl, dict]:
    run = Crawl(db, now, registry)
    run.answer(body, **options)
    return run, run.close()


def published(items) -> list[dict]:
    return [{name: getattr(item, name) for name in PUBLISHED} for item in items]


def kept_answers(db: str) -> dict[str, str]:
    """The kept answers' digests, by board."""
    with closing(SqliteStore(db)) as store:
        return {board: kept.digest for board, kept in store.board_answers("greenhouse").items()}


def test_the_same_answer_is_replayed_and_gives_the_same_items(db, registry, reads):
    first, stats1 = crawl(db, NOW1, registry, answer())
    assert reads.count("map") == reads.count("hash") == 3
    assert "jobspiders/boards/replayed" not in stats1
    assert list(kept_answers(db)) == ["northwind"]

    reads.clear()
    second, stats2 = crawl(db, NOW2, registry, answer())
    assert reads == []  # nothing decoded into postings, mapped or hashed
    assert stats2["jobspiders/boards/replayed"] == 1
    assert published(second.out) == published(first.out)
    assert [item.id for item in second.out] == [
        "greenhouse:northwind:5550001",
        "greenhouse:northwind:5550002",
    ]
    assert all(item.unchanged and item.raw is None for item in second.out)
    # the same accounting as a read: postings listed, the one no list wants dropped as before, the board ok
    run = second.spider.runs[BOARD]
    assert (run.outcome, run.company_name) == ("ok", first.spider.runs[BOARD].company_name)
    assert run.job_ids == first.spider.runs[BOARD].job_ids == {"5550001", "5550002", "5550009"}
    for name in ("postings/ok", "profiles/no_profile", "boards/ok", "boards/done"):
        assert stats2[f"jobspiders/{name}"] == stats1[f"jobspiders/{name}"], name
    assert (stats1["jobspiders/store/new"], stats2["jobspiders/store/seen_again"]) == (2, 2)
    assert "jobspiders/store/new" not in stats2
    assert stats2["jobspiders/incremental/unchanged"] == 2
    assert stats2["jobspiders/incremental/filtered"] == 1
    with sqlite3.connect(db) as conn:  # the store only moved last_seen, and closed nothing
        assert conn.execute(
            "SELECT COUNT(*), MIN(last_seen) FROM jobs WHERE closed_at IS NULL"
        ).fetchone() == (
            2,
            NOW2,
        )

    reads.clear()
    third, stats3 = crawl(db, NOW3, registry, answer())  # a replayed answer stays kept
    assert reads == []
    assert stats3["jobspiders/boards/replayed"] == 1
    assert published(third.out) == published(first.out)


@pytest.mark.parametrize(
    "change",
    ["a posting more", "registry entry", "our code", "a stored job changed since", "replays off"],
)
def test_anything_else_reads_the_answer_again(db, registry, reads, monkeypatch, tmp_path, change):
    crawl(db, NOW1, registry, answer())
    body = answer()
    if change == "a posting more":
        body = answer(extra_title="Staff Backend Engineer (Rust)")
    elif change == "registry entry":
        (tmp_path / "companies.yml").write_text(REGISTRY.replace("example/", "example/en/"))
    elif change == "our code":
        monkeypatch.setattr(base, "_code_version", lambda: "a newer version")
    elif change == "a stored job changed since":
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE jobs SET raw_hash = 'other' WHERE id = 'greenhouse:northwind:5550002'")
    reads.clear()
    settings = {"JOBS_INCREMENTAL": False} if change == "replays off" else {}
    second = Crawl(db, NOW2, registry, **settings)
    second.answer(body)
    stats = second.close()
    assert "jobspiders/boards/replayed" not in stats
    assert reads.count("map") == (4 if change == "a posting more" else 3)
    titles = [item.title for item in second.out]
    assert titles[:2] == ["Senior Backend Engineer & SRE | Payments [Go]", "Backend Developer"]
    if change == "a posting more":
        assert titles[2:] == ["Staff Backend Engineer (Rust)"]
    if change == "registry entry":
        assert {item.company_url for item in second.out} == {"https://northwind.example/en/"}
    if change != "replays off":  # the answer read is the one kept now, and it is replayed next time
        reads.clear()
        third, stats3 = crawl(db, NOW3, registry, body)
        assert reads == []
        assert stats3["jobspiders/boards/replayed"] == 1
        assert published(third.out) == published(second.out)


def test_a_board_not_listed_whole_by_one_clean_answer_has_no_answer_kept(db, registry, reads, caplog):
    crawl(db, NOW1, registry, answer())
    assert list(kept_answers(db)) == ["northwind"]
    # the board now lists broken postings: they are counted and logged again, and the kept answer goes
    with caplog.at_level(logging.WARNING):
        _, stats = crawl(db, NOW2, registry, answer(invalid=True))
    assert stats["jobspiders/postings/invalid"] == 3
    assert "greenhouse:northwind job None: invalid posting skipped" in caplog.text
    assert kept_answers(db) == {}
    _, stats3 = crawl(db, NOW3, registry, answer(invalid=True))
    assert "jobspiders/boards/replayed" not in stats3
    assert stats3["jobspiders/postings/invalid"] == 3


def test_items_processed_after_their_board_finished_still_keep_its_answer(db, registry, reads):
    first, _ = crawl(db, NOW1, registry, answer(), items_after_the_board=True)
    assert list(kept_answers(db)) == ["northwind"]
    reads.clear()
    second, stats = crawl(db, NOW2, registry, answer(), items_after_the_board=True)
    assert reads == []
    assert stats["jobspiders/boards/replayed"] == 1
    assert published(second.out) == published(first.out)


def test_a_stored_job_gone_during_a_replay_is_dropped_and_the_answer_forgotten(db, registry, reads):
    first, _ = crawl(db, NOW1, registry, answer())
    second = Crawl(db, NOW2, registry)
    results = second.spider.parse_page(fixture_response(URL, answer(), board=BOARD))
    with sqlite3.connect(db) as conn:  # another process rewrites the store between the spider and us
        conn.execute("DELETE FROM jobs WHERE id = 'greenhouse:northwind:5550002'")
    for item in results:
        second.feed(item)
    stats = second.close()
    assert stats["jobspiders/boards/replayed"] == 1
    assert stats["jobspiders/incremental/replay_lost"] == 1
    assert [item.id for item in second.out] == ["greenhouse:northwind:5550001"]
    assert kept_answers(db) == {}  # the next crawl reads the board, and stores the job again
    third, stats3 = crawl(db, NOW3, registry, answer())
    assert "jobspiders/boards/replayed" not in stats3
    assert published(third.out) == published(first.out)


def test_answers_the_store_refuses_leave_the_crawl_and_its_jobs_alone(db, registry, reads, caplog):
    SqliteStore(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON answers BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    with caplog.at_level(logging.WARNING):
        first, stats = crawl(db, NOW1, registry, answer())
    assert "1 board answers not kept (IntegrityError: disk full)" in caplog.text
    assert stats["jobspiders/store/new"] == 2
    assert kept_answers(db) == {}
    reads.clear()
    second, stats2 = crawl(db, NOW2, registry, answer())
    assert "jobspiders/boards/replayed" not in stats2
    assert stats2["jobspiders/incremental/unchanged"] == 2
    assert published(second.out) == published(first.out)


def test_an_unreadable_kept_answer_is_read_again(db, registry, reads, caplog):
    first, _ = crawl(db, NOW1, registry, answer())
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE answers SET entries = '[[\"only one field\"]]'")
    reads.clear()
    with caplog.at_level(logging.WARNING):
        second, stats = crawl(db, NOW2, registry, answer())
    assert "greenhouse:northwind: the stored answer is unreadable; reading the board again" in caplog.text
    assert "jobspiders/boards/replayed" not in stats
    assert published(second.out) == published(first.out)
    assert list(kept_answers(db)) == ["northwind"]  # read again, kept again


def test_a_board_whose_items_did_not_all_reach_the_pipeline_has_no_answer_kept(db, registry, monkeypatch):
    crawl(db, NOW1, registry, answer())
    assert list(kept_answers(db)) == ["northwind"]
    # the fixture's javascript: URL goes through as it is: ValidatePipeline drops that posting before
    # IncrementalPipeline sees it, so the kept answer would not list it: the answer is forgotten
    monkeypatch.setattr(greenhouse, "public_url", lambda url, fallback: url or fallback)
    second, stats = crawl(db, NOW2, registry, answer(extra_title="Staff Backend Engineer (Rust)"))
    assert "jobspiders/boards/replayed" not in stats
    assert stats["jobspiders/validate/bad_url"] == 1
    assert second.spider.runs[BOARD].one_answer  # the spider listed it whole; the pipelines did not
    assert kept_answers(db) == {}
