from __future__ import annotations

import json

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.spiders.taleo import TaleoSpider, fill_list_html
from tests.conftest import FIXTURES, collect, fixture_response, start_requests

REGISTRY = """
- {name: Virtusa, website: https://www.virtusa.com/, ats: taleo, token: virtusa, site: ex}
- {name: Keyed, ats: taleo, token: keyed, site: "2", key: 555}
- {name: No Section, ats: taleo, token: nosection}
"""
BOARD = "taleo:virtusa"
SEARCH_PAGE = "https://virtusa.taleo.net/careersection/ex/jobsearch.ftl?lang=en"
SEARCH = "https://virtusa.taleo.net/careersection/rest/jobboard/searchjobs?lang=en&portal=101430233"
DETAIL = "https://virtusa.taleo.net/careersection/ex/jobdetail.ftl?job={}&lang=en"


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(TaleoSpider, registry_file(REGISTRY))


def read(name):
    return (FIXTURES / "taleo" / name).read_bytes()


def answer(request, body, board=BOARD, headers=None):
    return TextResponse(
        request.url,
        body=body,
        request=Request(request.url, meta={**request.meta, "board": board}),
        headers={"Content-Type": "text/html", **(headers or {})},
        encoding="utf-8",
    )


def search_request(spider, board=BOARD, page=b"jobsearch.html", cookies=()):
    request = next(r for r in start_requests(spider) if r.meta["board"] == board)
    page = read(page.decode()) if page.endswith(b".html") else page
    items, requests = collect(spider.parse_page(answer(request, page, board, {"Set-Cookie": list(cookies)})))
    assert items == []
    return requests


def test_start_requests_search_page_per_section(spider):
    virtusa, keyed = start_requests(spider)
    assert (virtusa.method, virtusa.url, virtusa.meta["response_format"]) == ("GET", SEARCH_PAGE, "html")
    assert virtusa.headers["Accept"] == b"text/html"
    assert keyed.url == "https://keyed.taleo.net/careersection/2/jobsearch.ftl?lang=en"
    run = spider.runs["taleo:nosection"]
    assert run.outcome == "failed"
    assert "needs its career section as site" in run.reason


def test_search_posts_with_portal_headers_and_session_cookie(spider):
    cookies = ["JSESSIONID=abc123; Path=/careersection; Secure", "locale=en; Path=/"]
    (search,) = search_request(spider, cookies=cookies)
    assert (search.method, search.url) == ("POST", SEARCH)
    assert json.loads(search.body) == {
        "multilineEnabled": False,
        "sortingSelection": {"sortBySelectionParam": "3", "ascendingSortingOrder": "false"},
        "fieldData": {"fields": {"KEYWORD": "", "LOCATION": ""}, "valid": True},
        "filterSelectionParam": {"searchFilterSelections": []},
        "advancedSearchFiltersSelectionParam": {"searchFilterSelections": []},
        "pageNo": 1,
    }
    headers = search.headers
    assert headers["Content-Type"] == b"application/json"
    assert (headers["tz"], headers["tzname"], headers["X-Requested-With"]) == (
        b"GMT+00:00",
        b"UTC",
        b"XMLHttpRequest",
    )
    assert headers["Referer"] == SEARCH_PAGE.encode()
    assert headers["Cookie"] == b"JSESSIONID=abc123; locale=en"


def test_registry_key_is_the_portal_number(spider):
    (search,) = search_request(spider, board="taleo:keyed", page=b"<html><title>Jobs</title></html>")
    assert search.url == "https://keyed.taleo.net/careersection/rest/jobboard/searchjobs?lang=en&portal=555"
    assert b"Cookie" not in search.headers


