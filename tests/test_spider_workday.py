from __future__ import annotations

import json

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.normalize.posting import normalize_posting
from jobspiders.spiders.workday import WorkdaySpider
from tests.conftest import FIXTURES, NOW, collect, fixture_response, start_requests

API = "https://stedin.wd3.myworkdayjobs.com/wday/cxs/stedin/WerkenbijStedin"
BOARD = "workday:stedin"


@pytest.fixture
def spider(make_spider, registry_file):
    path = registry_file(
        "- {name: Stedin, ats: workday, token: stedin,"
        " host: stedin.wd3.myworkdayjobs.com, site: WerkenbijStedin}\n"
        "- {name: No Site, ats: workday, token: nosite, host: nosite.wd1.myworkdayjobs.com}\n"
    )
    return make_spider(WorkdaySpider, path, company="stedin")


def read(name):
    return (FIXTURES / "workday" / name).read_bytes()


def respond(request, body, status=200):
    return fixture_response(request.url, body, board=BOARD, status=status, meta=request.meta)


def body_of(request):
    return json.loads(request.body)


def test_start_request_is_a_json_post(spider):
    (request,) = start_requests(spider)
    assert (request.url, request.method) == (f"{API}/jobs", "POST")
    assert body_of(request) == {"appliedFacets": {}, "limit": 20, "offset": 0, "searchText": ""}
    assert request.headers["Content-Type"] == b"application/json"
    assert request.headers["Accept"] == b"application/json"


def test_board_without_site_fails_before_any_request(make_spider, registry_file):
    path = registry_file(
        "- {name: No Site, ats: workday, token: nosite, host: nosite.wd1.myworkdayjobs.com}\n"
    )
    spider = make_spider(WorkdaySpider, path)
    assert start_requests(spider) == []
    run = spider.runs["workday:nosite"]
    assert (run.outcome, run.reason) == (
        "failed",
        "cannot build request: a Workday board needs host and site",
    )


def test_pages_details_and_items(spider):
    (start,) = start_requests(spider)
    items, requests = collect(spider.parse_page(respond(start, read("page1.json"))))
    assert items == []
    assert [(r.method, r.url) for r in requests] == [
        ("GET", f"{API}/job/Rotterdam/Backend-Developer_JR13717"),
        ("GET", f"{API}/job/Utrecht/Senior-Backend-Engineer--Java---Platform_JR13720"),
        ("POST", f"{API}/jobs"),
    ]
    detail_1, detail_2, page_2 = requests
    assert body_of(page_2) == {"appliedFacets": {}, "limit": 20, "offset": 2, "searchText": ""}
    assert page_2.meta["total"] == 3  # the first page's total, carried along

    (item,) = collect(spider.parse_detail(respond(detail_1, read("detail-JR13717.json"))))[0]
    assert item.id == "workday:stedin:JR13717"
    assert (
        item.url
        == "https://stedin.wd3.myworkdayjobs.com/WerkenbijStedin/job/Rotterdam/Backend-Developer_JR13717"
    )
    raw = item.raw
    assert (raw.location, raw.country, raw.remote) == (["Rotterdam"], "NL", "Hybrid")
    assert (raw.posted_at, raw.employment_type) == ("2026-11-17", "Full time")  # startDate beats postedOn
    assert raw.description.startswith("<p><b>Wat ga je doen?</b>")

    (item,) = collect(spider.parse_detail(respond(detail_2, read("detail-JR13720.json"))))[0]
    # no externalUrl: the public page is built from host, site and externalPath
    assert item.url == (
        "https://stedin.wd3.myworkdayjobs.com/WerkenbijStedin/job/Utrecht/Senior-Backend-Engineer--Java---Platform_JR13720"
    )
    assert item.raw.title == "Senior Backend Engineer (Java) &amp; Platform"
    assert (item.raw.location, item.raw.country) == (["Utrecht", "Amsterdam", "Eindhoven"], None)
    assert (item.raw.posted_at, item.raw.remote) == (
        "Posted 30+ Days Ago",
        "Hybrid",
    )  # remoteType of the list
    assert item.raw.description == "&lt;p&gt;Java 21 &amp;amp; Spring Boot&lt;/p&gt;"

    # page 2 reports total 0 (only page 1's counts): the carried total decides, and 3 of 3 were seen
    items, requests = collect(spider.parse_page(respond(page_2, read("page2.json"))))
    assert [r.url for r in requests] == [f"{API}/job/Den-Haag/Monteur-Elektrotechniek_JR13722-1"]
    failure = Failure(HttpError(respond(requests[0], b"{}", status=404), "404"))
    failure.request = requests[0]
    (item,) = collect(spider.detail_failed(failure))[0]
    assert item.id == "workday:stedin:JR13722-1"  # a repost keeps its suffix
    assert (item.raw.posted_at, item.raw.location, item.raw.description) == (
        "Posted Today",
        ["Den Haag"],
        None,
    )
    run = spider.runs[BOARD]
    assert (run.outcome, len(run.job_ids), run.pages) == ("ok", 3, 2)


