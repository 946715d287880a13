"""Lever postings: one request per board; EU accounts live on their own API host."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scrapy import Request

from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.urls import public_url
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload


def full_description(raw: Mapping[str, Any]) -> str:
    """Lever splits the text: opening/body in ``description``, then ``lists[]``, then ``additional``."""
    parts = [raw.get("description") or ""]
    for section in raw.get("lists") or ():
        if isinstance(section, Mapping):
            parts.append(f"<h3>{section.get('text') or ''}</h3><ul>{section.get('content') or ''}</ul>")
    parts.append(raw.get("additional") or "")
    return "\n".join(part for part in parts if part)


class LeverSpider(AtsSpider):
    name = "lever"

    def board_requests(self, board: Board) -> Iterable[Request]:
        api = "api.eu.lever.co" if board.host and ".eu." in f".{board.host}" else "api.lever.co"
        yield self.request(f"https://{api}/v0/postings/{board.token}?mode=json", board)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        if not isinstance(data, list):
            raise BadPayload(f"expected a list of postings, got {type(data).__name__}")
        return data

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        categories = raw.get("categories") or {}
        url = public_url(raw.get("hostedUrl"), f"https://jobs.lever.co/{board.token}/{raw['id']}")
        return self.job(
            board,
            job_id=raw["id"],
            title=raw.get("text"),
            url=url,
            raw=RawPosting(
                location=categories.get("allLocations") or categories.get("location"),
                country=raw.get("country"),
                description=full_description(raw),
                posted_at=raw.get("createdAt"),
                salary=raw.get("salaryRange"),
                remote=raw.get("workplaceType"),
                employment_type=categories.get("commitment"),
            ),
        )
