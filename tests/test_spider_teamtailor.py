from __future__ import annotations

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.normalize.posting import normalize_posting
from jobspiders.spiders.teamtailor import TeamtailorSpider
from tests.conftest import FIXTURES, NOW, collect, fixture_response, start_requests

FEED = "https://northwind.teamtailor.com/jobs.rss"
BOARD = "teamtailor:northwind"


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(
        TeamtailorSpider,
        registry_file(
            "- {name: Northwind, website: https://northwind.example/, ats: teamtailor, token: northwind}\n"
            "- {name: Lion, ats: teamtailor, token: ingeniouslion, host: careers.ingeniouslion.com}\n"
            "- {name: Other, ats: lever, token: other}\n"
        ),
    )


def parse(spider, body, url=FEED, board=BOARD):
    return collect(spider.parse_page(fixture_response(url, body, board=board)))


def test_start_requests_subdomain_and_custom_domain(spider):
    requests = start_requests(spider)
    assert [r.url for r in requests] == [FEED, "https://careers.ingeniouslion.com/jobs.rss"]
    assert {r.method for r in requests} == {"GET"}
    assert requests[0].headers["Accept"].startswith(b"application/rss+xml")


def test_feed_items(spider):
    items, requests = parse(spider, (FIXTURES / "teamtailor" / "jobs.rss").read_bytes())
    assert requests == []
    by_id = {item.job_id: item for item in items}
    assert list(by_id) == ["6521132", "6521140", "6521155", "5b0e4a36-1a7d-4b43-9f7a-1f5d9d2c0004"]
    first = by_id["6521132"]
    assert first.id == "teamtailor:northwind:6521132"
    assert first.url == "https://northwind.teamtailor.com/jobs/6521132-senior-backend-engineer-go-payments"
    assert first.raw.title == "Senior Backend Engineer (Go) &amp; Payments"  # cleaned by the pipeline
    assert first.raw.location == ["Santiago, Chile", "Buenos Aires, Argentina"]
    assert first.raw.remote == "hybrid"
    assert first.raw.posted_at == "Tue, 17 Nov 2026 09:30:00 +0100"
    assert first.raw.description.startswith("<p>Build our <strong>payment rails</strong>")
    # a location without a city keeps its own name; a localized link still gives the numeric id
    assert by_id["6521140"].raw.location == ["LATAM"]
    assert by_id["6521140"].raw.remote == "fully"
    bare = by_id["6521155"].raw
    assert (bare.location, bare.remote, bare.posted_at, bare.description) == (None, None, None, None)
    # no link: the guid is the id, the board's job list the url
    assert by_id["5b0e4a36-1a7d-4b43-9f7a-1f5d9d2c0004"].url == "https://northwind.teamtailor.com/jobs"
    assert spider.crawler.stats.get_value("jobspiders/postings/invalid") == 1  # the item without a title
    assert spider.runs[BOARD].outcome == "ok"


@pytest.mark.parametrize(
    ("job_id", "workplace", "posted_at"),
    [
        ("6521132", "hybrid", "2026-11-17T08:30:00Z"),
        ("6521140", "remote", "2026-11-16T21:05:00Z"),
        ("6521155", "onsite", None),
        # "temporary": remote for now, so the list says remote
        ("5b0e4a36-1a7d-4b43-9f7a-1f5d9d2c0004", "remote", "2026-11-04T08:00:00Z"),
    ],
)
def test_normalized_workplace_and_dates(spider, job_id, workplace, posted_at):
    items, _ = parse(spider, (FIXTURES / "teamtailor" / "jobs.rss").read_bytes())
    (item,) = [item for item in items if item.job_id == job_id]
    fields = normalize_posting({k: getattr(item.raw, k) for k in item.raw.__slots__}, NOW)
    assert (fields["workplace"], fields["posted_at"]) == (workplace, posted_at)


def test_custom_domain_board(spider):
    body = (FIXTURES / "teamtailor" / "jobs.rss").read_bytes()
    items, _ = parse(
        spider, body, url="https://careers.ingeniouslion.com/jobs.rss", board="teamtailor:ingeniouslion"
    )
    assert items[0].id == "teamtailor:ingeniouslion:6521132"
    assert items[3].url == "https://careers.ingeniouslion.com/jobs"


def test_empty_board(spider):
    items, _ = parse(spider, (FIXTURES / "teamtailor" / "empty.rss").read_bytes())
    assert items == []
    assert spider.runs[BOARD].outcome == "empty"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Page not found</body></html>", "expected XML"),
        (b'{"items": []}', "expected XML"),
        (b"<?xml version='1.0'?><error>maintenance</error>", "expected an RSS feed"),
        (b"<?xml version='1.0'?><rss><channel><item><title>cut", "invalid XML"),
        (b"", "empty or binary response"),
    ],
)
def test_garbage_fails_the_board(spider, body, reason):
    items, _ = parse(spider, body)
    assert items == []
    run = spider.runs[BOARD]
    assert (run.outcome, run.reason.startswith(reason)) == ("failed", True), run.reason


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (410, "missing"), (503, "failed")])
def test_http_errors(spider, status, outcome):
    response = fixture_response(FEED, b"", board=BOARD, status=status)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = response.request
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome
