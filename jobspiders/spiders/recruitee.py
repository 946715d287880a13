"""Recruitee Careers Site API: one request lists every offer, on {slug}.recruitee.com or a custom domain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scrapy import Request

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.urls import public_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider


def careers_host(board: Board) -> str:
    """A custom careers domain (registry ``host``) serves the same API as ``{slug}.recruitee.com``."""
    return board.host or f"{board.token}.recruitee.com"


def places(raw: Mapping[str, Any]) -> list[str]:
    """One "city, state, country" per ``locations[]`` entry; else the offer's ``location`` text."""
    texts = [
        ", ".join(str(entry[key]) for key in ("city", "state", "country") if entry.get(key))
        for entry in raw.get("locations") or ()
        if isinstance(entry, Mapping)
    ]
    texts = [text for text in texts if text] or [raw.get("location")]
    return [text for text in texts if isinstance(text, str) and text]


def workplace_flag(raw: Mapping[str, Any]) -> str | None:
    """The ``hybrid``/``remote``/``on_site`` booleans; hybrid first, as it also allows remote days."""
    return next((flag for flag in ("hybrid", "remote", "on_site") if raw.get(flag) is True), None)


class RecruiteeSpider(AtsSpider):
    name = "recruitee"

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.request(f"https://{careers_host(board)}/api/offers/", board)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        return data["offers"]

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        job_id = (
            raw.get("slug") or raw["id"]
        )  # the slug is the offer's id in /o/{slug} and /api/offers/{slug}
        url = public_url(raw.get("careers_url"), f"https://{careers_host(board)}/o/{job_id}")
        locations = places(raw)
        description = "\n".join(part for part in (raw.get("description"), raw.get("requirements")) if part)
        return self.job(
            board,
            job_id=job_id,
            title=raw.get("title"),
            url=url,
            raw=RawPosting(
                location=locations or None,
                country=raw.get("country_code") if len(locations) <= 1 else None,
                description=description or None,
                posted_at=raw.get("published_at") or raw.get("created_at"),
                salary=raw.get("salary") or None,
                remote=workplace_flag(raw),
                employment_type=raw.get("employment_type_code"),
            ),
        )
