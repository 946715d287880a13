"""Teamtailor career sites: the public RSS feed of all open jobs (one request, remote status included)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from parsel import Selector
from scrapy import Request

from jobspiders.items import JobItem, RawPosting
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload

NAMESPACES = {"tt": "https://teamtailor.com/locations"}
JOB_ID = re.compile(r"/jobs/(\d+)")


def place(location: Selector) -> str | None:
    """``tt:city, tt:country``; the location's own name when it has no city (e.g. "EU")."""
    city, country, name = (
        location.xpath(f"string(tt:{tag})").get().strip() for tag in ("city", "country", "name")
    )
    return ", ".join(part for part in (city, country) if part) if city else name or None


def feed_item(item: Selector) -> dict[str, Any]:
    def text(path: str) -> str | None:
        return item.xpath(path).get()

    link = text("link/text()") or ""
    found = JOB_ID.search(link)
    return {
        "id": found.group(1) if found else text("guid/text()"),
        "title": text("title/text()"),
        "link": link,
        "description": text("description/text()"),
        "pubDate": text("pubDate/text()"),
        "remoteStatus": text("remoteStatus/text()"),
        "locations": [p for p in map(place, item.xpath("tt:locations/tt:location")) if p],
        "department": text("tt:department/text()"),
    }


class TeamtailorSpider(AtsSpider):
    name = "teamtailor"
    response_format = "xml"
    accept = "application/rss+xml, application/xml;q=0.9, */*;q=0.5"

    def board_requests(self, board: Board) -> Iterable[Request]:
        # custom career domains (registry `host`) serve the same feed as {token}.teamtailor.com
        yield self.request(f"https://{board.host or f'{board.token}.teamtailor.com'}/jobs.rss", board)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        for prefix, uri in NAMESPACES.items():
            data.register_namespace(prefix, uri)
        if not data.xpath("/rss/channel"):
            raise BadPayload("expected an RSS feed of jobs")
        return [feed_item(item) for item in data.xpath("/rss/channel/item")]

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        # an item without a link (rare) gets the board's job list: its guid names no public page
        url = raw.get("link") or f"https://{board.host or f'{board.token}.teamtailor.com'}/jobs"
        return self.job(
            board,
            job_id=raw["id"],
            title=raw.get("title"),
            url=url,
            raw=RawPosting(
                location=raw.get("locations") or None,
                description=raw.get("description"),
                posted_at=raw.get("pubDate"),
                remote=raw.get("remoteStatus"),
            ),
        )
