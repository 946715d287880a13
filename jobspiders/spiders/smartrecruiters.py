"""SmartRecruiters Posting API: paged list, then one detail request per posting for its job ad."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scrapy import Request
from scrapy.http import Response

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.urls import public_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider

API = "https://api.smartrecruiters.com/v1/companies/{token}/postings"
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def job_ad_html(raw: Mapping[str, Any]) -> str | None:
    sections = (raw.get("jobAd") or {}).get("sections") or {}
    parts = [
        f"<h3>{section.get('title') or ''}</h3>{section.get('text') or ''}"
        for key in SECTIONS
        if isinstance(section := sections.get(key), Mapping)
    ]
    return "\n".join(parts) or None


def workplace_flag(location: Mapping[str, Any]) -> str | None:
    """``location.hybrid``/``remote`` booleans decide; both false is an on-site posting."""
    if location.get("hybrid"):
        return "hybrid"
    if location.get("remote"):
        return "remote"
    return "onsite" if "remote" in location or "hybrid" in location else None


class SmartRecruitersSpider(AtsSpider):
    name = "smartrecruiters"
    page_size = 100  # the API's maximum

    def list_request(self, board: Board, offset: int) -> Request:
        return self.request(f"{API.format(token=board.token)}?limit={self.page_size}&offset={offset}", board)

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.list_request(board, 0)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        return data["content"]

    def next_page(self, data: Any, response: Response, board: Board) -> Request | None:
        offset = int(data.get("offset") or 0) + len(data["content"])
        if data["content"] and offset < int(data.get("totalFound") or 0):
            return self.list_request(board, offset)
        return None

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        return self.request(f"{API.format(token=board.token)}/{raw['id']}", board)

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        location = raw.get("location") or {}
        url = public_url(raw.get("postingUrl"), f"https://jobs.smartrecruiters.com/{board.token}/{raw['id']}")
        place = location.get("fullLocation") or ", ".join(
            str(part) for part in (location.get("city"), location.get("region")) if part
        )
        return self.job(
            board,
            job_id=raw["id"],
            title=raw.get("name"),
            url=url,
            raw=RawPosting(
                location=place or None,
                country=location.get("country"),
                description=job_ad_html(raw),
                posted_at=raw.get("releasedDate"),
                remote=workplace_flag(location),
                employment_type=(raw.get("typeOfEmployment") or {}).get("label")
                or (raw.get("typeOfEmployment") or {}).get("id"),
            ),
        )
