"""JazzHR (applytojob.com): the server-rendered job table, then each job's page for its details.

JazzHR has no public JSON: ``/apply/jobs`` renders every opening in one ``#jobs_table`` (no paging;
a mobile copy of each row is a ``div``, not a ``tr``), and ``/apply/{key}`` is the job page, whose
description block is always there while its JobPosting JSON-LD (date, salary) is on most pages only.
A departed tenant answers 200 with JazzHR's "Inactive Career Page": that board is missing, not broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from parsel import Selector
from scrapy import Request

from jobspiders.items import JobItem, RawPosting
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload, BoardMissing
from jobspiders.spiders.jsonld import job_postings, raw_posting

KEY = re.compile(r"/apply/(?:jobs/details/)?([A-Za-z0-9]+)")
DESCRIPTION = '//*[@id="job-description" or @id="resumator-job-description"]'
# JazzHR's page for a departed tenant ("JazzHR - Inactive Career Page" / "… no longer active.")
INACTIVE = '//title[contains(., "Inactive Career Page")] | //h1[contains(., "no longer active")]'
EMPLOYMENT = '//*[@id="resumator-job-employment" or @id="resumator-job-type"]'


def host(board: Board) -> str:
    return board.host or f"{board.token}.applytojob.com"


def row(tr: Selector) -> dict[str, Any]:
    link = tr.xpath('.//a[contains(@href, "/apply/")]')
    key = KEY.search(link.attrib.get("href", ""))
    cells = tr.xpath("td")
    return {
        "id": key.group(1) if key else None,
        "title": link.xpath("string()").get(),
        "department": tr.xpath('string(.//span[@class="resumator_department"])').get() or None,
        "location": cells[-1].xpath("string()").get() if len(cells) > 1 else None,
    }


class JazzhrSpider(AtsSpider):
    name = "jazzhr"
    response_format = "html"
    accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.request(f"https://{host(board)}/apply/jobs", board)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        # no table shell is not an empty board: a departed tenant's 200 page says so, anything else is broken
        if not data.xpath('//*[@id="jobs_table"]'):
            if data.xpath(INACTIVE):
                raise BoardMissing("JazzHR says this career page is no longer active")
            raise BadPayload("no #jobs_table on the JazzHR job list")
        return [row(tr) for tr in data.xpath('//*[@id="jobs_table"]//tr[starts-with(@id, "row_job_")]')]

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        return self.request(f"https://{host(board)}/apply/{raw['id']}", board) if raw.get("id") else None

    def merge_detail(self, raw: Mapping[str, Any], detail: Any) -> Mapping[str, Any]:
        found = job_postings(detail.selector)
        return {
            **raw,
            "description": detail.xpath(DESCRIPTION).get(),
            "employment": detail.xpath(f"normalize-space({EMPLOYMENT})").get() or None,
            "jobPosting": found[0] if found else {},
        }

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        ld = raw_posting(raw.get("jobPosting") or {})
        return self.job(
            board,
            job_id=raw["id"],
            title=raw.get("title"),
            url=f"https://{host(board)}/apply/{raw['id']}",
            raw=RawPosting(
                location=raw.get("location") or ld.location,
                description=raw.get("description") or ld.description,
                posted_at=ld.posted_at,
                salary=ld.salary,
                remote=ld.remote,
                employment_type=raw.get("employment") or ld.employment_type,
            ),
        )
