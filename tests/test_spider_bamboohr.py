from __future__ import annotations

import json
import subprocess
import sys

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.normalize.posting import normalize_posting
from jobspiders.spiders.bamboohr import BamboohrSpider
from jobspiders.standin import Route, StandinServer
from tests.conftest import FIXTURES, NOW, NOW_ISO, ROOT, collect, fixture_response, start_requests

LIST = "https://flyio.bamboohr.com/careers/list"
BOARD = "bamboohr:flyio"
MARKETING = "https://www.bamboohr.com/"


@pytest.fixture
def spider(make_spider, registry_file):
    registry = registry_file("- {name: Fly.io, website: https://fly.io/, ats: bamboohr, token: flyio}\n")
    return make_spider(BamboohrSpider, registry)


def read(name):
    return (FIXTURES / "bamboohr" / name).read_bytes()


def rows():
    return {raw["id"]: raw for raw in json.loads(read("list.json"))["result"]}


def list_page(spider, body, url=LIST, meta=None):
    return collect(spider.parse_page(fixture_response(url, body, board=BOARD, meta=meta)))


def detail(spider, request, body, url=None, meta=None):
    response = fixture_response(url or request.url, body, board=BOARD, meta={**request.meta, **(meta or {})})
    return collect(spider.parse_detail(response))[0]


def fields(item):
    return normalize_posting({k: getattr(item.raw, k) for k in item.raw.__slots__}, NOW)


def test_start_request(spider):
    (request,) = start_requests(spider)
    assert (request.url, request.method, request.body) == (LIST, "GET", b"")
    assert request.headers["Accept"] == b"application/json"


def test_list_then_one_detail_request_per_job(spider):
    items, requests = list_page(spider, read("list.json"))
    assert items == []  # every posting waits for its detail (the list has no date nor description)
    assert [r.url for r in requests] == [f"{LIST[:-4]}{n}/detail" for n in range(35, 40)]
    assert all(r.callback == spider.parse_detail for r in requests)
    assert all(r.headers["Accept"] == b"application/json" for r in requests)
    assert requests[0].meta["posting"] == rows()["35"]
    assert spider.runs[BOARD].pages == 1  # one list, no pagination


def test_detail_completes_the_posting(spider):
    _, requests = list_page(spider, read("list.json"))
    (item,) = detail(spider, requests[0], read("detail-35.json"))
    assert (item.id, item.url) == ("bamboohr:flyio:35", "https://flyio.bamboohr.com/careers/35")
    assert item.raw.title == "Senior Backend Engineer (Elixir)"
    assert item.raw.location == "Denver, Colorado, United States"
    assert (item.raw.remote, item.raw.employment_type) == ("remote", "Full-Time")
    assert (item.raw.posted_at, item.raw.salary) == ("2026-11-16", "$150,000 - $185,000 per year")
    assert item.raw.description.startswith("<p><strong>About the role")
    normalized = fields(item)
    assert (normalized["workplace"], normalized["posted_at"]) == ("remote", "2026-11-16T00:00:00Z")
    assert (normalized["salary"]["min"], normalized["salary"]["max"]) == (150000, 185000)
    assert normalized["salary"]["currency"] == "USD"
    assert "control plane in Elixir and Go" in normalized["description"]

    # nulls in the detail keep the list's values; no share URL builds the tenant's job page URL
    (item,) = detail(spider, requests[1], read("detail-36.json"))
    assert item.url == "https://flyio.bamboohr.com/careers/36"
    assert item.raw.location == "Lisbon , Lisboa, Portugal"  # the office, with the detail's country
    assert (item.raw.remote, item.raw.salary, item.raw.posted_at) == ("hybrid", None, "2026-11-12")
    normalized = fields(item)
    assert normalized["title"] == "Backend Developer & Integrations (Python / Django)"
    assert normalized["description"] == "Integrations with Django REST Framework & Celery."
    assert normalized["locations"][0]["country"] == "PT"


@pytest.mark.parametrize(
    ("job_id", "location", "remote", "employment_type", "workplace"),
    [
        ("35", "Denver, Colorado, United States", "remote", "Full-Time", "remote"),
        ("36", "Lisbon , Lisboa", "hybrid", "Full Time", "hybrid"),
        ("37", "provo , Utah", "onsite", "Part-Time", "onsite"),
        ("38", None, None, None, "onsite"),  # no location, no type, no workplace code
        ("39", "Poland, Poland, Poland", True, "Contractor", "remote"),  # isRemote beats locationType "0"
    ],
)
def test_list_rows_map_without_their_detail(spider, job_id, location, remote, employment_type, workplace):
    item = spider.to_item(rows()[job_id], spider.boards[0])
    assert item.url == f"https://flyio.bamboohr.com/careers/{job_id}"
    assert (item.raw.location, item.raw.remote) == (location, remote)
    assert item.raw.employment_type == employment_type
    assert (item.raw.posted_at, item.raw.description, item.raw.salary) == (None, None, None)
    assert fields(item)["workplace"] == workplace


