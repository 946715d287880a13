from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from scrapy.http import Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.posting import normalize_posting
from jobspiders.pipelines.incremental import raw_hash
from jobspiders.spiders.greenhouse import GreenhouseSpider
from jobspiders.store import open_store
from tests.conftest import FIXTURES, NOW, collect, fixture_response, start_requests

URL = "https://boards-api.greenhouse.io/v1/boards/northwind/jobs?content=true&pay_transparency=true"


@pytest.fixture
def spider(make_spider, registry_file):
    path = registry_file(
        "- {name: Northwind, website: https://northwind.example/, ats: greenhouse, token: northwind}\n"
        "- {name: Other, ats: lever, token: other}\n"
    )
    return make_spider(GreenhouseSpider, path)


def test_start_requests_one_list_per_board(spider):
    requests = start_requests(spider)
    assert [request.url for request in requests] == [URL]
    assert requests[0].headers["Accept"] == b"application/json"


def test_parses_ugly_board(spider):
    body = (FIXTURES / "greenhouse" / "ugly.json").read_bytes()
    items, requests = collect(spider.parse_page(fixture_response(URL, body, board="greenhouse:northwind")))
    assert requests == []
    assert [item.id for item in items] == ["greenhouse:northwind:5550001", "greenhouse:northwind:5550002"]
    first, second = items
    # javascript: URLs are replaced by the Greenhouse-hosted page
    assert first.url == "https://job-boards.greenhouse.io/northwind/jobs/5550001"
    assert second.url == "https://northwind.example/careers?gh_jid=5550002"
    assert (first.company, first.company_url, first.board, first.ats) == (
        "Northwind",
        "https://northwind.example/",
        "northwind",
        "greenhouse",
    )
    raw = first.raw
    assert raw.title == "Senior Backend Engineer &amp; SRE | Payments [Go]"  # cleaned later, by the pipeline
    assert raw.posted_at == "2026-11-18T09:30:00-04:00"
    assert raw.remote == "Hybrid"
    assert raw.employment_type == "Regular"
    assert raw.location == "Berlin, Germany; Berlin, Germany"
    assert [zone["min_cents"] for zone in raw.salary] == [9000000, 7000000]
    assert raw.description.startswith("&lt;p&gt;")
    # no first_published: the update date is the best date there is
    assert second.raw.posted_at == "2026-11-10T10:00:00Z"
    assert second.raw.salary is None
    assert second.raw.description is None
    stats = spider.crawler.stats
    assert stats.get_value("jobspiders/postings/invalid") == 3
    assert stats.get_value("jobspiders/postings/ok") == 2
    run = spider.runs["greenhouse:northwind"]
    assert (run.outcome, run.job_ids) == ("ok", {"5550001", "5550002"})


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>Service unavailable</body></html>", "expected JSON, got an HTML page"),
        (b'{"jobs": [', "expected JSON, got invalid JSON"),
        (b"[]", "unexpected shape: TypeError"),
        (b'{"meta": {}}', "unexpected shape: KeyError"),
        (b"", "empty or binary response"),
    ],
)
def test_bad_payload_fails_the_board(spider, body, reason, caplog):
    items, _ = collect(spider.parse_page(fixture_response(URL, body, board="greenhouse:northwind")))
    assert items == []
    run = spider.runs["greenhouse:northwind"]
    assert run.outcome == "failed"
    assert run.reason.startswith(reason)
    assert spider.crawler.stats.get_value("jobspiders/boards/failed") == 1  # the board is finished
    assert "greenhouse:northwind" in caplog.text


@pytest.mark.parametrize(
    ("status", "outcome"), [(404, "missing"), (410, "missing"), (500, "failed"), (403, "failed")]
)
def test_http_errors(spider, status, outcome):
    response = fixture_response(URL, b"{}", board="greenhouse:northwind", status=status)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = response.request
    spider.page_failed(failure)
    run = spider.runs["greenhouse:northwind"]
    assert run.outcome == outcome
    assert spider.crawler.stats.get_value(f"jobspiders/boards/{outcome}") == 1


def test_empty_board(spider):
    collect(
        spider.parse_page(
            fixture_response(URL, b'{"jobs": [], "meta": {"total": 0}}', board="greenhouse:northwind")
        )
    )
    assert spider.runs["greenhouse:northwind"].outcome == "empty"


def test_a_cut_emoji_does_not_lose_the_posting(spider, tmp_path):
    # "\ud83d" alone (an emoji cut in two) is accepted by json.loads but no UTF-8 encoder takes it: the
    # normalizers, raw_hash and the store would have failed on the posting.
    body = json.dumps(
        {
            "jobs": [
                {
                    "id": 77,
                    "title": "Backend Engineer \ud83d",
                    "absolute_url": "https://job-boards.greenhouse.io/northwind/jobs/77",
                    "location": {"name": "Berlin \udc00, Germany"},
                    "content": "&lt;p&gt;Go \ud83d\ude80 and PostgreSQL \ud83d&lt;/p&gt;",
                    "updated_at": "2026-11-18T09:30:00Z",
                }
            ]
        }
    )  # ensure_ascii: the escapes as an ATS sends them, the rocket as a valid pair
    assert "\\ud83d\\ude80" in body
    items, _ = collect(spider.parse_page(fixture_response(URL, body, board="greenhouse:northwind")))
    (item,) = items
    assert item.raw.title == "Backend Engineer \ufffd"
    assert item.raw.location == "Berlin \ufffd, Germany"
    assert "Go \U0001f680 and PostgreSQL \ufffd" in item.raw.description
    assert raw_hash(item)
    fields = normalize_posting(asdict(item.raw), NOW)
    assert fields["title"] == "Backend Engineer \ufffd"
    assert "Go \U0001f680 and PostgreSQL" in fields["description"]
    store = open_store(str(tmp_path / "jobs.db"))
    try:
        record = {"id": item.id, "ats": "greenhouse", "board": "northwind", "title": fields["title"]}
        record.update(
            posted_at="2026-11-18T09:30:00Z",
            date_source="ats",
            description=fields["description"],
            dedup_key="k",
        )
        store.upsert_many([record], "2026-11-20T12:00:00Z")
        assert store.stored_job(item.id)["title"] == "Backend Engineer \ufffd"
    finally:
        store.close()


def test_raw_hash_takes_a_lone_surrogate_from_anywhere():
    def item(title: str) -> JobItem:
        return JobItem(
            id="greenhouse:northwind:1",
            ats="greenhouse",
            board="northwind",
            job_id="1",
            company="Northwind",
            title=title,
            url="https://job-boards.greenhouse.io/northwind/jobs/1",
            raw=RawPosting(title=title),
        )

    assert raw_hash(item("a \ud83d")) == raw_hash(item("a \ud83d"))
    assert raw_hash(item("a \ud83d")) != raw_hash(item("a \ud83e"))


class _CountingResponse(TextResponse):
    """A response as Scrapy's downloader builds it (encoding from the headers), counting ``.text`` reads."""

    text_reads = 0

    @property
    def text(self) -> str:
        type(self).text_reads += 1
        return super().text


def _board_response(body: bytes, content_type: bytes | None, **kwargs: object) -> _CountingResponse:
    request = Request(URL, meta={"board": "greenhouse:northwind"})
    headers = {"Content-Type": content_type} if content_type else {}
    _CountingResponse.text_reads = 0
    return _CountingResponse(URL, body=body, request=request, headers=headers, **kwargs)


def _one_job_board(title: str) -> str:
    job = json.loads((FIXTURES / "greenhouse" / "ugly.json").read_text(encoding="utf-8"))["jobs"][0]
    return json.dumps({"jobs": [{**job, "title": title}], "meta": {"total": 1}}, ensure_ascii=False)


TITLE = "Ingénieur Backend — Café"


@pytest.mark.parametrize(
    ("body", "content_type", "text_reads"),
    [
        (_one_job_board(TITLE).encode("utf-8"), b"application/json; charset=utf-8", 0),
        (_one_job_board(TITLE).encode("utf-8"), b"application/json", 0),  # JSON is UTF-8 when undeclared
        (_one_job_board(TITLE).encode("utf-8"), None, 0),
        (b"\xef\xbb\xbf" + _one_job_board(TITLE).encode("utf-8"), b"application/json", 1),  # byte order mark
        (_one_job_board(TITLE).encode("cp1252"), b"application/json; charset=iso-8859-1", 1),  # as declared
        (_one_job_board(TITLE).encode("utf-16"), b"application/json; charset=utf-16", 1),
    ],
)
def test_json_bodies_are_read_in_their_encoding(spider, body, content_type, text_reads):
    items, _ = collect(spider.parse_page(_board_response(body, content_type)))
    assert [item.raw.title for item in items] == [TITLE]
    # a UTF-8 body is parsed as bytes: no decoded copy of it is made (and kept on the response)
    assert _CountingResponse.text_reads == text_reads


def test_a_declared_charset_wins_over_valid_utf8(spider):
    """cp1252 bytes that happen to be valid UTF-8 ("Ã©" is C3 A9, UTF-8's "é") read as declared."""
    title = "CafÃ©"
    response = _board_response(
        _one_job_board(title).encode("cp1252"), b"application/json; charset=windows-1252"
    )
    assert "Café" in response.body.decode("utf-8")  # valid UTF-8 indeed, read as such it would say "Café"
    items, _ = collect(spider.parse_page(response))
    assert [item.raw.title for item in items] == [title]


@pytest.mark.parametrize(
    ("title", "body_encoding", "content_type", "given", "text_reads"),
    [
        # cp1252 bytes that are valid UTF-8 too ("Café"), read as the encoding given says
        ("CafÃ©", "cp1252", b"application/json; charset=utf-8", "cp1252", 1),
        ("CafÃ©", "cp1252", None, "cp1252", 1),
        # UTF-8 given, whatever the header says: read as bytes, no decoded copy
        (TITLE, "utf-8", b"application/json; charset=latin-1", "utf8", 0),
    ],
)
def test_an_encoding_given_to_the_response_wins_over_its_headers(
    spider, title, body_encoding, content_type, given, text_reads
):
    """As in Scrapy, where ``TextResponse(encoding=...)`` comes before the Content-Type header."""
    response = _board_response(_one_job_board(title).encode(body_encoding), content_type, encoding=given)
    items, _ = collect(spider.parse_page(response))
    assert [item.raw.title for item in items] == [title]
    assert _CountingResponse.text_reads == text_reads
