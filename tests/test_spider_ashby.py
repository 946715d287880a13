from __future__ import annotations

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.normalize.posting import normalize_posting
from jobspiders.spiders.ashby import AshbySpider
from tests.conftest import FIXTURES, NOW, collect, fixture_response, start_requests

URL = "https://api.ashbyhq.com/posting-api/job-board/acme?includeCompensation=true"
BOARD = "ashby:acme"


@pytest.fixture
def spider(make_spider, registry_file):
    path = registry_file(
        "- {name: Acme, website: https://acme.example/, ats: ashby, token: acme}\n"
        "- {name: Other, ats: lever, token: other}\n"
    )
    return make_spider(AshbySpider, path)


def parse(spider, body, status=200):
    return collect(spider.parse_page(fixture_response(URL, body, board=BOARD, status=status)))


def test_start_requests_one_get_per_board(spider):
    (request,) = start_requests(spider)
    assert (request.url, request.method, request.body) == (URL, "GET", b"")
    assert request.headers["Accept"] == b"application/json"


def test_parses_board(spider):
    items, requests = parse(spider, (FIXTURES / "ashby" / "board.json").read_bytes())
    assert requests == []  # no pagination, no detail: the list has everything
    # the unlisted job is left out; the one without a title is counted invalid
    assert [item.id for item in items] == [
        "ashby:acme:4b3e8c2a-1d2f-4e5a-9b7c-0a1b2c3d4e5f",
        "ashby:acme:9d0c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "ashby:acme:7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b",
    ]
    go, rust, analyst = items
    assert go.url == "https://jobs.ashbyhq.com/acme/4b3e8c2a-1d2f-4e5a-9b7c-0a1b2c3d4e5f"
    assert (go.company, go.company_url) == ("Acme", "https://acme.example/")
    assert go.raw.location == ["Berlin", "Amsterdam", "Lisbon"]
    assert go.raw.country is None  # the address is only the primary location's
    assert go.raw.remote == "Hybrid"  # workplaceType beats isRemote: true
    assert go.raw.salary["summaryComponents"][1]["minValue"] == 80000
    assert (go.raw.posted_at, go.raw.employment_type) == ("2026-11-17T09:30:00.123+00:00", "FullTime")
    assert go.raw.description.startswith('<p style="min-height:1.5em">We run')

    assert rust.url == "https://jobs.ashbyhq.com/acme/9d0c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    assert rust.raw.title == "Backend Engineer &amp; API Owner | Payments [Rust]"  # cleaned by the pipeline
    assert rust.raw.remote is True  # no workplaceType: isRemote
    assert (rust.raw.location, rust.raw.country, rust.raw.salary) == (["Remote - EU"], None, None)
    assert rust.raw.description == "&lt;p&gt;Rust &amp;amp; gRPC&lt;/p&gt;"

    assert analyst.url == "https://jobs.ashbyhq.com/acme/7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b"
    assert (analyst.raw.location, analyst.raw.posted_at, analyst.raw.description) == (None, None, None)
    assert analyst.raw.remote is False
    stats = spider.crawler.stats
    assert (stats.get_value("jobspiders/postings/ok"), stats.get_value("jobspiders/postings/invalid")) == (
        3,
        1,
    )
    assert spider.runs[BOARD].outcome == "ok"


def test_items_normalize_with_compensation_and_workplace(spider):
    items, _ = parse(spider, (FIXTURES / "ashby" / "board.json").read_bytes())
    fields = [normalize_posting({k: getattr(i.raw, k) for k in i.raw.__slots__}, NOW) for i in items]
    assert [f["workplace"] for f in fields] == ["hybrid", "remote", "onsite"]
    assert fields[0]["salary"]["currency"] == "EUR"
    assert (fields[0]["salary"]["min"], fields[0]["salary"]["max"]) == (80000, 100000)  # not the bonus
    assert fields[0]["posted_at"] == "2026-11-17T09:30:00Z"
    assert [f["employment_type"] for f in fields] == ["full-time", "contract", None]
    assert fields[1]["title"] == "Backend Engineer & API Owner | Payments [Rust]"
    assert fields[1]["description"] == "Rust & gRPC"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "expected JSON, got an HTML page"),
        (b'{"apiVersion": "1", "jobs": [', "expected JSON, got invalid JSON"),
        (b"[]", "unexpected shape: TypeError"),
        (b'{"apiVersion": "1"}', "unexpected shape: KeyError"),
    ],
)
def test_garbage_fails_the_board(spider, body, reason):
    items, _ = parse(spider, body)
    assert items == []
    run = spider.runs[BOARD]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason)


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (500, "failed")])
def test_http_errors(spider, status, outcome):
    response = fixture_response(URL, b"{}", board=BOARD, status=status)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = response.request
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome


def test_empty_board(spider):
    # an unknown organization may also answer like this (200, no jobs)
    items, _ = parse(spider, b'{"apiVersion": "1", "jobs": []}')
    assert items == []
    assert spider.runs[BOARD].outcome == "empty"