@pytest.mark.parametrize(
    ("body", "meta"),
    [
        (b"", None),  # 404 below
        (b'{"result": {"error": "not found"}}', None),
        # a detail redirected off the tenant: whatever answers there is not this job
        (read("detail-35.json"), {"redirect_urls": ["https://flyio.bamboohr.com/careers/38/detail"]}),
    ],
)
def test_a_failed_detail_keeps_the_list_data(spider, body, meta):
    _, requests = list_page(spider, read("list.json"))
    request = requests[3]
    if body:
        (item,) = detail(spider, request, body, url=MARKETING if meta else None, meta=meta)
    else:
        failure = Failure(HttpError(fixture_response(request.url, b"", board=BOARD, status=404), "gone"))
        failure.request = request
        (item,) = collect(spider.detail_failed(failure))[0]
    assert (item.job_id, item.raw.title, item.raw.description) == ("38", "Platform Engineer (Go)", None)
    assert spider.crawler.stats.get_value("jobspiders/details/failed") == 1
    assert spider.runs[BOARD].outcome is None  # four more details pending


def test_empty_board(spider):
    assert list_page(spider, read("empty.json")) == ([], [])
    assert spider.runs[BOARD].outcome == "empty"


def test_redirect_off_the_tenant_is_missing(spider):
    page = b"<!DOCTYPE html><html><title>BambooHR | HR Software</title></html>"
    assert list_page(spider, page, url=MARKETING, meta={"redirect_urls": [LIST]}) == ([], [])
    run = spider.runs[BOARD]
    assert (run.outcome, run.errors) == ("missing", 0)
    assert run.reason == f"no such board: redirected off flyio.bamboohr.com to {MARKETING}"


def test_redirect_within_the_tenant_is_followed(spider):
    meta = {"redirect_urls": ["http://flyio.bamboohr.com/careers/list"]}
    _, requests = list_page(spider, read("list.json"), meta=meta)
    assert len(requests) == 5
    assert spider.runs[BOARD].outcome is None


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (403, "failed"), (500, "failed")])
def test_http_errors(spider, status, outcome):
    response = fixture_response(LIST, b"<html></html>", board=BOARD, status=status)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = response.request
    spider.page_failed(failure)
    assert spider.runs[BOARD].outcome == outcome


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><body>Careers</body></html>", "expected JSON, got an HTML page"),
        (b'{"meta": {"totalCount": 2}, "result": [', "expected JSON, got invalid JSON"),
        (b'{"error": "Forbidden"}', "unexpected shape: KeyError"),
        (b'{"meta": {}, "result": {"id": "35"}}', "expected a list of postings"),
    ],
)
def test_garbage_fails_the_board(spider, body, reason):
    assert list_page(spider, body) == ([], [])
    run = spider.runs[BOARD]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason), run.reason


def test_crawl_follows_the_redirect_and_ends_missing(tmp_path):
    """A real crawl through the stand-in: Scrapy follows BambooHR's redirect off the tenant (mirrored too)."""
    registry = tmp_path / "companies.yml"
    registry.write_text(
        "- {name: Gone, ats: bamboohr, token: gone}\n- {name: Fly.io, ats: bamboohr, token: flyio}\n"
    )
    routes = [
        Route(
            url="https://gone.bamboohr.com/careers/list",
            status=302,
            headers={"Location": MARKETING},
            body=b"",
        ),
        Route(url=MARKETING, body=b"<html><title>BambooHR</title></html>", content_type="text/html"),
        Route(url=LIST, body=read("empty.json")),
    ]
    settings = {"JOBS_NOW": NOW_ISO, "JOBS_DB": tmp_path / "jobs.db", "OUTPUT_DIR": tmp_path / "out"}
    with StandinServer(routes) as server:
        options = [f"{k}={v}" for k, v in {**settings, "ATS_MIRROR": server.base_url}.items()]
        command = [sys.executable, "-m", "scrapy", "crawl", "bamboohr", "-a", f"companies={registry}"]
        result = subprocess.run(
            [*command, *(arg for option in options for arg in ("-s", option))],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert ("GET", MARKETING) in server.requests, result.stderr[-2000:]
    boards = json.loads((tmp_path / "out" / "health.json").read_text())["ats"]["bamboohr"]["boards"]
    assert boards["gone"]["outcome"] == "missing"
    assert boards["gone"]["reason"] == f"no such board: redirected off gone.bamboohr.com to {MARKETING}"
    assert boards["flyio"]["outcome"] == "empty"
