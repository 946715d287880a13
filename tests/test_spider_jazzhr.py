from __future__ import annotations

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.normalize.posting import normalize_posting
from jobspiders.spiders.jazzhr import JazzhrSpider
from tests.conftest import FIXTURES, NOW, collect, fixture_response, start_requests

LIST = "https://iriumportugal.applytojob.com/apply/jobs"
BOARD = "jazzhr:iriumportugal"


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(
        JazzhrSpider,
        registry_file(
            "- {name: IRIUM Portugal, website: https://irium.pt/, ats: jazzhr, token: iriumportugal}\n"
        ),
    )


def read(name):
    return (FIXTURES / "jazzhr" / name).read_bytes()


def list_page(spider, body):
    return collect(spider.parse_page(fixture_response(LIST, body, board=BOARD)))


def detail(spider, request, body):
    response = fixture_response(request.url, body, board=BOARD, meta=request.meta)
    return collect(spider.parse_detail(response))[0]


def fields(item):
    return normalize_posting({k: getattr(item.raw, k) for k in item.raw.__slots__}, NOW)


def test_start_request(spider):
    (request,) = start_requests(spider)
    assert (request.url, request.method) == (LIST, "GET")
    assert request.headers["Accept"].startswith(b"text/html")


def test_table_rows_then_job_pages(spider):
    items, requests = list_page(spider, read("jobs.html"))
    assert items == []  # the row without a link is invalid; the others wait for their job pages
    assert [r.url for r in requests] == [
        "https://iriumportugal.applytojob.com/apply/AbC123xyZ9",
        "https://iriumportugal.applytojob.com/apply/QwE987rtY6",
        "https://iriumportugal.applytojob.com/apply/Zx81Lm0Pq2",
    ]  # the mobile copies of the rows (div, not tr) are not listed again
    assert spider.crawler.stats.get_value("jobspiders/postings/invalid") == 1
    first, second, third = requests
    assert first.meta["posting"] == {
        "id": "AbC123xyZ9",
        "title": "Backend Developer (Java/Spring) - Remote",
        "department": "Engineering",
        "location": "Lisboa, Lisboa, Portugal",
    }

    (item,) = detail(spider, first, read("job-AbC123xyZ9.html"))
    assert item.id == "jazzhr:iriumportugal:AbC123xyZ9"
    assert item.url == "https://iriumportugal.applytojob.com/apply/AbC123xyZ9"
    assert item.raw.location == "Lisboa, Lisboa, Portugal"
    assert item.raw.employment_type == "Full Time"  # the page's own label, finer than FULL_TIME
    assert item.raw.posted_at == "2026-11-16"
    assert item.raw.remote == "remote"
    assert item.raw.salary["value"]["maxValue"] == 42000
    assert item.raw.description.startswith('<div id="job-description"')
    assert "First Name" not in item.raw.description
    normalized = fields(item)
    assert (normalized["salary"]["min"], normalized["salary"]["currency"]) == (32000, "EUR")
    assert (normalized["workplace"], normalized["posted_at"]) == ("remote", "2026-11-16T00:00:00Z")

    # classic theme, no JSON-LD: no date nor salary, the labelled type and description still count
    (item,) = detail(spider, second, read("job-QwE987rtY6.html"))
    assert item.raw.title.strip() == "Programador(a) Back-End & APIs"
    assert item.raw.location.strip() == "Porto,   Portugal"
    assert item.raw.employment_type == "Type: Contracted to Full Time"
    assert "NestJS" in item.raw.description
    assert (item.raw.posted_at, item.raw.salary, item.raw.remote) == (None, None, None)
    assert fields(item)["employment_type"] == "contract"

    # a job page that is gone (410): the list fields are published
    failure = Failure(HttpError(fixture_response(third.url, b"", board=BOARD, status=410), "gone"))
    failure.request = third
    (item,) = collect(spider.detail_failed(failure))[0]
    assert (item.raw.title, item.raw.location, item.raw.description) == ("Sales Manager", None, None)
    run = spider.runs[BOARD]
    assert (run.outcome, sorted(run.job_ids)) == ("ok", ["AbC123xyZ9", "QwE987rtY6", "Zx81Lm0Pq2"])


def test_empty_board(spider):
    assert list_page(spider, read("empty.html")) == ([], [])
    assert spider.runs[BOARD].outcome == "empty"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body><h1>Attention Required! | Cloudflare</h1></body></html>", "no #jobs_table"),
        # "no longer active" in the text but not as JazzHR's page heading: not the departed-tenant page
        (b"<html><body><p>This offer is no longer active.</p></body></html>", "no #jobs_table"),
        (b'{"jobs": []}', "unexpected shape"),
        (b"", "empty or binary response"),
    ],
)
def test_pages_without_the_job_table_fail(spider, body, reason):
    assert list_page(spider, body) == ([], [])
    run = spider.runs[BOARD]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason), run.reason


INACTIVE = read("inactive.html").decode()


@pytest.mark.parametrize(
    "body",
    [
        INACTIVE,  # a departed tenant answers 200 with JazzHR's inactive career page
        INACTIVE.replace("<h1>This career page is no longer active.</h1>", ""),  # the title alone
        INACTIVE.replace("JazzHR - Inactive Career Page", "Careers"),  # the heading alone
    ],
)
def test_departed_tenant_is_missing(spider, body):
    assert list_page(spider, body) == ([], [])
    run = spider.runs[BOARD]
    assert (run.outcome, run.reason) == ("missing", "JazzHR says this career page is no longer active")
    assert spider.crawler.stats.get_value("jobspiders/boards/missing") == 1
    assert spider.crawler.stats.get_value("jobspiders/pages/failed") is None


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (403, "failed"), (500, "failed")])
def test_http_errors(spider, status, outcome):
    response = fixture_response(LIST, b"<html></html>", board=BOARD, status=status)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = response.request
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome
