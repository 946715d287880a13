from __future__ import annotations

import pytest

from jobspiders.spiders.lever import LeverSpider
from tests.conftest import FIXTURES, collect, fixture_response, start_requests


@pytest.fixture
def spider(make_spider, registry_file):
    path = registry_file(
        "- {name: Acme, ats: lever, token: acme}\n"
        "- {name: Euro, ats: lever, token: euro, host: jobs.eu.lever.co}\n"
    )
    return make_spider(LeverSpider, path)


def test_global_and_eu_hosts(spider):
    urls = [request.url for request in start_requests(spider)]
    assert urls == [
        "https://api.lever.co/v0/postings/acme?mode=json",
        "https://api.eu.lever.co/v0/postings/euro?mode=json",
    ]


def test_parses_postings(spider):
    body = (FIXTURES / "lever" / "ugly.json").read_bytes()
    response = fixture_response("https://api.lever.co/v0/postings/acme?mode=json", body, board="lever:acme")
    items, _ = collect(spider.parse_page(response))
    assert [item.job_id for item in items] == [
        "4c1ebdec-1111-4bcf-82d4-000000000001",
        "4c1ebdec-1111-4bcf-82d4-000000000002",
    ]
    first, second = items
    assert first.url == "https://jobs.lever.co/acme/4c1ebdec-1111-4bcf-82d4-000000000001"
    assert first.raw.location == ["São Paulo", "Remote - LATAM"]
    assert first.raw.country == "BR"
    assert first.raw.posted_at == 1763510400000
    assert first.raw.remote == "hybrid"
    assert first.raw.salary == {"currency": "BRL", "interval": "per-month-salary", "min": 15000, "max": 20000}
    assert first.raw.employment_type == "Full-time"
    # description, then each list as a section, then the closing text
    assert "<h3>Requirements</h3><ul><li>Node.js</li>" in first.raw.description
    assert first.raw.description.endswith("<div>Apply now.</div>")
    # no hostedUrl: the public page is built from the site and id
    assert second.url == "https://jobs.lever.co/acme/4c1ebdec-1111-4bcf-82d4-000000000002"
    assert second.raw.posted_at is None
    assert spider.crawler.stats.get_value("jobspiders/postings/invalid") == 1


def test_object_instead_of_list_fails(spider):
    response = fixture_response(
        "https://api.lever.co/v0/postings/acme?mode=json",
        b'{"ok": false, "error": "Document not found"}',
        board="lever:acme",
    )
    assert collect(spider.parse_page(response)) == ([], [])
    assert spider.runs["lever:acme"].reason == "expected a list of postings, got dict"


def test_unknown_site_answers_empty_list(spider):
    collect(
        spider.parse_page(
            fixture_response("https://api.lever.co/v0/postings/acme?mode=json", b"[]", board="lever:acme")
        )
    )
    assert spider.runs["lever:acme"].outcome == "empty"