def test_pages_details_and_items(spider):
    (search,) = search_request(spider)
    items, requests = collect(spider.parse_page(answer(search, read("search-page1.json"))))
    assert items == []
    java, qa, page2 = requests
    assert [java.url, qa.url] == [DETAIL.format("CREQ231430"), DETAIL.format("CREQ231433")]
    assert (page2.method, json.loads(page2.body)["pageNo"]) == ("POST", 2)
    assert "response_format" not in search.meta  # JSON
    assert "response_format" not in page2.meta
    assert (java.meta["response_format"], java.headers["Accept"]) == ("html", b"text/html")

    (item,) = collect(spider.parse_detail(answer(java, read("jobdetail-CREQ231430.html"))))[0]
    assert (item.id, item.url, item.title) == ("taleo:virtusa:CREQ231430", java.url, "Java Backend Developer")
    assert item.raw.location == ["Chennai, Tamil Nadu, IN"]  # the JSON-LD address beats the list's codes
    assert item.raw.posted_at == "2026-11-14"
    assert item.raw.description.startswith("<p>Design <b>Java 17</b> / Spring Boot")  # percent-decoded

    (item,) = collect(spider.parse_detail(answer(qa, read("jobdetail-CREQ231433.html"))))[0]
    assert item.title == "Lead Consultant - QA &amp; Testing"
    assert item.raw.location == ["IN-TS-Hyderabad"]
    assert item.raw.posted_at == "Oct 20, 2026"
    assert item.raw.description == (
        "<p>Lead the QA &amp; test automation practice.</p>\n"
        "<ul><li>Selenium, Java</li><li>It's hands-on</li></ul>"
    )

    items, requests = collect(spider.parse_page(answer(page2, read("search-page2.json"))))
    (detail,) = requests  # totalCount reached: no third page
    assert detail.url == DETAIL.format("780340")  # no contestNo: the internal job id
    response = answer(detail, b"")
    failure = Failure(HttpError(response, "500"))
    failure.request = detail
    (item,) = collect(spider.detail_failed(failure))[0]
    assert (item.job_id, item.raw.location, item.raw.posted_at) == (
        "780340",
        ["Colombo-Western-Sri Lanka"],
        "15/11/2026",
    )
    assert item.raw.description is None
    run = spider.runs[BOARD]
    assert (run.outcome, len(run.job_ids)) == ("ok", 3)


@pytest.mark.parametrize(
    ("page_no", "rows", "paging", "follows"),
    [
        (1, 25, {"pageSize": 25, "totalCount": 60}, True),
        (2, 25, {"pageSize": 25, "totalCount": 50}, False),  # total reached
        (1, 10, {"pageSize": 25, "totalCount": 60}, False),  # short page
        (1, 0, {"pageSize": 25, "totalCount": 60}, False),  # empty page
        (200, 25, {"pageSize": 25, "totalCount": 99999}, False),  # page cap
        (1, 25, {}, False),
    ],
)
def test_paging_stops(spider, page_no, rows, paging, follows):
    (search,) = search_request(spider)
    search.meta["page"] = page_no
    body = {
        "requisitionList": [{"jobId": str(i), "column": ["Engineer"]} for i in range(rows)],
        "pagingData": paging,
    }
    _, requests = collect(spider.parse_page(answer(search, json.dumps(body).encode())))
    assert any(r.method == "POST" for r in requests) is follows


def test_fill_list_without_description():
    assert fill_list_html("<script>api.fillList('other', 'x', ['!*!%3Cp%3E']);</script>") is None


def test_empty_board(spider):
    (search,) = search_request(spider)
    collect(spider.parse_page(answer(search, read("search-empty.json"))))
    assert spider.runs[BOARD].outcome == "empty"


@pytest.mark.parametrize(
    ("search_page", "body", "reason"),
    [
        (b"<html><title>Search Jobs</title><p>Under maintenance</p></html>", None, "no portal number"),
        (b"", None, "empty or binary response"),
        (b"jobsearch.html", b"<html><body>Error</body></html>", "expected JSON, got an HTML page"),
        (b"jobsearch.html", b'{"requisitionList": [', "expected JSON, got invalid JSON"),
        (b"jobsearch.html", b'{"careerSectionUnAvailable": false}', "unexpected shape: KeyError"),
        (b"jobsearch.html", b'{"pagingData": {}}', "unexpected shape: KeyError"),
    ],
)
def test_garbage_fails_the_board(spider, search_page, body, reason):
    if body is None:
        request = start_requests(spider)[0]
        collect(spider.parse_page(answer(request, search_page)))
    else:
        (search,) = search_request(spider, page=search_page)
        assert collect(spider.parse_page(answer(search, body))) == ([], [])
    run = spider.runs[BOARD]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason)


@pytest.mark.parametrize(
    ("search_page", "body"),
    [
        (b"<html><head><title>Career Section Unavailable</title></head><body>Sorry</body></html>", None),
        (b"<html><title>\n  career section unavailable - Acme\n</title></html>", None),
        (b"jobsearch.html", b'{"careerSectionUnAvailable": true, "requisitionList": null}'),
    ],
)
def test_unavailable_section_is_missing(spider, search_page, body):
    if body is None:  # the section's own page says so: no search is posted
        request = start_requests(spider)[0]
        assert collect(spider.parse_page(answer(request, search_page))) == ([], [])
    else:
        (search,) = search_request(spider, page=search_page)
        assert collect(spider.parse_page(answer(search, body))) == ([], [])
    run = spider.runs[BOARD]
    assert (run.outcome, run.reason) == ("missing", "career section unavailable")


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (500, "failed")])
def test_http_errors(spider, status, outcome):
    request = start_requests(spider)[0]
    response = fixture_response(request.url, b"", board=BOARD, status=status, meta=request.meta)
    failure = Failure(HttpError(response, "error"))
    failure.request = request
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome
