from __future__ import annotations

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.normalize.posting import normalize_posting
from jobspiders.spiders.recruitee import RecruiteeSpider
from tests.conftest import FIXTURES, NOW, collect, fixture_response, start_requests

URL = "https://northwind.recruitee.com/api/offers/"
CUSTOM_URL = "https://jobs.fabrikam.example/api/offers/"


@pytest.fixture
def spider(make_spider, registry_file):
    path = registry_file(
        "- {name: Northwind, website: https://northwind.example/, ats: recruitee, token: northwind}\n"
        "- {name: Fabrikam, ats: recruitee, token: fabrikam, host: jobs.fabrikam.example}\n"
    )
    return make_spider(RecruiteeSpider, path)


def offers():
    return (FIXTURES / "recruitee" / "offers.json").read_bytes()


def test_start_requests_slug_or_custom_domain(spider):
    requests = start_requests(spider)
    assert [(r.url, r.method) for r in requests] == [(URL, "GET"), (CUSTOM_URL, "GET")]
    assert requests[1].meta["board"] == "recruitee:fabrikam"


def test_parses_offers(spider):
    items, requests = collect(spider.parse_page(fixture_response(URL, offers(), board="recruitee:northwind")))
    assert requests == []
    assert [item.id for item in items] == [
        "recruitee:northwind:senior-backend-developer-go",
        "recruitee:northwind:backend-engineer-python-remote",
        "recruitee:northwind:werkstudent-marketing",
    ]
    go, python, student = items
    assert go.url == "https://northwind.recruitee.com/o/senior-backend-developer-go"
    assert go.raw.location == ["Berlin, Berlin, Germany", "Amsterdam, North Holland, Netherlands"]
    assert go.raw.country is None  # two countries: no single hint
    assert go.raw.description == "<p>Build Go services on PostgreSQL.</p>\n<ul><li>Kafka</li></ul>"
    assert go.raw.salary == {"min": "70000", "max": "90000", "period": "year", "currency": "EUR"}
    assert (go.raw.remote, go.raw.posted_at) == ("hybrid", "2026-11-16 08:15:00 UTC")
    assert go.raw.employment_type == "fulltime_permanent"

    assert python.raw.title == "Backend Engineer &amp; SRE | Python [Remote]"
    assert (python.raw.location, python.raw.country, python.raw.remote) == (["Remote"], None, "remote")
    assert python.raw.description == "&lt;p&gt;Python &amp;amp; Django&lt;/p&gt;"

    # no careers_url: the /o/ page is built; no published_at: created_at
    assert student.url == "https://northwind.recruitee.com/o/werkstudent-marketing"
    assert (student.raw.remote, student.raw.salary, student.raw.country) == (None, None, "DE")
    assert student.raw.posted_at == "2026-11-01 07:00:00 UTC"
    assert spider.crawler.stats.get_value("jobspiders/postings/invalid") == 1  # the offer without a title
    assert spider.runs["recruitee:northwind"].outcome == "ok"


def test_custom_domain_urls_stay_on_that_domain(spider):
    body = offers().replace(b"https://northwind.recruitee.com/o/senior-backend-developer-go", b"")
    items, _ = collect(spider.parse_page(fixture_response(CUSTOM_URL, body, board="recruitee:fabrikam")))
    assert items[0].url == "https://jobs.fabrikam.example/o/senior-backend-developer-go"
    assert items[0].id == "recruitee:fabrikam:senior-backend-developer-go"


def test_items_normalize(spider):
    items, _ = collect(spider.parse_page(fixture_response(URL, offers(), board="recruitee:northwind")))
    fields = [normalize_posting({k: getattr(i.raw, k) for k in i.raw.__slots__}, NOW) for i in items]
    assert [f["workplace"] for f in fields] == ["hybrid", "remote", "onsite"]
    assert [f["posted_at"] for f in fields] == [
        "2026-11-16T08:15:00Z",
        "2026-11-13T14:00:00Z",
        "2026-11-01T07:00:00Z",
    ]
    assert (fields[0]["salary"]["min"], fields[0]["salary"]["currency"]) == (70000, "EUR")
    assert fields[1]["salary"] is None  # a salary object of nulls
    assert [f["employment_type"] for f in fields] == ["full-time", "contract", "internship"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><head><title>Recruitee</title></head></html>", "expected JSON, got an HTML page"),
        (b'{"offers": [{"id": 1', "expected JSON, got invalid JSON"),
        (b'["offers"]', "unexpected shape: TypeError"),
        (b'{"error": "not found"}', "unexpected shape: KeyError"),
    ],
)
def test_garbage_fails_the_board(spider, body, reason):
    items, _ = collect(spider.parse_page(fixture_response(URL, body, board="recruitee:northwind")))
    assert items == []
    run = spider.runs["recruitee:northwind"]
    assert (run.outcome, run.reason.startswith(reason)) == ("failed", True)


@pytest.mark.parametrize(("status", "outcome"), [(404, "missing"), (503, "failed")])
def test_http_errors(spider, status, outcome):
    response = fixture_response(URL, b'{"error": "Not found"}', board="recruitee:northwind", status=status)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = response.request
    spider.page_failed(failure)
    assert spider.runs["recruitee:northwind"].outcome == outcome


def test_empty_board(spider):
    collect(spider.parse_page(fixture_response(URL, b'{"offers": []}', board="recruitee:northwind")))
    assert spider.runs["recruitee:northwind"].outcome == "empty"