def test_relative_and_absolute_dates_normalize(spider):
    (start,) = start_requests(spider)
    _, (detail, *_) = collect(spider.parse_page(respond(start, read("page1.json"))))
    (item,) = collect(spider.parse_detail(respond(detail, read("detail-JR13717.json"))))[0]
    fields = normalize_posting({k: getattr(item.raw, k) for k in item.raw.__slots__}, NOW)
    assert (fields["posted_at"], fields["workplace"], fields["location"]) == (
        "2026-11-17T00:00:00Z",
        "hybrid",
        "Rotterdam",
    )
    assert normalize_posting({"title": "x", "posted_at": "Posted 3 Days Ago"}, NOW)["posted_at"] == (
        "2026-11-17T12:00:00Z"
    )


@pytest.mark.parametrize(
    ("total", "offset", "count", "follows"),
    [
        (3, 0, 2, True),  # more to come
        (50, 20, 20, True),  # later pages say total 0: the first page's total, carried in meta, decides
        (40, 20, 20, False),  # the total reached
        (5000, 1980, 20, False),  # the ~2000 cap: further offsets wrap around to the first page
        (50, 20, 0, False),  # an empty page ends the board whatever the total says
    ],
)
def test_pagination_stops(spider, total, offset, count, follows, caplog):
    board = spider.boards[0]
    request = spider.list_request(board, offset, total if offset else None)
    page = {"total": total if offset == 0 else 0, "jobPostings": [{"title": "t"}] * count}
    follow = spider.next_page(page, respond(request, b"{}"), board)
    assert (follow is not None) == follows
    if follow is not None:
        assert body_of(follow)["offset"] == offset + count
    assert ("only the first 2000 can be listed" in caplog.text) == (total == 5000)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>Maintenance</body></html>", "expected JSON, got an HTML page"),
        (b'{"total": 3, "jobPostings": [', "expected JSON, got invalid JSON"),
        (b'{"errorCode": "HTTP_422", "httpStatus": 422}', "unexpected shape: KeyError"),
    ],
)
def test_garbage_fails_the_board(spider, body, reason):
    (start,) = start_requests(spider)
    items, _ = collect(spider.parse_page(respond(start, body)))
    run = spider.runs[BOARD]
    assert (items, run.outcome, run.reason.startswith(reason)) == ([], "failed", True)


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (422, "failed"), (429, "failed")])
def test_http_errors(spider, status, outcome):
    (start,) = start_requests(spider)
    failure = Failure(HttpError(respond(start, b"{}", status=status), "Ignoring non-200 response"))
    failure.request = start
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome


def test_empty_board(spider):
    (start,) = start_requests(spider)
    items, requests = collect(
        spider.parse_page(respond(start, b'{"total": 0, "jobPostings": [], "facets": []}'))
    )
    assert (items, requests, spider.runs[BOARD].outcome) == ([], [], "empty")
