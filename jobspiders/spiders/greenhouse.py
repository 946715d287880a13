"""Greenhouse job boards: one request lists every job with its content and pay ranges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.urls import public_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider


def metadata_value(raw: Mapping[str, Any], *names: str) -> Any:
    """A board's custom field (``metadata[]``), e.g. "Location Type"; Greenhouse has no standard one."""
    wanted = {name.lower() for name in names}
    for entry in raw.get("metadata") or ():
        if isinstance(entry, Mapping) and str(entry.get("name", "")).lower() in wanted:
            return entry.get("value")
    return None


class GreenhouseSpider(AtsSpider):
    name = "greenhouse"
    board_url = "https://boards-api.greenhouse.io/v1/boards/{token}/jobs?content=true&pay_transparency=true"

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        return data["jobs"]

    def company_name(self, data: Any, board: Board) -> str | None:
        names = {
            str(job.get("company_name") or "").strip() for job in data["jobs"] if isinstance(job, Mapping)
        }
        names.discard("")
        return names.pop() if len(names) == 1 else None  # one board, one company

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        job_id = raw["id"]
        url = public_url(
            raw.get("absolute_url"), f"https://job-boards.greenhouse.io/{board.token}/jobs/{job_id}"
        )
        return self.job(
            board,
            job_id=job_id,
            title=raw.get("title"),
            url=url,
            raw=RawPosting(
                location=(raw.get("location") or {}).get("name"),
                description=raw.get("content"),
                posted_at=raw.get("first_published") or raw.get("updated_at"),
                salary=raw.get("pay_input_ranges") or None,
                remote=metadata_value(raw, "Location Type", "Workplace Type", "Workplace", "Remote"),
                employment_type=metadata_value(raw, "Employment Type"),
            ),
        )
