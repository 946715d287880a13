from __future__ import annotations

import json

import pytest
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders import settings as project_settings
from jobspiders.normalize.posting import normalize_posting
from jobspiders.spiders.workable import WorkableSpider
from tests.conftest import FIXTURES, NOW, collect, fixture_response, start_requests

LIST = "https://apply.workable.com/api/v3/accounts/acme/jobs"
DETAIL = "https://apply.workable.com/api/v2/accounts/acme/jobs"
BOARD = "workable:acme"
SEARCH = {"query": "", "location": [], "department": [], "worktype": [], "remote": []}


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(WorkableSpider, registry_file("- {name: Acme, ats: workable, token: acme}\n"))


def read(name):
    return (FIXTURES / "workable" / name).read_bytes()


def respond(request, body, status=200):
    return fixture_response(request.url, body, board=BOARD, status=status, meta=request.meta)


def fields(item):
    return normalize_posting({k: getattr(item.raw, k) for k in item.raw.__slots__}, NOW)


def test_start_request_is_a_json_post(spider):
    (request,) = start_requests(spider)
    assert (request.url, request.method, json.loads(request.body)) == (LIST, "POST", SEARCH)
    assert request.headers["Content-Type"] == b"application/json"


def test_rate_limit_is_stricter_than_the_defaults():
    settings = Settings({"DOWNLOAD_DELAY": project_settings.DOWNLOAD_DELAY})
    WorkableSpider.update_settings(settings)
    slot = settings.getdict("DOWNLOAD_SLOTS")["apply.workable.com"]
    assert slot["concurrency"] == 1
    assert slot["delay"] >= max(1.0, project_settings.DOWNLOAD_DELAY)


def test_pages_details_and_merged_locations(spider):
    (start,) = start_requests(spider)
    items, requests = collect(spider.parse_page(respond(start, read("page1.json"))))
    assert items == []
    # the job listed once per location is one record, so one detail request
    assert [(r.method, r.url) for r in requests] == [
        ("GET", f"{DETAIL}/4D1AF61767"),
        ("GET", f"{DETAIL}/7B2C93E0AA"),
        ("POST", LIST),
    ]
    detail_1, detail_2, page_2 = requests
    token = "WyIyMDI2LTExLTExVDE1OjMwOjAwLjAwMFoiLDQxMjAwMDJd"
    assert json.loads(page_2.body) == {**SEARCH, "token": token}

    (item,) = collect(spider.parse_detail(respond(detail_1, read("detail-4D1AF61767.json"))))[0]
    assert item.id == "workable:acme:4D1AF61767"
    assert item.url == "https://apply.workable.com/acme/j/4D1AF61767/"
    raw = item.raw
    # the listing's two locations, although the detail names only one
    assert (raw.location, raw.country) == (
        ["Athens, Attica, Greece", "Thessaloniki, Central Macedonia, Greece"],
        "GR",
    )
    assert raw.description == (
        "<p>We build <strong>Django</strong> services on PostgreSQL.</p>\n"
        "<ul><li>3+ years of Python</li></ul>\n<ul><li>Private health insurance</li></ul>"
    )
    assert (raw.remote, raw.employment_type, raw.posted_at) == ("hybrid", "full", "2026-11-16T09:00:00.000Z")

    # the detail fails: the merged listing record is published
    failure = Failure(HttpError(respond(detail_2, b"{}", status=429), "429"))
    failure.request = detail_2
    (item,) = collect(spider.detail_failed(failure))[0]
    assert item.raw.title == "Senior Backend Developer &amp; SRE | Go [Remote]"
    assert item.raw.location == [
        "Lisbon, Lisbon, Portugal",
        "Madrid, Madrid, Spain",
    ]  # the hidden one left out
    assert (item.raw.country, item.raw.remote, item.raw.description) == (None, "remote", None)
    assert fields(item)["workplace"] == "remote"

    items, requests = collect(spider.parse_page(respond(page_2, read("page2.json"))))
    assert [r.url for r in requests] == [f"{DETAIL}/C0FFEE1234"]  # nextPage null: the last page
    (item,) = collect(spider.parse_detail(respond(requests[0], b"<html>Too many requests</html>")))[0]
    assert (item.raw.location, item.raw.posted_at, item.raw.remote) == (["Greece"], None, None)
    run = spider.runs[BOARD]
    assert (run.outcome, len(run.job_ids), run.pages) == ("ok", 3, 2)


def test_widget_payload_one_item_per_job(spider):
    board = spider.boards[0]
    records = list(spider.postings(json.loads(read("widget.json")), board))
    assert len(records) == 3
    java, office = (spider.to_item(raw, board) for raw in records[:2])
    assert java.url == "https://apply.workable.com/acme/j/DD136DD7E7/"
    assert java.raw.location == ["Spain", "Porto, Porto, Portugal"]
    assert (java.raw.remote, java.raw.posted_at, java.raw.employment_type) == (
        True,
        "2026-11-14",
        "Full-time",
    )
    assert [loc["country"] for loc in fields(java)["locations"]] == ["ES", "PT"]
    # no locations[]: the top-level city/state/country
    assert (office.raw.location, office.raw.posted_at, office.raw.remote) == (
        ["Athens, Attica, Greece"],
        "2026-10-01",
        False,
    )
    with pytest.raises(KeyError):
        spider.to_item(records[2], board)  # no shortcode: counted invalid by the base


@pytest.mark.parametrize(
    ("page", "follows"),
    [
        ({"results": [{"shortcode": "A"}], "nextPage": "next"}, True),
        ({"results": [{"shortcode": "A"}], "nextPage": None}, False),
        ({"results": [{"shortcode": "A"}]}, False),
        ({"results": [], "nextPage": "next"}, False),  # an empty page ends the board
        ({"results": [{"shortcode": "A"}], "nextPage": "same"}, False),  # the same token again: a loop
    ],
)
def test_pagination_stops(spider, page, follows):
    request = spider.list_request(spider.boards[0], "same")
    assert (spider.next_page(page, respond(request, b"{}"), spider.boards[0]) is not None) == follows


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!doctype html><title>Just a moment...</title>", "expected JSON, got an HTML page"),
        (b'{"results": [', "expected JSON, got invalid JSON"),
        (b"[]", "unexpected shape: TypeError"),
        (b'{"total": 0}', "unexpected shape: KeyError"),
    ],
)
def test_garbage_fails_the_board(spider, body, reason):
    (start,) = start_requests(spider)
    items, _ = collect(spider.parse_page(respond(start, body)))
    run = spider.runs[BOARD]
    assert (items, run.outcome, run.reason.startswith(reason)) == ([], "failed", True)


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (429, "failed")])
def test_http_errors(spider, status, outcome):
    (start,) = start_requests(spider)
    failure = Failure(HttpError(respond(start, b"{}", status=status), "Ignoring non-200 response"))
    failure.request = start
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome


def test_empty_board(spider):
    (start,) = start_requests(spider)
    items, requests = collect(
        spider.parse_page(respond(start, b'{"total": 0, "results": [], "nextPage": null}'))
    )
    assert (items, requests, spider.runs[BOARD].outcome) == ([], [], "empty")
