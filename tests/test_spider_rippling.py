from __future__ import annotations

import json

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.spiders.rippling import RipplingSpider, workplace
from tests.conftest import FIXTURES, SAMPLES, collect, fixture_response, start_requests

API = "https://api.rippling.com/platform/api/ats/v1/board/cbtsindia/jobs"
BOARD = "rippling:cbtsindia"
JAVA = "5a96ce02-5a73-449a-82bd-986e1d1ac69f"
SALES = "0c3e7a11-2f4b-4c8e-9d1a-7b6f5e4d3c21"
PLATFORM = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(
        RipplingSpider,
        registry_file("- {name: CBTS, website: https://www.cbts.com/, ats: rippling, token: cbtsindia}\n"),
    )


def read(name):
    return (FIXTURES / "rippling" / name).read_bytes()


def detail(spider, request, body, status=200):
    response = fixture_response(request.url, body, board=BOARD, status=status, meta=request.meta)
    if status != 200:
        failure = Failure(HttpError(response, "error"))
        failure.request = request
        return collect(spider.detail_failed(failure))[0]
    return collect(spider.parse_detail(response))[0]


def test_start_request(spider):
    (request,) = start_requests(spider)
    assert (request.method, request.url) == ("GET", API)
    assert request.headers["Accept"] == b"application/json"


def test_rows_of_one_job_merge_then_details_complete_them(spider):
    items, requests = collect(spider.parse_page(fixture_response(API, read("list.json"), board=BOARD)))
    assert items == []
    # one detail request per job, not per row; the uuid-less and non-object rows are invalid
    assert [r.url for r in requests] == [f"{API}/{JAVA}", f"{API}/{SALES}", f"{API}/{PLATFORM}"]
    assert spider.crawler.stats.get_value("jobspiders/postings/invalid") == 2
    java_request, sales_request, platform_request = requests
    assert java_request.meta["posting"]["locations"] == ["Hybrid (Bengaluru, KA, IN)", "Hyderabad, TS, IN"]

    (java,) = detail(spider, java_request, read(f"detail-{JAVA}.json"))
    assert (java.id, java.company, java.title) == (
        f"rippling:cbtsindia:{JAVA}",
        "CBTS",
        "Senior Backend Developer (Java &amp; Spring Boot)",
    )
    assert java.url == f"https://ats.rippling.com/cbtsindia/jobs/{JAVA}"
    raw = java.raw
    assert raw.location == ["Hybrid (Bengaluru, KA, IN)", "Hyderabad, TS, IN"]
    assert raw.remote == "hybrid"
    assert raw.posted_at == "2026-11-16T10:00:00.000000+05:30"
    assert raw.employment_type == "Salaried, full-time"
    assert raw.salary == [{"min": 2400000, "max": 3600000, "currency": "INR", "period": "YEAR"}]
    assert raw.description.startswith("<p>Build REST microservices")  # role first, then the company
    assert raw.description.endswith("integrator.</p>")

    # a failed detail: the list row alone, with the hosted page built for its javascript: URL
    (sales,) = detail(spider, sales_request, b"{}", status=500)
    assert sales.url == f"https://ats.rippling.com/cbtsindia/jobs/{SALES}"
    assert (sales.raw.location, sales.raw.remote) == (["Remote (United States)"], "remote")
    assert (sales.raw.description, sales.raw.posted_at) == (None, None)

    (platform,) = detail(spider, platform_request, read(f"detail-{PLATFORM}.json"))
    assert platform.title == "  Platform   Engineer  "  # cleaned later by the pipeline
    assert platform.raw.description == "&lt;p&gt;Kubernetes &amp;amp; Terraform&lt;/p&gt;"
    assert (platform.raw.location, platform.raw.remote, platform.raw.salary) == (None, None, None)
    assert platform.raw.employment_type is None
    run = spider.runs[BOARD]
    assert (run.outcome, len(run.job_ids)) == ("ok", 3)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["Remote (United States)"], "remote"),
        (["Hybrid (New York, New York, US)", "Remote (US)"], "hybrid"),
        (["San Francisco, CA"], "onsite"),
        ([], None),
    ],
)
def test_workplace_from_labels(labels, expected):
    assert workplace(labels) == expected


def test_real_sample_rows_merge(spider):
    sample = SAMPLES / "rippling" / "board-jobs-list-sanitized.json"
    if not sample.exists():
        pytest.skip("shared samples not beside this checkout")
    (job,) = spider.postings(json.loads(sample.read_text()), spider.boards[0])
    assert job["locations"] == ["Remote (New Jersey, US)", "New York, NY"]


def test_empty_board(spider):
    collect(spider.parse_page(fixture_response(API, b"[]", board=BOARD)))
    assert spider.runs[BOARD].outcome == "empty"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>Maintenance</body></html>", "expected JSON, got an HTML page"),
        (b"[{", "expected JSON, got invalid JSON"),
        (b'{"error": "RESOURCE_NOT_FOUND"}', "expected a list of jobs"),
    ],
)
def test_garbage_fails_the_board(spider, body, reason):
    items, requests = collect(spider.parse_page(fixture_response(API, body, board=BOARD)))
    assert items == requests == []
    run = spider.runs[BOARD]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason)


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (500, "failed")])
def test_http_errors(spider, status, outcome):
    response = fixture_response(API, b'{"error": "RESOURCE_NOT_FOUND"}', board=BOARD, status=status)
    failure = Failure(HttpError(response, "error"))
    failure.request = response.request
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome
