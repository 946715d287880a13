"""Rippling job boards: one list (a row per job per work location), then one detail request per job."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scrapy import Request

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.urls import public_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload

API = "https://api.rippling.com/platform/api/ats/v1/board/{token}/jobs"


def labels(values: Any) -> list[str]:
    """Location labels from list rows' ``workLocation`` objects or the detail's ``workLocations``."""
    found = []
    for value in values if isinstance(values, list) else ():
        label = value.get("label") if isinstance(value, Mapping) else value
        if isinstance(label, str) and label and label not in found:
            found.append(label)
    return found


def workplace(places: list[str]) -> str | None:
    """Rippling writes the workplace into the label: ``Hybrid (…)``, ``Remote (…)``, else on-site."""
    kinds = {place.split(" (", 1)[0].strip().lower() for place in places}
    if "hybrid" in kinds:
        return "hybrid"
    if "remote" in kinds:
        return "remote"
    return "onsite" if places else None


def pay_ranges(raw: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """``payRangeDetails`` bands ({rangeStart, rangeEnd, currency, frequency}) under the salary keys."""
    keys = {"rangeStart": "min", "rangeEnd": "max", "currency": "currency", "frequency": "period"}
    bands = [
        {ours: band.get(theirs) for theirs, ours in keys.items()}
        for band in raw.get("payRangeDetails") or ()
        if isinstance(band, Mapping)
    ]
    return bands or None


def description_html(raw: Mapping[str, Any]) -> str | None:
    """The detail's ``description`` sections (``role``, ``company``, HTML) in page order."""
    sections = raw.get("description")
    if not isinstance(sections, Mapping):
        return sections if isinstance(sections, str) else None
    parts = [sections.get("role"), *(v for k, v in sections.items() if k != "role")]
    return "\n".join(part for part in parts if isinstance(part, str) and part) or None


class RipplingSpider(AtsSpider):
    name = "rippling"
    board_url = API

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        if not isinstance(data, list):
            raise BadPayload(f"expected a list of jobs, got {type(data).__name__}")
        jobs: dict[Any, dict[str, Any]] = {}
        for index, row in enumerate(data):
            if not isinstance(row, Mapping) or not row.get("uuid"):
                jobs[("row", index)] = row  # let the base count it as invalid
                continue
            job = jobs.setdefault(row["uuid"], {**row, "workLocation": None, "locations": []})
            job["locations"] = labels([*job["locations"], row.get("workLocation")])
        return list(jobs.values())

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        if not raw.get("uuid"):
            return None  # to_item counts it as invalid
        return self.request(f"{API.format(token=board.token)}/{raw['uuid']}", board)

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        job_id = raw["uuid"]
        url = public_url(raw.get("url"), f"https://ats.rippling.com/{board.token}/jobs/{job_id}")
        places = labels(raw.get("workLocations")) or raw.get("locations") or []
        employment = raw.get("employmentType")
        if isinstance(employment, Mapping):
            employment = employment.get("id") or employment.get("label")
        return self.job(
            board,
            job_id=job_id,
            title=raw.get("name"),
            url=url,
            raw=RawPosting(
                location=places or None,
                description=description_html(raw),
                posted_at=raw.get("createdOn"),
                salary=pay_ranges(raw),
                remote=workplace(places),
                employment_type=employment,
            ),
        )
