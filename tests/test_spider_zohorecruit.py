from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.spiders.zohorecruit import ZohoRecruitSpider
from tests.conftest import FIXTURES, collect, fixture_response, start_requests

REGISTRY = """
- {name: Renmoney, website: https://renmoney.com/, ats: zohorecruit, token: renmoney}
- {name: Marktine, ats: zohorecruit, token: marktine, host: marktine.zohorecruit.in}
"""
API = "https://renmoney.zohorecruit.com/recruit/v2/public/Job_Openings"
BOARD = "zohorecruit:renmoney"


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(ZohoRecruitSpider, registry_file(REGISTRY))


def read(name):
    return (FIXTURES / "zohorecruit" / name).read_bytes()


def parse(spider, request, body, board=BOARD):
    return collect(spider.parse_page(fixture_response(request.url, body, board=board, meta=request.meta)))


def test_start_requests_per_data_centre(spider):
    renmoney, marktine = start_requests(spider)
    assert renmoney.method == "GET"
    assert renmoney.url.startswith(f"{API}?")
    assert marktine.url.startswith("https://marktine.zohorecruit.in/recruit/v2/public/Job_Openings?")
    query = parse_qs(urlsplit(renmoney.url).query)
    assert query["pagename"] == ["Careers"]
    assert query["source"] == ["CareerSite"]
    assert "page" not in query
    assert query["extra_fields"] == [
        '["Date_Opened","Job_Description","Job_Type","Remote_Job","Work_Experience"]'
    ]


def test_pages_then_items(spider):
    first = start_requests(spider)[0]
    items, requests = parse(spider, first, read("page1.json"))
    (page2,) = requests
    assert parse_qs(urlsplit(page2.url).query)["page"] == ["2"]
    assert [item.job_id for item in items] == ["634479000003779062", "634479000003779077"]
    backend, success = items
    assert backend.url == (
        "https://renmoney.zohorecruit.com/jobs/Careers/634479000003779062/Backend-Developer-(Node.js)?source=CareerSite"
    )
    assert (backend.raw.location, backend.raw.remote, backend.raw.posted_at) == (
        "Lagos, Lagos, Nigeria",
        False,
        "2026-11-12",
    )
    assert backend.raw.employment_type == "Full time"
    assert backend.raw.description == "<p>Build payment APIs in Node.js &amp; PostgreSQL.</p>"
    # no $url: the career-site page is built; no city or state: the country alone
    assert success.url == "https://renmoney.zohorecruit.com/jobs/Careers/634479000003779077"
    assert (success.raw.location, success.raw.remote) == ("Nigeria", True)

    items, requests = parse(spider, page2, read("page2.json"))
    assert requests == []  # more_records false
    assert [item.job_id for item in items] == [
        "634479000003779090",
        "634479000003779101",
    ]  # unpublished skipped
    lending, qa = items
    assert lending.title == "Senior Backend Engineer &#8211; Lending (Go)"
    assert lending.raw.description == "&lt;p&gt;Go, gRPC &amp;amp; Kafka&lt;/p&gt;"
    assert lending.raw.employment_type == "Contract"
    assert (qa.title, qa.raw.location, qa.raw.posted_at) == ("QA Analyst", None, None)
    run = spider.runs[BOARD]
    assert (run.outcome, run.pages, len(run.job_ids)) == ("ok", 2, 4)


@pytest.mark.parametrize(
    ("info", "follows"),
    [
        ({"page": 1, "more_records": True}, True),
        ({"more_records": True}, True),
        ({"page": 1, "more_records": False}, False),
        ({"page": 3, "more_records": True}, False),  # the endpoint ignored the page we asked for
        (None, False),
    ],
)
def test_paging_is_bounded(spider, info, follows):
    first = start_requests(spider)[0]
    body = {"data": [{"id": "1", "Posting_Title": "Backend Engineer"}], **({"info": info} if info else {})}
    _, requests = parse(spider, first, json.dumps(body))
    assert bool(requests) is follows


def test_no_json_falls_back_to_the_careers_page(spider):
    first = start_requests(spider)[1]
    items, requests = parse(
        spider, first, b"<html><body>Not here</body></html>", board="zohorecruit:marktine"
    )
    assert items == []
    (careers,) = requests
    assert careers.url == "https://marktine.zohorecruit.in/jobs/Careers"
    assert (careers.meta["response_format"], careers.headers["Accept"]) == ("html", b"text/html")
    assert "response_format" not in first.meta  # the JSON endpoint
    assert spider.runs["zohorecruit:marktine"].outcome is None  # still waiting for the page

    items, requests = parse(spider, careers, read("careers.html"), board="zohorecruit:marktine")
    assert requests == []
    assert [item.job_id for item in items] == ["64180000008468166", "64180000008468170"]
    django, frontend = items
    assert django.url.startswith("https://marktine.zohorecruit.in/jobs/Careers/64180000008468166/")
    assert django.raw.description == '<p>Django REST &amp; "Celery" <b>workers</b></p>'
    assert (django.raw.remote, django.raw.location) == (True, "Jaipur, Rajasthan, India")
    assert frontend.url == "https://marktine.zohorecruit.in/jobs/Careers/64180000008468170"
    assert spider.runs["zohorecruit:marktine"].outcome == "ok"


@pytest.mark.parametrize(
    "body", [b'{"code": "INVALID_REQUEST", "status": "error"}', b"", b'{"data": [', b"[]"]
)
def test_other_json_answers_fall_back_too(spider, body):
    _, requests = parse(spider, start_requests(spider)[0], body)
    assert [r.url for r in requests] == ["https://renmoney.zohorecruit.com/jobs/Careers"]


def test_empty_board(spider):
    parse(
        spider, start_requests(spider)[0], b'{"code": "success", "data": [], "info": {"more_records": false}}'
    )
    assert spider.runs[BOARD].outcome == "empty"


def test_empty_careers_page(spider):
    (careers,) = parse(spider, start_requests(spider)[0], b"<html></html>")[1]
    parse(spider, careers, read("careers-empty.html"))
    assert spider.runs[BOARD].outcome == "empty"


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (b"<html><body>Oops</body></html>", "careers page without its jobs list"),
        (b'<html><input id="jobs" value="{&quot;a&quot;: 1}"></html>', "input#jobs holds a dict"),
        (b'<html><input id="jobs" value="[{broken"></html>', "unexpected shape: JSONDecodeError"),
        (b"", "empty or binary response"),
        # the careers page is read as HTML even when it answers JSON: no second fallback, no loop
        (b'{"data": [{"id": "1", "Posting_Title": "Backend Engineer"}]}', "unexpected shape"),
    ],
)
def test_garbage_on_both_surfaces_fails_the_board(spider, page, reason):
    (careers,) = parse(spider, start_requests(spider)[0], b"<html>garbage</html>")[1]
    items, requests = parse(spider, careers, page)
    assert items == requests == []
    run = spider.runs[BOARD]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason)


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (503, "failed")])
def test_http_errors(spider, status, outcome):
    request = start_requests(spider)[0]
    response = fixture_response(request.url, b"{}", board=BOARD, status=status, meta=request.meta)
    failure = Failure(HttpError(response, "error"))
    failure.request = request
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome
