"""Workday CXS API: POSTed search pages of 20, then one detail request per posting for its text and date."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from scrapy import Request
from scrapy.http import Response

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.urls import public_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider

logger = logging.getLogger(__name__)
PAGE_SIZE = 20  # the API's maximum: 21+ is answered with HTTP 400
MAX_OFFSET = 2000  # past this the search wraps around to its first page


def api_base(board: Board) -> str:
    if not board.host or not board.site:
        raise ValueError("a Workday board needs host and site")
    return f"https://{board.host}/wday/cxs/{board.tenant}/{board.site}"


def job_id_of(raw: Mapping[str, Any], info: Mapping[str, Any]) -> Any:
    """The requisition id after the last "_" of ``externalPath`` (as in the job URL), else ``jobReqId``."""
    segment = str(raw.get("externalPath") or "").rstrip("/").rsplit("/", 1)[-1]
    return segment.rsplit("_", 1)[-1] or info.get("jobReqId")


class WorkdaySpider(AtsSpider):
    name = "workday"

    def list_request(self, board: Board, offset: int, total: int | None = None) -> Request:
        # The search is a POST of JSON; only the first page's "total" is reliable, so it rides along in meta.
        body = {"appliedFacets": {}, "limit": PAGE_SIZE, "offset": offset, "searchText": ""}
        meta = {"offset": offset, "total": total}
        return self.request(f"{api_base(board)}/jobs", board, json_body=body, meta=meta)

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.list_request(board, 0)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        return data["jobPostings"]

    def next_page(self, data: Any, response: Response, board: Board) -> Request | None:
        offset = int(response.meta.get("offset") or 0)
        total = response.meta.get("total")
        if total is None:
            total = int(data.get("total") or 0)
        offset += len(data["jobPostings"])
        if data["jobPostings"] and offset < min(total, MAX_OFFSET):
            return self.list_request(board, offset, total)
        if offset >= MAX_OFFSET < total:
            logger.warning("%s: %d postings, only the first %d can be listed", board.key, total, MAX_OFFSET)
        return None

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        path = raw.get("externalPath")
        return self.request(f"{api_base(board)}{path}", board) if path else None

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        info = raw.get("jobPostingInfo") or {}
        url = public_url(info.get("externalUrl"), f"https://{board.host}/{board.site}{raw['externalPath']}")
        places = [info.get("location"), *(info.get("additionalLocations") or ())]
        places = [place for place in places if isinstance(place, str) and place] or [raw.get("locationsText")]
        requisition = info.get("jobRequisitionLocation") or {}
        country = requisition.get("country") or info.get("country") or {}
        return self.job(
            board,
            job_id=job_id_of(raw, info),
            title=info.get("title") or raw.get("title"),
            url=url,
            raw=RawPosting(
                location=[place for place in places if place] or None,
                country=(country.get("alpha2Code") or country.get("descriptor"))
                if len(places) == 1
                else None,
                description=info.get("jobDescription"),
                # the detail's absolute start date beats the list's relative "Posted 3 Days Ago"
                posted_at=info.get("startDate") or info.get("postedOn") or raw.get("postedOn"),
                remote=info.get("remoteType") or raw.get("remoteType"),
                employment_type=info.get("timeType") or raw.get("timeType"),
            ),
        )
