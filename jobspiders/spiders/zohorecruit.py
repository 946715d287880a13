"""Zoho Recruit career sites: the public ``Job_Openings`` JSON behind the careers widget, paged while
``info.more_records`` says so. A site that does not answer it with records falls back to its careers
page, whose ``<input id="jobs">`` holds the same records as entity-escaped JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from scrapy import Request
from scrapy.http import Response

from jobspiders.items import JobItem, RawPosting
from jobspiders.jsonio import loads_payload
from jobspiders.normalize.urls import public_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload

FIELDS = ["Date_Opened", "Job_Description", "Job_Type", "Remote_Job", "Work_Experience"]
QUERY = "pagename=Careers&source=CareerSite&extra_fields=" + quote(json.dumps(FIELDS, separators=(",", ":")))
MAX_PAGES = 20  # the paging of the public endpoint is not documented: never follow it further


def site(board: Board) -> str:
    """The career site's host: ``host`` for other data centres (zohorecruit.in, .eu) or custom domains."""
    return board.host or f"{board.token}.zohorecruit.com"


class ZohoRecruitSpider(AtsSpider):
    name = "zohorecruit"

    def list_request(self, board: Board, page: int = 1) -> Request:
        paging = f"&page={page}" if page > 1 else ""
        url = f"https://{site(board)}/recruit/v2/public/Job_Openings?{QUERY}{paging}"
        return self.request(url, board, meta={"page": page})

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.list_request(board)

    def decode(self, response: Response) -> Any:
        # Kept because the base fails a board whose JSON request answers no JSON, and here any answer but
        # {"data": [...]} (an HTML page, broken JSON, an error object) means "try the careers page": None.
        if response.meta.get("response_format") == "html":
            return super().decode(response)
        try:
            data = super().decode(response)
        except BadPayload:
            return None
        return data if isinstance(data, Mapping) and isinstance(data.get("data"), list) else None

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        if data is None:
            return []
        if isinstance(data, Response):
            value = data.css("input#jobs::attr(value)").get()
            if value is None:
                raise BadPayload("careers page without its jobs list (input#jobs)")
            records = loads_payload(value)
            if not isinstance(records, list):
                raise BadPayload(f"input#jobs holds a {type(records).__name__}, not a list")
        else:
            records = data["data"]
        # Unpublished openings stay in the payload with Publish=false.
        return [raw for raw in records if not (isinstance(raw, Mapping) and raw.get("Publish") is False)]

    def next_page(self, data: Any, response: Response, board: Board) -> Request | None:
        if data is None:
            url = f"https://{site(board)}/jobs/Careers"
            return self.request(url, board, meta={"response_format": "html"}, headers={"Accept": "text/html"})
        info = data.get("info") if isinstance(data, Mapping) else None
        page = response.meta.get("page", 1)
        if not isinstance(info, Mapping) or not info.get("more_records") or not data["data"]:
            return None
        if str(info.get("page", page)) != str(page) or page >= MAX_PAGES:
            return None  # the endpoint ignored the page asked for: stop rather than loop
        return self.list_request(board, page + 1)

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        job_id = raw["id"]
        url = public_url(raw.get("$url"), f"https://{site(board)}/jobs/Careers/{job_id}")
        place = ", ".join(str(raw[key]) for key in ("City", "State", "Country") if raw.get(key))
        return self.job(
            board,
            job_id=job_id,
            title=raw.get("Posting_Title") or raw.get("Job_Opening_Name"),
            url=url,
            raw=RawPosting(
                location=place or None,
                description=raw.get("Job_Description"),
                posted_at=raw.get("Date_Opened"),
                salary=raw.get("Salary"),
                remote=raw.get("Remote_Job"),
                employment_type=raw.get("Job_Type"),
            ),
        )
