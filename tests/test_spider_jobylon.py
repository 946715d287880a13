from __future__ import annotations

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.spiders.jobylon import JobylonSpider, js_string, widget_jobs
from tests.conftest import FIXTURES, collect, fixture_response, start_requests

REGISTRY = """
- {name: MyParcel, website: https://www.myparcel.nl/, ats: jobylon, token: "2551"}
- {name: MyParcel Feed, ats: jobylon, token: myparcel-feed, key: 7d7e6fd12c614aa5af3624b06f7a74b8}
- {name: No Id, ats: jobylon, token: noid}
- {name: From Feed Url, ats: jobylon, token: 30c8a5ca-e587-4158-8608-58050440d986}
"""
WIDGET = "https://cdn.jobylon.com/jobs/companies/2551/embed/v2/?target=jobylon-jobs-widget&page_size=100"
FEED = "https://feed.jobylon.com/feeds/7d7e6fd12c614aa5af3624b06f7a74b8/?format=json"


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(JobylonSpider, registry_file(REGISTRY))


def read(name):
    return (FIXTURES / "jobylon" / name).read_bytes()


def parse(spider, request, body, board="jobylon:2551"):
    return collect(spider.parse_page(fixture_response(request.url, body, board=board, meta=request.meta)))


def test_start_requests_feed_with_key_widget_without(spider):
    widget, feed, hashed = start_requests(spider)
    assert (widget.method, widget.url, widget.meta["response_format"]) == ("GET", WIDGET, "html")
    assert (feed.url, feed.headers["Accept"]) == (FEED, b"application/json")
    assert "response_format" not in feed.meta  # the spider's own: JSON
    # a hash-shaped token (what `detect` reads from a feed URL) is a feed key
    assert hashed.url == "https://feed.jobylon.com/feeds/30c8a5ca-e587-4158-8608-58050440d986/?format=json"
    run = spider.runs["jobylon:noid"]
    assert run.outcome == "failed"
    assert "needs its feed key or a numeric company id" in run.reason


def test_feed_has_every_field(spider):
    feed = start_requests(spider)[1]
    items, requests = parse(spider, feed, read("feed.json"), board="jobylon:myparcel-feed")
    assert requests == []  # no detail requests for the feed
    backend, support = items
    assert backend.id == "jobylon:myparcel-feed:313005"
    assert backend.url == "https://emp.jobylon.com/jobs/313005-myparcel-backend-developer/"
    raw = backend.raw
    assert raw.location == ["Leiden, Netherlands", "Amsterdam, Netherlands"]
    assert (raw.remote, raw.employment_type, raw.posted_at) == ("hybrid", "Full-time", "2026-11-13")
    assert raw.description == "<p>Build our shipping APIs with Node.js &amp; TypeScript.</p>"
    assert support.title == "Customer Support Agent (Dutch &amp; English)"
    assert support.url == "https://emp.jobylon.com/jobs/313010/"
    assert (support.raw.location, support.raw.description, support.raw.posted_at) == (
        None,
        None,
        "2026-10-01T09:00:00Z",
    )
    assert spider.runs["jobylon:myparcel-feed"].outcome == "ok"


def test_widget_jobs_then_job_pages(spider):
    widget = start_requests(spider)[0]
    items, requests = parse(spider, widget, read("widget.html"))
    assert items == []
    assert [r.url for r in requests] == [
        "https://emp.jobylon.com/jobs/384001-myparcel-senior-backend-engineer-php/",
        "https://emp.jobylon.com/jobs/384002-myparcel-customer-happiness-hero/",
        "https://emp.jobylon.com/jobs/384003/",
    ]
    php, hero, lead = requests
    assert php.meta["posting"]["title"] == "Senior Backend Engineer (PHP & Laravel)"
    assert hero.meta["posting"]["title"] == "Customer Happiness 'Hero' - NL"
    assert lead.meta["posting"]["title"] == "Teamlead Warehouse [Leiden]; shift 'B'"
    assert {(r.meta["response_format"], r.headers["Accept"]) for r in requests} == {("html", b"text/html")}

    def page(request, body):
        response = fixture_response(request.url, body, board="jobylon:2551", meta=request.meta)
        return collect(spider.parse_detail(response))[0]

    (item,) = page(php, read("job-384001.html"))
    assert (item.id, item.url) == ("jobylon:2551:384001", php.url)
    assert item.raw.location == ["Leiden, Netherlands"]  # streetAddress, not the bare country code
    assert item.raw.posted_at == "2026-11-17T08:15:00+00:00"
    assert item.raw.employment_type == "FULL_TIME"
    assert "<b>PHP 8</b>" in item.raw.description
    (item,) = page(lead, read("job-384003.html"))
    assert item.raw.location == ["Leiden, Zuid-Holland, NL"]
    # a job page without JSON-LD: the widget's fields alone
    (item,) = page(hero, b"<html><body>Moved</body></html>")
    assert (item.title, item.raw.description, item.raw.posted_at) == (
        "Customer Happiness 'Hero' - NL",
        None,
        None,
    )
    run = spider.runs["jobylon:2551"]
    assert (run.outcome, len(run.job_ids)) == ("ok", 3)


