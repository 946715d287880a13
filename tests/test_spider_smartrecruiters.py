from __future__ import annotations

import pytest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.spiders.smartrecruiters import SmartRecruitersSpider
from tests.conftest import FIXTURES, collect, fixture_response, start_requests

API = "https://api.smartrecruiters.com/v1/companies/Acme/postings"


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(
        SmartRecruitersSpider, registry_file("- {name: Acme, ats: smartrecruiters, token: Acme}\n")
    )


def read(name):
    return (FIXTURES / "smartrecruiters" / name).read_bytes()


def test_pages_details_and_items(spider):
    (start,) = start_requests(spider)
    assert start.url == f"{API}?limit=100&offset=0"
    items, requests = collect(
        spider.parse_page(fixture_response(start.url, read("page1.json"), board="smartrecruiters:Acme"))
    )
    assert items == []
    assert [r.url for r in requests] == [
        f"{API}/744000000000001",
        f"{API}/744000000000002",
        f"{API}?limit=100&offset=2",
    ]
    detail_1, detail_2, page_2 = requests
    assert detail_1.callback == spider.parse_detail

    items, _ = collect(
        spider.parse_detail(
            fixture_response(
                detail_1.url,
                read("detail-744000000000001.json"),
                board="smartrecruiters:Acme",
                meta=detail_1.meta,
            )
        )
    )
    (item,) = items
    assert item.id == "smartrecruiters:Acme:744000000000001"
    assert item.url == "https://jobs.smartrecruiters.com/Acme/744000000000001-backend-engineer-java-"
    assert item.raw.remote == "hybrid"
    assert item.raw.country == "lv"
    assert item.raw.location == "Riga, Riga, Latvia"
    assert item.raw.employment_type == "Full-time"
    assert "<h3>Job Description</h3><p>Java 21, Spring Boot" in item.raw.description

    # a detail that fails: the posting is still published from the list data
    response = fixture_response(
        detail_2.url, b"{}", board="smartrecruiters:Acme", status=404, meta=detail_2.meta
    )
    failure = Failure(HttpError(response, "404"))
    failure.request = detail_2
    items, _ = collect(spider.detail_failed(failure))
    (item,) = items
    assert item.raw.remote == "remote"
    assert item.raw.description is None
    assert item.url == "https://jobs.smartrecruiters.com/Acme/744000000000002"
    assert spider.crawler.stats.get_value("jobspiders/details/failed") == 1

    items, requests = collect(
        spider.parse_page(fixture_response(page_2.url, read("page2.json"), board="smartrecruiters:Acme"))
    )
    assert [r.url for r in requests] == [f"{API}/744000000000003"]  # last page: no further page
    run = spider.runs["smartrecruiters:Acme"]
    assert run.outcome is None  # one detail still pending
    collect(
        spider.parse_detail(
            fixture_response(
                requests[0].url, b'{"jobAd": {}}', board="smartrecruiters:Acme", meta=requests[0].meta
            )
        )
    )
    assert (run.outcome, len(run.job_ids), run.pages) == ("ok", 3, 2)


def test_onsite_when_flags_are_false(spider):
    body = read("page2.json")
    raw = __import__("json").loads(body)["content"][0]
    assert spider.to_item(raw, spider.boards[0]).raw.remote == "onsite"


def test_empty_board(spider):
    collect(
        spider.parse_page(
            fixture_response(
                f"{API}?limit=100&offset=0",
                b'{"offset":0,"limit":100,"totalFound":0,"content":[]}',
                board="smartrecruiters:Acme",
            )
        )
    )
    assert spider.runs["smartrecruiters:Acme"].outcome == "empty"
