"""BambooHR careers sites: ``/careers/list`` (the whole board, no dates nor descriptions), then one
``/careers/{id}/detail`` per job for its description, ``datePosted`` and free-text compensation.

An unknown tenant is redirected off ``{slug}.bamboohr.com`` (to BambooHR's own site): that board is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scrapy import Request

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.urls import public_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload

# locationType: every source reads "0" as on-site; "1" remote and "2" hybrid are inferred (unconfirmed)
WORKPLACE = {"0": "onsite", "1": "remote", "2": "hybrid"}


def host(board: Board) -> str:
    return f"{board.token}.bamboohr.com"


def place(raw: Mapping[str, Any]) -> str | None:
    """The free-entered ``atsLocation`` if any, else the office ``location`` (country: detail only)."""
    ats, office = raw.get("atsLocation") or {}, raw.get("location") or {}
    parts = [ats.get("city"), ats.get("state") or ats.get("province"), ats.get("country")]
    if not any(parts):
        parts = [office.get("city"), office.get("state"), office.get("addressCountry")]
    return ", ".join(str(part) for part in parts if part) or None


def workplace(raw: Mapping[str, Any]) -> Any:
    return True if raw.get("isRemote") else WORKPLACE.get(str(raw.get("locationType")))


class BamboohrSpider(AtsSpider):
    name = "bamboohr"

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.request(f"https://{host(board)}/careers/list", board)

    def board_host(self, board: Board) -> str | None:
        return host(board)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        return data["result"]

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        return self.request(f"https://{host(board)}/careers/{raw['id']}/detail", board)

    def merge_detail(self, raw: Mapping[str, Any], detail: Any) -> Mapping[str, Any]:
        opening = detail["result"]["jobOpening"]
        if not isinstance(opening, Mapping):
            raise BadPayload("no jobOpening in the BambooHR detail")
        return {**raw, **{key: value for key, value in opening.items() if value is not None}}

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        url = public_url(raw.get("jobOpeningShareUrl"), f"https://{host(board)}/careers/{raw['id']}")
        return self.job(
            board,
            job_id=raw["id"],
            title=raw.get("jobOpeningName"),
            url=url,
            raw=RawPosting(
                location=place(raw),
                description=raw.get("description"),
                posted_at=raw.get("datePosted"),
                salary=raw.get("compensation"),
                remote=workplace(raw),
                employment_type=raw.get("employmentStatusLabel"),
            ),
        )
