from __future__ import annotations

import json

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.normalize.posting import normalize_posting
from jobspiders.spiders.base import BoardMissing
from jobspiders.spiders.join import JoinSpider
from tests.conftest import FIXTURES, NOW, collect, fixture_response, start_requests

PAGE = "https://join.com/companies/tangany"
API = "https://join.com/api/public/companies/88123/jobs?locale=en&page={}&pageSize=5"
BOARD = "join:tangany"


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(
        JoinSpider,
        registry_file("- {name: Tangany, website: https://tangany.com/, ats: join, token: tangany}\n"),
    )


def read(name):
    return (FIXTURES / "join" / name).read_bytes()


def page(spider, url, body, meta=None, status=200):
    return collect(spider.parse_page(fixture_response(url, body, board=BOARD, meta=meta, status=status)))


def api_meta(number):
    return {"company": 88123, "page": number, "response_format": "json"}


def test_company_page_then_api_pages(spider):
    (start,) = start_requests(spider)
    assert (start.url, start.method) == (PAGE, "GET")
    items, (api1,) = page(spider, PAGE, read("company.html"))
    assert items == []  # the company page only names the company id
    assert api1.url == API.format(1)
    assert api1.headers["Accept"] == b"application/json"
    # the base decodes API pages as JSON; join.com's own delay is kept (host_limits)
    assert api1.meta == {"board": BOARD, **api_meta(1), "autothrottle_dont_adjust_delay": True}

    items, requests = page(spider, api1.url, read("jobs-page1.json"), meta=api1.meta)
    assert items == []
    *details, api2 = requests
    assert [r.url for r in details] == [
        "https://join.com/companies/tangany/11000001-senior-backend-engineer-python-django",
        "https://join.com/companies/tangany/11000002-backend-developer-devops-mwd",
        "https://join.com/companies/tangany/11000003-werkstudent-marketing-mwd",
        "https://join.com/companies/tangany/11000004-blockchain-backend-engineer-rust",
        "https://join.com/companies/tangany/11000005-untitled",
    ]
    assert all(r.callback == spider.parse_detail for r in details)
    assert api2.url == API.format(2)

    # the last page (pageCount 2) asks for no further page
    _, requests = page(spider, api2.url, read("jobs-page2.json"), meta=api2.meta)
    assert [r.url for r in requests] == ["https://join.com/companies/tangany/11000006-compliance-officer"]
    assert spider.runs[BOARD].pages == 3


def detail_item(spider, raw, body):
    meta = {"posting": raw}
    items, _ = collect(
        spider.parse_detail(
            fixture_response(spider.job_url(raw, spider.boards[0]), body, board=BOARD, meta=meta)
        )
    )
    return items


def test_detail_json_ld_completes_the_posting(spider):
    raw = json.loads(read("jobs-page1.json"))["items"][0]
    spider.runs[BOARD].pending = 1
    (item,) = detail_item(spider, raw, read("job-11000001.html"))
    assert item.id == "join:tangany:11000001"
    assert item.url == "https://join.com/companies/tangany/11000001-senior-backend-engineer-python-django"
    assert item.raw.location == "Berlin, Germany"
    assert item.raw.country == "DE"
    assert item.raw.remote == "HYBRID"
    assert item.raw.employment_type == "Employee"
    assert item.raw.posted_at == "2026-11-17T10:15:00.000Z"
    assert item.raw.salary["value"]["minValue"] == 70000  # schema.org baseSalary beats the list's amounts
    assert item.raw.description.startswith("&lt;p&gt;We build custody APIs")
    fields = normalize_posting({k: getattr(item.raw, k) for k in item.raw.__slots__}, NOW)
    assert (fields["salary"]["min"], fields["salary"]["max"], fields["salary"]["currency"]) == (
        70000,
        90000,
        "EUR",
    )
    assert fields["workplace"] == "hybrid"
    assert "Python, Django & PostgreSQL" in fields["description"]


@pytest.mark.parametrize(
    ("index", "location", "remote", "salary", "posted_at"),
    [
        (
            0,
            "Berlin, Germany",
            "HYBRID",
            {"min_cents": 7000000, "max_cents": 9000000, "currency": "EUR", "period": "PER_YEAR"},
            "2026-11-17T10:15:00.000Z",
        ),
        (1, "Frankfurt am Main, Germany", "REMOTE", None, "2026-11-12T08:00:00.000Z"),
        (3, None, None, None, None),
    ],
)
def test_list_data_when_the_job_page_fails(spider, index, location, remote, salary, posted_at):
    raw = json.loads(read("jobs-page1.json"))["items"][index]
    request = spider.detail_request(raw, spider.boards[0]).replace(meta={"board": BOARD, "posting": raw})
    spider.runs[BOARD].pending = 1
    failure = Failure(HttpError(fixture_response(request.url, b"", board=BOARD, status=410), "gone"))
    failure.request = request
    items, _ = collect(spider.detail_failed(failure))
    (item,) = items
    assert (item.raw.location, item.raw.remote, item.raw.salary, item.raw.posted_at) == (
        location,
        remote,
        salary,
        posted_at,
    )
    assert item.raw.description is None


def test_list_salary_in_cents_normalizes(spider):
    raw = json.loads(read("jobs-page1.json"))["items"][0]
    item = spider.to_item(raw, spider.boards[0])
    fields = normalize_posting({k: getattr(item.raw, k) for k in item.raw.__slots__}, NOW)
    assert (fields["salary"]["min"], fields["salary"]["max"]) == (70000, 90000)


def test_empty_board(spider):
    page(spider, PAGE, read("company.html"))
    page(spider, API.format(1), read("jobs-empty.json"), meta=api_meta(1))
    assert spider.runs[BOARD].outcome == "empty"


@pytest.mark.parametrize("fixture", ["company-gone.html", "company-placeholder.html"])
def test_soft_missing_company(spider, fixture):
    items, requests = page(spider, PAGE, read(fixture))
    assert (items, requests) == ([], [])
    run = spider.runs[BOARD]
    assert (run.outcome, run.reason, run.errors) == ("missing", "JOIN has no company page for this slug", 0)
    assert spider.crawler.stats.get_value("jobspiders/pages/missing") == 1
    assert spider.crawler.stats.get_value("jobspiders/boards/missing") == 1


@pytest.mark.parametrize(
    ("fixture", "missing"),
    [("company.html", False), ("company-gone.html", True), ("company-placeholder.html", True)],
)
def test_postings_of_the_company_page_say_whether_the_company_exists(spider, fixture, missing):
    data = spider.decode(fixture_response(PAGE, read(fixture), board=BOARD))
    if missing:
        with pytest.raises(BoardMissing):
            spider.postings(data, spider.boards[0])
    else:
        assert list(spider.postings(data, spider.boards[0])) == []


def test_api_pages_are_decoded_by_the_base(spider):
    response = fixture_response(API.format(1), read("jobs-page1.json"), board=BOARD, meta=api_meta(1))
    data = spider.decode(response)
    assert data["pagination"]["pageCount"] == 2
    assert [raw["id"] for raw in spider.postings(data, spider.boards[0])][:2] == [11000001, 11000002]
    assert spider.next_page(data, response, spider.boards[0]).url == API.format(2)


def test_http_404_is_missing(spider):
    response = fixture_response(PAGE, b"<html>404</html>", board=BOARD, status=404)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = response.request
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == "missing"


@pytest.mark.parametrize(
    ("url", "body", "meta", "reason"),
    [
        (PAGE, b"<html><body>We'll be right back</body></html>", None, "no __NEXT_DATA__"),
        (
            PAGE,
            b'<html><script id="__NEXT_DATA__">{"props": {}}</script></html>',
            None,
            "unexpected shape: KeyError",
        ),
        (API.format(1), b"<html><body>Too many requests</body></html>", api_meta(1), "expected JSON"),
        (API.format(1), b'{"items": [', api_meta(1), "expected JSON"),
        (API.format(1), b'{"error": "pageSize"}', api_meta(1), "unexpected shape: KeyError"),
    ],
)
def test_garbage_fails_the_board(spider, url, body, meta, reason):
    assert page(spider, url, body, meta=meta) == ([], [])
    run = spider.runs[BOARD]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason), run.reason
