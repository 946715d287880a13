"""Jobylon: the customer feed (JSON, every field) when the board has its hash (``key``, or a hash-shaped
token); else the public careers widget of the numeric company id in the token, whose jobs come as a
JavaScript literal, plus each job's page for its schema.org JobPosting."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from scrapy import Request
from scrapy.http import Response

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.urls import is_http_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload, BoardMissing
from jobspiders.spiders.jsonld import job_postings, raw_posting

FEED = "https://feed.jobylon.com/feeds/{key}/?format=json"
WIDGET = "https://cdn.jobylon.com/jobs/companies/{id}/embed/v2/?target=jobylon-jobs-widget&page_size=100"
HTML = {"response_format": "html"}  # the widget and job pages; the feed is JSON
HASH = re.compile(r"[0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12}", re.I)
JOBS = re.compile(r"JBL\.embed_v2\[\s*['\"]jobs['\"]\s*\]\s*=\s*\[")
NEXT = re.compile(r"JBL\.embed_v2\[")
JOB_ID = re.compile(r"(?<![\w'\"-])id\s*:\s*'(\d+)'")
FIELD = re.compile(r"(?<![\w'\"-])(url|title|company)\s*:\s*'((?:[^'\\]|\\.)*)'")
ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)


def js_string(text: str) -> str:
    """A single-quoted JavaScript string's value (``\\u0027``, ``\\'``, ``\\/`` escapes)."""

    def code(match: re.Match[str]) -> str:
        escape = match[1]
        return chr(int(escape[1:], 16)) if escape[0] in "ux" and len(escape) > 1 else escape

    return ESCAPE.sub(code, text)


def widget_jobs(page: str) -> list[dict[str, Any]]:
    """The ``JBL.embed_v2['jobs']`` literal's jobs: id, url, title, company (the literal is not JSON)."""
    start = JOBS.search(page)
    if start is None:
        raise BadPayload("no JBL.embed_v2['jobs'] list in the widget")
    end = NEXT.search(page, start.end())
    block = page[start.end() : end.start() if end else len(page)]
    marks = list(JOB_ID.finditer(block))
    jobs = []
    for mark, end in zip(marks, [m.start() for m in marks[1:]] + [len(block)], strict=False):
        chunk = block[mark.start() : end]
        fields = {name: js_string(value) for name, value in reversed(FIELD.findall(chunk))}
        jobs.append({"id": mark[1], **fields, "widget": True})
    return jobs


class JobylonSpider(AtsSpider):
    name = "jobylon"

    def board_requests(self, board: Board) -> Iterable[Request]:
        key = board.extra.get("key") or (board.token if HASH.fullmatch(board.token) else None)
        if key:  # a feed hash: from the registry's key, or the token of a feed.jobylon.com/feeds/{hash} URL
            yield self.request(FEED.format(key=key), board)
        elif company := re.match(r"\d+", board.token):
            yield self.request(WIDGET.format(id=company[0]), board, meta=HTML)
        else:
            raise ValueError("a Jobylon board needs its feed key or a numeric company id as token")

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        if isinstance(data, Response):
            return widget_jobs(data.text)
        if isinstance(data, Mapping) and str(data.get("detail")).lower() == "not found.":
            raise BoardMissing("feed not found")  # Django REST's answer for an unknown feed hash
        if not isinstance(data, list):
            raise BadPayload(f"expected a list of jobs, got {type(data).__name__}")
        return data

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        if not raw.get("widget"):
            return None  # the feed has every field
        return self.request(self.job_url(raw), board, meta=HTML, headers={"Accept": "text/html"})

    def merge_detail(self, raw: Mapping[str, Any], detail: Any) -> Mapping[str, Any]:
        found = job_postings(detail.text)
        return {**raw, "jsonld": found[0]} if found else raw

    def job_url(self, raw: Mapping[str, Any]) -> str:
        url = raw.get("urls", {}).get("ad") if isinstance(raw.get("urls"), Mapping) else raw.get("url")
        if isinstance(url, str) and url.startswith("/jobs/"):
            url = f"https://emp.jobylon.com{url}"
        return url if is_http_url(url) else f"https://emp.jobylon.com/jobs/{raw['id']}/"

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        if raw.get("widget"):
            posting = raw.get("jsonld") or {}
            fields = raw_posting(posting)
        else:
            places = [(p.get("location") or {}).get("text") for p in raw.get("locations") or ()]
            fields = RawPosting(
                location=[place for place in places if place] or None,
                description=raw.get("descr"),
                posted_at=raw.get("from_date") or raw.get("dt_created"),
                remote=raw.get("workspace_type"),
                employment_type=raw.get("employment_type"),
            )
        return self.job(board, job_id=raw["id"], title=raw.get("title"), url=self.job_url(raw), raw=fields)
