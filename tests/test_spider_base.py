"""The shared machinery of AtsSpider and its helpers, on a minimal ATS defined here."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest
from scrapy.settings import Settings

from jobspiders.items import RawPosting
from jobspiders.spiders.base import AtsSpider, BoardMissing
from jobspiders.spiders.jsonld import job_postings, raw_posting
from tests.conftest import collect, fixture_response, start_requests


class PostSpider(AtsSpider):
    name = "postats"
    host_limits: ClassVar = {"api.postats.example": {"concurrency": 1, "delay": 2.0}}

    def board_requests(self, board):
        yield self.request(f"https://api.postats.example/{board.token}/jobs", board, json_body={"limit": 20})

    def postings(self, data, board):
        return data["results"]

    def to_item(self, raw, board):
        return self.job(
            board, job_id=raw.get("id"), title=raw.get("title"), url=raw.get("url"), raw=RawPosting()
        )


@pytest.fixture
def spider(make_spider, registry_file):
    return make_spider(PostSpider, registry_file("- {name: Acme, ats: postats, token: acme}\n"))


def test_json_post_requests(spider):
    (request,) = start_requests(spider)
    assert request.method == "POST"
    assert json.loads(request.body) == {"limit": 20}
    assert request.headers["Content-Type"] == b"application/json"
    assert request.meta["board"] == "postats:acme"


def test_requests_to_limited_hosts_keep_their_delay(spider):
    (request,) = start_requests(spider)
    assert request.meta["autothrottle_dont_adjust_delay"] is True
    other = spider.request("https://elsewhere.example/x", spider.boards[0])
    assert "autothrottle_dont_adjust_delay" not in other.meta


def test_host_limits_become_download_slots():
    settings = Settings({"DOWNLOAD_SLOTS": {"other.example": {"concurrency": 3}}})
    PostSpider.update_settings(settings)
    assert settings.getdict("DOWNLOAD_SLOTS") == {
        "other.example": {"concurrency": 3},
        "api.postats.example": {"concurrency": 1, "delay": 2.0},
    }


def test_repeated_job_ids_are_emitted_once(spider):
    body = json.dumps(
        {
            "results": [
                {"id": "1", "title": "Backend Engineer", "url": "https://x.example/1"},
                {"id": "1", "title": "Backend Engineer", "url": "https://x.example/1?location=2"},
                {"id": "", "title": "No id", "url": "https://x.example/"},
            ]
        }
    )
    items, _ = collect(
        spider.parse_page(
            fixture_response("https://api.postats.example/acme/jobs", body, board="postats:acme")
        )
    )
    assert [item.id for item in items] == ["postats:acme:1"]
    stats = spider.crawler.stats
    assert stats.get_value("jobspiders/postings/repeated") == 1
    assert stats.get_value("jobspiders/postings/invalid") == 1


def test_bad_shard_argument_fails_before_any_request(make_spider, registry_file):
    with pytest.raises(ValueError, match="shard must look like I/N"):
        make_spider(PostSpider, registry_file("- {name: Acme, ats: postats, token: acme}\n"), shard="half")


def test_shard_and_company_select_boards(make_spider, registry_file):
    path = registry_file("".join(f"- {{name: C{i}, ats: postats, token: t{i}}}\n" for i in range(30)))
    shards = [{b.token for b in make_spider(PostSpider, path, shard=f"{i}/3").boards} for i in (1, 2, 3)]
    assert sum(map(len, shards)) == 30
    assert set.union(*shards) == {f"t{i}" for i in range(30)}
    assert [b.token for b in make_spider(PostSpider, path, company="T3,t7").boards] == ["t3", "t7"]


PAGE = """<html><head>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
  {"@type": "Organization", "name": "Acme"},
  {"@type": "JobPosting", "title": "Backend Developer", "datePosted": "2026-11-18",
   "description": "&lt;p&gt;Go&lt;/p&gt;", "employmentType": ["FULL_TIME", "CONTRACTOR"],
   "hiringOrganization": {"@type": "Organization", "name": "Acme GmbH"},
   "jobLocation": [{"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Berlin",
                    "addressCountry": {"@type": "Country", "name": "DE"}}},
                   {"@type": "Place", "address": "Remote, Europe"}],
   "jobLocationType": "TELECOMMUTE",
   "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR",
                  "value": {"@type": "QuantitativeValue", "minValue": 60000, "maxValue": 80000,
                            "unitText": "YEAR"}}}
]}</script>
<script type="application/ld+json">{not json</script>
<script type="application/ld+json">[{"@type": ["JobPosting"], "title": "Second"}]</script>
</head></html>"""


def test_jsonld_job_postings():
    postings = job_postings(PAGE)
    assert [posting["title"] for posting in postings] == ["Backend Developer", "Second"]
    raw = raw_posting(postings[0])
    assert raw.location == ["Berlin, DE", "Remote, Europe"]
    assert raw.company == "Acme GmbH"
    assert raw.remote == "remote"
    assert raw.posted_at == "2026-11-18"
    assert raw.employment_type == "FULL_TIME, CONTRACTOR"
    assert raw.salary["value"]["minValue"] == 60000
    assert raw_posting(postings[1]).location is None
    street = {
        "jobLocation": {
            "address": {"addressLocality": "", "streetAddress": "Göteborg, Sweden", "addressCountry": "SE"}
        }
    }
    assert raw_posting(street).location == ["Göteborg, Sweden"]
    assert job_postings("<html>no scripts</html>") == []


class PageThenApiSpider(PostSpider):
    name = "pageats"
    response_format = "html"

    def postings(self, data, board):
        if isinstance(data, dict):
            return data["results"]
        if data.css("h1.not-found"):
            raise BoardMissing(f"{board.token}: the page says the company does not exist")
        return []


def test_per_request_format_and_board_missing(make_spider, registry_file):
    spider = make_spider(
        PageThenApiSpider,
        registry_file("- {name: A, ats: pageats, token: a}\n- {name: B, ats: pageats, token: b}\n"),
    )
    page = fixture_response(
        "https://pageats.example/a", b"<html><h1 class=not-found>Nope</h1></html>", board="pageats:a"
    )
    page.headers["Content-Type"] = b"text/html"
    assert collect(spider.parse_page(page)) == ([], [])
    assert (spider.runs["pageats:a"].outcome, spider.runs["pageats:a"].reason) == (
        "missing",
        "a: the page says the company does not exist",
    )
    api = fixture_response(
        "https://pageats.example/api/b",
        b'{"results": [{"id": "1", "title": "T", "url": "https://x.example/1"}]}',
        board="pageats:b",
        meta={"response_format": "json"},
    )
    items, _ = collect(spider.parse_page(api))
    assert [item.id for item in items] == ["pageats:b:1"]
