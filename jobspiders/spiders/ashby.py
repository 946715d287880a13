"""Ashby Job Postings API: one request lists every job with its description and compensation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.urls import public_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider


def places(raw: Mapping[str, Any]) -> list[str]:
    """The primary location, then ``secondaryLocations[].location``."""
    secondary = [
        entry.get("location") for entry in raw.get("secondaryLocations") or () if isinstance(entry, Mapping)
    ]
    return [place for place in (raw.get("location"), *secondary) if isinstance(place, str) and place]


class AshbySpider(AtsSpider):
    name = "ashby"
    board_url = "https://api.ashbyhq.com/posting-api/job-board/{token}?includeCompensation=true"

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        # Unlisted jobs (isListed false) can appear in the payload; they are not on the public board.
        return [
            job for job in data["jobs"] if not (isinstance(job, Mapping) and job.get("isListed") is False)
        ]

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        job_id = raw["id"]
        url = public_url(raw.get("jobUrl"), f"https://jobs.ashbyhq.com/{board.token}/{job_id}")
        address = (raw.get("address") or {}).get("postalAddress") or {}
        locations = places(raw)
        return self.job(
            board,
            job_id=job_id,
            title=raw.get("title"),
            url=url,
            raw=RawPosting(
                location=locations or None,
                # the address is the primary location's: no hint for the secondary ones
                country=(address.get("addressCountry") or None) if len(locations) <= 1 else None,
                description=raw.get("descriptionHtml") or raw.get("descriptionPlain"),
                posted_at=raw.get("publishedAt"),
                salary=raw.get("compensation") or None,
                # workplaceType is more precise than isRemote, and the two can disagree.
                remote=raw.get("workplaceType") or raw.get("isRemote"),
                employment_type=raw.get("employmentType"),
            ),
        )
