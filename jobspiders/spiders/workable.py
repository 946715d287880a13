"""Workable careers-site API: POSTed list pages (v3), then one detail request per job for its text (v2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from scrapy import Request
from scrapy.http import Response

from jobspiders.items import JobItem, RawPosting
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider

API = "https://apply.workable.com/api"
SEARCH = {"query": "", "location": [], "department": [], "worktype": [], "remote": []}


def places(job: Mapping[str, Any]) -> list[Any]:
    """``locations[]``, else ``location`` (v3), else the widget's top-level city/state/country."""
    if job.get("locations"):
        return list(job["locations"])
    if job.get("location"):
        return [job["location"]]
    return [{"city": job.get("city"), "region": job.get("state"), "country": job.get("country")}]


def location_text(place: Any) -> str | None:
    if isinstance(place, Mapping):
        return ", ".join(str(place[key]) for key in ("city", "region", "country") if place.get(key)) or None
    return place if isinstance(place, str) else None


class WorkableSpider(AtsSpider):
    name = "workable"
    # Workable answers bursts with 429s (reported at concurrency > 2): one request at a time, spaced.
    host_limits: ClassVar[Mapping[str, Mapping[str, float]]] = {
        "apply.workable.com": {"concurrency": 1, "delay": 1.0}
    }

    def list_request(self, board: Board, token: str | None = None) -> Request:
        body = {**SEARCH, "token": token} if token else SEARCH
        url = f"{API}/v3/accounts/{board.token}/jobs"
        return self.request(url, board, json_body=body, meta={"page_token": token})

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.list_request(board)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        # v3 pages carry "results"; the legacy widget "jobs", one row per location of a job: one record each.
        jobs = data["results"] if "results" in data else data["jobs"]
        records: list[Any] = []
        by_code: dict[str, dict[str, Any]] = {}
        for job in jobs:
            code = job.get("shortcode") if isinstance(job, Mapping) else None
            if code in by_code:
                merged = by_code[code]["locations"]
                merged += [place for place in places(job) if place not in merged]
            elif code:
                by_code[code] = {**job, "locations": places(job)}
                records.append(by_code[code])
            else:
                records.append(job)
        return records

    def next_page(self, data: Any, response: Response, board: Board) -> Request | None:
        token = data.get("nextPage") if "results" in data else None
        if data.get("results") and token and token != response.meta.get("page_token"):
            return self.list_request(board, token)
        return None

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        return self.request(f"{API}/v2/accounts/{board.token}/jobs/{raw['shortcode']}", board)

    def merge_detail(self, raw: Mapping[str, Any], detail: Any) -> Mapping[str, Any]:
        if not isinstance(detail, Mapping):
            raise TypeError(f"detail is a {type(detail).__name__}, not an object")
        # the detail is the fuller record; the listing's locations were merged across its rows
        return {**raw, **detail, "locations": raw.get("locations") or detail.get("locations")}

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        code = raw["shortcode"]
        shown = [
            place
            for place in raw.get("locations") or ()
            if not (isinstance(place, Mapping) and place.get("hidden"))
        ]
        texts = list(dict.fromkeys(text for place in shown if (text := location_text(place))))
        codes = {place.get("countryCode") for place in shown if isinstance(place, Mapping)}
        sections = "\n".join(raw[key] for key in ("description", "requirements", "benefits") if raw.get(key))
        return self.job(
            board,
            job_id=code,
            title=raw.get("title"),
            url=f"https://apply.workable.com/{board.token}/j/{code}/",
            raw=RawPosting(
                location=texts or None,
                country=codes.pop() if len(codes) == 1 else None,
                description=raw.get("full_description") or sections or None,
                posted_at=raw.get("published") or raw.get("published_on") or raw.get("created_at"),
                remote=next(
                    (raw[k] for k in ("workplace", "telecommuting", "remote") if raw.get(k) is not None), None
                ),
                employment_type=raw.get("type") or raw.get("employment_type"),
            ),
        )
