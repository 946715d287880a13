from __future__ import annotations

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.normalize.posting import normalize_posting
from jobspiders.spiders.personio import PersonioSpider
from tests.conftest import FIXTURES, NOW, collect, fixture_response, start_requests

FEED = "https://acme.jobs.personio.de/xml?language=en"
BOARD = "personio:acme"


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(
        PersonioSpider,
        registry_file(
            "- {name: Acme, website: https://acme.example/, ats: personio, token: acme}\n"
            "- {name: CodeCamp:N, ats: personio, token: codecampn, host: codecampn.jobs.personio.com}\n"
        ),
    )


def parse(spider, body, url=FEED, board=BOARD):
    return collect(spider.parse_page(fixture_response(url, body, board=board)))


def test_start_requests_share_one_throttled_slot(spider):
    requests = start_requests(spider)
    assert [r.url for r in requests] == [FEED, "https://codecampn.jobs.personio.com/xml?language=en"]
    assert {r.meta["download_slot"] for r in requests} == {"jobs.personio.de"}
    assert requests[0].headers["Accept"].startswith(b"application/xml")
    assert spider.host_limits["jobs.personio.de"]["concurrency"] == 1
    assert spider.host_limits["jobs.personio.de"]["delay"] >= 1


def test_positions(spider):
    items, requests = parse(spider, (FIXTURES / "personio" / "feed.xml").read_bytes())
    assert requests == []
    assert [item.id for item in items] == [
        "personio:acme:2360524",
        "personio:acme:2360531",
        "personio:acme:2360540",
    ]
    full, student, bare = (item.raw for item in items)
    assert items[0].url == "https://acme.jobs.personio.de/job/2360524?language=en"
    assert full.title == "Senior Backend Developer (m/w/d) – Go & Kubernetes"
    assert full.location == ["Berlin", "Remote", "Hamburg"]
    assert full.posted_at == "2026-11-16T09:00:00+0100"
    assert full.employment_type == "permanent, full-time"
    assert full.salary == {
        "min": "70000.00",
        "max": "85000.00",
        "currencySymbol": "€",
        "currencyCode": "EUR",
        "type": "yearly",
    }
    assert full.description.startswith("<h3>Your tasks</h3>")
    assert "<h3>Your profile</h3>" in full.description
    assert "<li>Build Go services on PostgreSQL &amp; Kafka</li>" in full.description
    assert student.salary["max"] is None
    assert student.description is None
    assert (bare.location, bare.posted_at, bare.salary, bare.employment_type) == (None, None, None, None)
    stats = spider.crawler.stats
    assert stats.get_value("jobspiders/postings/repeated") == 1  # the feed lists 2360524 twice
    assert stats.get_value("jobspiders/postings/invalid") == 1  # the position without an id
    assert spider.runs[BOARD].outcome == "ok"


def test_normalized(spider):
    items, _ = parse(spider, (FIXTURES / "personio" / "feed.xml").read_bytes())
    full, student, bare = (
        normalize_posting({k: getattr(i.raw, k) for k in i.raw.__slots__}, NOW) for i in items
    )
    assert full["posted_at"] == "2026-11-16T08:00:00Z"  # +0100 without a colon
    assert (full["salary"]["min"], full["salary"]["max"], full["salary"]["period"]) == (70000, 85000, "year")
    assert full["employment_type"] == "full-time"
    assert full["workplace"] == "remote"  # an office named "Remote"
    assert (student["employment_type"], student["salary"]["period"]) == ("internship", "hour")
    assert bare["posted_at"] is None


def test_custom_host_job_urls(spider):
    url = "https://codecampn.jobs.personio.com/xml?language=en"
    items, _ = parse(
        spider, (FIXTURES / "personio" / "feed.xml").read_bytes(), url=url, board="personio:codecampn"
    )
    assert items[0].url == "https://codecampn.jobs.personio.com/job/2360524?language=en"


def test_empty_board(spider):
    assert parse(spider, (FIXTURES / "personio" / "empty.xml").read_bytes())[0] == []
    assert spider.runs[BOARD].outcome == "empty"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><h1>Page not found</h1></html>", "expected XML"),
        (b"<?xml version='1.0'?><rss><channel/></rss>", "expected a <workzag-jobs> feed"),
        (b"<?xml version='1.0'?><workzag-jobs><position><id>1</id><name>Cut", "invalid XML"),
        (b"Too Many Requests", "expected XML"),
    ],
)
def test_garbage_fails_the_board(spider, body, reason):
    assert parse(spider, body)[0] == []
    run = spider.runs[BOARD]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason), run.reason


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (429, "failed"), (500, "failed")])
def test_http_errors(spider, status, outcome):
    response = fixture_response(FEED, b"<html>Not found</html>", board=BOARD, status=status)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = response.request
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome
