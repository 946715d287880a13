"""JOIN (join.com): the company page names the company id, the public jobs API lists its jobs page by
page, and each job page's JobPosting JSON-LD adds the description (the API list has none)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from scrapy import Request
from scrapy.http import Response

from jobspiders.items import JobItem, RawPosting
from jobspiders.jsonio import loads_payload
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload, BoardMissing
from jobspiders.spiders.jsonld import job_postings, raw_posting

SITE = "https://join.com"
API = SITE + "/api/public/companies/{company}/jobs?locale=en&page={page}&pageSize={size}"
PAGE_SIZE = 5  # larger pages are reported to be answered 422


def company(response: Response, board: Board) -> Mapping[str, Any]:
    """The company of the Next.js company page (``props.pageProps.initialState.company``)."""
    script = response.xpath('//script[@id="__NEXT_DATA__"]/text()').get()
    if not script:
        raise BadPayload("no __NEXT_DATA__ in the JOIN company page")
    props = loads_payload(script)["props"]["pageProps"]
    found = (props.get("initialState") or {}).get("company") or {}
    # a gone company is a 200 error page; an unknown slug may show JOIN's placeholder company
    if props.get("statusCode") in (404, 410) or str(found.get("domain", "")).lower() != board.token.lower():
        raise BoardMissing("JOIN has no company page for this slug")
    return found


def salary(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    low, high = raw.get("salaryAmountFrom") or {}, raw.get("salaryAmountTo") or {}
    if not (low.get("amount") or high.get("amount")):
        return None
    currency, period = low.get("currency") or high.get("currency"), raw.get("salaryFrequency")
    return {
        "min_cents": low.get("amount"),
        "max_cents": high.get("amount"),
        "currency": currency,
        "period": period,
    }


class JoinSpider(AtsSpider):
    name = "join"
    response_format = "html"  # the company and job pages; API requests say "json" in their meta
    accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
    # join.com throttles (429) quickly: one request at a time, spaced out
    host_limits: ClassVar[Mapping[str, Mapping[str, float]]] = {"join.com": {"concurrency": 1, "delay": 1.0}}

    def board_requests(self, board: Board) -> Iterable[Request]:
        yield self.request(f"{SITE}/companies/{quote(board.token)}", board)

    def api_request(self, board: Board, company_id: Any, page: int) -> Request:
        url = API.format(company=company_id, page=page, size=PAGE_SIZE)
        meta = {"company": company_id, "page": page, "response_format": "json"}
        return self.request(url, board, headers={"Accept": "application/json"}, meta=meta)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        if isinstance(data, Mapping):  # an API page
            return data["items"]
        company(data, board)  # the company page lists no jobs itself, but may say there is no company
        return []

    def next_page(self, data: Any, response: Response, board: Board) -> Request | None:
        if not isinstance(data, Mapping):
            return self.api_request(board, company(data, board)["id"], 1)
        page, pages = response.meta["page"], int((data.get("pagination") or {}).get("pageCount") or 0)
        return (
            self.api_request(board, response.meta["company"], page + 1)
            if data["items"] and page < pages
            else None
        )

    def job_url(self, raw: Mapping[str, Any], board: Board) -> str:
        return f"{SITE}/companies/{quote(board.token)}/{raw.get('idParam') or raw['id']}"

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        return self.request(self.job_url(raw, board), board)

    def merge_detail(self, raw: Mapping[str, Any], detail: Any) -> Mapping[str, Any]:
        found = job_postings(detail.selector)
        return {**raw, "jobPosting": found[0]} if found else raw

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        ld = raw_posting(raw.get("jobPosting") or {})
        city = raw.get("city") or {}
        place = ", ".join(str(p) for p in (city.get("cityName"), city.get("countryName")) if p)
        return self.job(
            board,
            job_id=raw["id"],
            title=raw.get("title"),
            url=self.job_url(raw, board),
            raw=RawPosting(
                location=place or ld.location,
                country=city.get("countryCode"),
                description=ld.description,
                posted_at=raw.get("createdAt") or ld.posted_at,
                salary=ld.salary or salary(raw),
                remote=raw.get("workplaceType") or ld.remote,
                employment_type=(raw.get("employmentType") or {}).get("name") or ld.employment_type,
            ),
        )
