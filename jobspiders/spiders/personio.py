"""Personio: the XML feed of a company's open positions (one request per board, rate-limited host)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from parsel import Selector
from scrapy import Request

from jobspiders.items import JobItem, RawPosting
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload

# Personio answers 429 after a few rapid requests from one client, across tenants: every board's
# host shares this one download slot, one request at a time.
SLOT = "jobs.personio.de"
FIELDS = ("id", "name", "office", "employmentType", "schedule", "createdAt", "subcompany", "department")
SALARY = ("min", "max", "currencySymbol", "currencyCode", "type")


def host(board: Board) -> str:
    return board.host or f"{board.token}.jobs.personio.de"


def position(node: Selector) -> dict[str, Any]:
    record: dict[str, Any] = {name: node.xpath(f"string({name})").get().strip() or None for name in FIELDS}
    record["offices"] = [
        o.strip() for o in node.xpath("additionalOffices/office/text()").getall() if o.strip()
    ]
    record["descriptions"] = [
        (d.xpath("string(name)").get(), d.xpath("string(value)").get())
        for d in node.xpath("jobDescriptions/jobDescription")
    ]
    salary = node.xpath("salaryInformation")
    record["salary"] = (
        {key: salary.xpath(f"string({key})").get().strip() or None for key in SALARY} if salary else None
    )
    return record


class PersonioSpider(AtsSpider):
    name = "personio"
    response_format = "xml"
    accept = "application/xml, text/xml;q=0.9"
    host_limits: ClassVar[Mapping[str, Mapping[str, float]]] = {SLOT: {"concurrency": 1, "delay": 2.0}}

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.request(f"https://{host(board)}/xml?language=en", board, meta={"download_slot": SLOT})

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        if not data.xpath("/workzag-jobs"):
            raise BadPayload("expected a <workzag-jobs> feed")
        return [position(node) for node in data.xpath("/workzag-jobs/position")]

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        sections = [f"<h3>{name or ''}</h3>{value or ''}" for name, value in raw.get("descriptions") or ()]
        kind = ", ".join(part for part in (raw.get("employmentType"), raw.get("schedule")) if part)
        return self.job(
            board,
            job_id=raw["id"],
            title=raw.get("name"),
            url=f"https://{host(board)}/job/{raw['id']}?language=en",
            raw=RawPosting(
                location=[o for o in (raw.get("office"), *raw.get("offices", ())) if o] or None,
                description="\n".join(sections) or None,
                posted_at=raw.get("createdAt"),
                salary=raw.get("salary"),
                employment_type=kind or None,
            ),
        )