def test_failed_job_page_keeps_the_widget_job(spider):
    widget = start_requests(spider)[0]
    _, (php, *_) = parse(spider, widget, read("widget.html"))
    response = fixture_response(php.url, b"", board="jobylon:2551", status=404, meta=php.meta)
    failure = Failure(HttpError(response, "404"))
    failure.request = php
    (item,) = collect(spider.detail_failed(failure))[0]
    assert (item.job_id, item.raw.location) == ("384001", None)


@pytest.mark.parametrize(
    ("text", "value"),
    [(r"PHP \u0026 Go", "PHP & Go"), (r"it\'s", "it's"), (r"a\/b \x41", "a/b A"), ("Zürich", "Zürich")],
)
def test_js_string(text, value):
    assert js_string(text) == value


def test_widget_literal_keeps_nested_ids_apart():
    page = "JBL.embed_v2['jobs'] = [ { company_id: '9', klass: { 'job-id-7': true }, id: '7', title: 'A' } ];"
    assert widget_jobs(page) == [{"id": "7", "title": "A", "widget": True}]


def test_empty_widget(spider):
    parse(spider, start_requests(spider)[0], read("widget-empty.html"))
    assert spider.runs["jobylon:2551"].outcome == "empty"


def test_empty_feed(spider):
    parse(spider, start_requests(spider)[1], b"[]", board="jobylon:myparcel-feed")
    assert spider.runs["jobylon:myparcel-feed"].outcome == "empty"


@pytest.mark.parametrize(
    ("which", "body", "reason"),
    [
        (0, b"<html><body>Cloudflare</body></html>", "no JBL.embed_v2['jobs'] list"),
        (0, b"", "empty or binary response"),
        (1, b"<html><body>Error</body></html>", "expected JSON, got an HTML page"),
        (1, b'[{"id": 1', "expected JSON, got invalid JSON"),
        (1, b'{"detail": "Server error."}', "expected a list of jobs"),
        (1, b'{"jobs": []}', "expected a list of jobs"),
    ],
)
def test_garbage_fails_the_board(spider, which, body, reason):
    request = start_requests(spider)[which]
    board = ("jobylon:2551", "jobylon:myparcel-feed")[which]
    items, requests = parse(spider, request, body, board=board)
    assert items == requests == []
    run = spider.runs[board]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason)


@pytest.mark.parametrize("body", [b'{"detail": "Not found."}', b'{"detail": "Not Found."}'])
def test_feed_not_found_answered_200_is_missing(spider, body):
    items, requests = parse(spider, start_requests(spider)[1], body, board="jobylon:myparcel-feed")
    assert items == requests == []
    run = spider.runs["jobylon:myparcel-feed"]
    assert (run.outcome, run.reason) == ("missing", "feed not found")


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (500, "failed")])
def test_http_errors(spider, status, outcome):
    request = start_requests(spider)[1]
    response = fixture_response(request.url, b"{}", board="jobylon:myparcel-feed", status=status)
    failure = Failure(HttpError(response, "error"))
    failure.request = response.request
    spider.page_failed(failure)
    assert spider.runs["jobylon:myparcel-feed"].outcome == outcome
