"""Taleo Enterprise career sections: the section's search page (its session cookie, and the portal number
unless the registry entry gives it as ``key``), the JSON search paged by ``pageNo``, then each job's HTML
page: its JSON-LD JobPosting, else the description the page fills in with ``api.fillList``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from scrapy import Request
from scrapy.http import Response

from jobspiders.items import JobItem, RawPosting
from jobspiders.jsonio import loads_payload
from jobspiders.registry import Board
from jobspiders.spiders.base import AtsSpider, BadPayload, BoardMissing
from jobspiders.spiders.jsonld import job_postings, raw_posting

SEARCH = {
    "multilineEnabled": False,
    "sortingSelection": {"sortBySelectionParam": "3", "ascendingSortingOrder": "false"},
    "fieldData": {"fields": {"KEYWORD": "", "LOCATION": ""}, "valid": True},
    "filterSelectionParam": {"searchFilterSelections": []},
    "advancedSearchFiltersSelectionParam": {"searchFilterSelections": []},
}
HTML = {"meta": {"response_format": "html"}, "headers": {"Accept": "text/html"}}  # the .ftl pages
HEADERS = {"tz": "GMT+00:00", "tzname": "UTC", "X-Requested-With": "XMLHttpRequest"}  # else: HTTP 500
PORTAL = re.compile(r"portalNo\s*[:=]\s*['\"]?(\d+)|[?&]portal=(\d+)")
FILL_LIST = re.compile(
    r"api\.fillList\(\s*'requisitionDescriptionInterface'\s*,\s*'descRequisition'\s*,\s*\[(.*?)\]\s*\)", re.S
)
ITEM = re.compile(r"'((?:[^'\\]|\\.)*)'")
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
MAX_PAGES = 200  # 5,000 jobs at 25 a page


def root(board: Board, path: str) -> str:
    return f"https://{board.host or f'{board.token}.taleo.net'}/careersection/{path}"


def fill_list_html(page: str) -> str | None:
    """The ``!*!``-prefixed, percent-encoded HTML sections of the page's description list."""
    found = FILL_LIST.search(page)
    items = [re.sub(r"\\(.)", r"\1", item) for item in ITEM.findall(found[1])] if found else []
    return "\n".join(unquote(item[3:]) for item in items if item.startswith("!*!")) or None


class TaleoSpider(AtsSpider):
    name = "taleo"

    def board_requests(self, board: Board) -> Iterable[Request]:
        if not board.site:
            raise ValueError("a Taleo board needs its career section as site (e.g. ex)")
        url = root(board, f"{board.site}/jobsearch.ftl?lang=en")
        yield self.request(url, board, **HTML)

    def search(self, board: Board, page: int, portal: str, cookie: str) -> Request:
        url = root(board, f"rest/jobboard/searchjobs?lang=en&portal={portal}")
        referer = root(board, f"{board.site}/jobsearch.ftl?lang=en")
        headers = {**HEADERS, "Referer": referer, **({"Cookie": cookie} if cookie else {})}
        meta = {"page": page, "portal": portal, "cookie": cookie}
        return self.request(url, board, json_body={**SEARCH, "pageNo": page}, headers=headers, meta=meta)

    def postings(self, data: Any, board: Board) -> Iterable[Mapping[str, Any]]:
        if isinstance(data, Response):  # the search page: the jobs come from the search it leads to
            if "career section unavailable" in " ".join(data.css("title::text").getall()).lower():
                raise BoardMissing("career section unavailable")  # Taleo's 200 page for an unknown section
            return []
        if data.get("careerSectionUnAvailable"):  # a closed or unpublished section
            raise BoardMissing("career section unavailable")
        return data["requisitionList"]

    def next_page(self, data: Any, response: Response, board: Board) -> Request | None:
        if isinstance(data, Response):
            found = PORTAL.search(data.text)
            portal = board.extra.get("key") or (found and (found[1] or found[2]))
            if not portal:
                raise BadPayload("no portal number on the search page (give it as key in the registry)")
            cookies = [c.decode("latin-1").split(";", 1)[0] for c in data.headers.getlist("Set-Cookie")]
            return self.search(board, 1, str(portal), "; ".join(cookies))
        rows, paging, page = data["requisitionList"], data.get("pagingData") or {}, response.meta["page"]
        size, total = int(paging.get("pageSize") or 0), int(paging.get("totalCount") or 0)
        if rows and len(rows) >= size and page * size < total and page < MAX_PAGES:
            return self.search(board, page + 1, response.meta["portal"], response.meta["cookie"])
        return None

    def detail_request(self, raw: Mapping[str, Any], board: Board) -> Request | None:
        url = root(board, f"{board.site}/jobdetail.ftl?job={raw.get('contestNo') or raw['jobId']}&lang=en")
        return self.request(url, board, **HTML)

    def merge_detail(self, raw: Mapping[str, Any], detail: Any) -> Mapping[str, Any]:
        for posting in job_postings(detail.text):
            text = posting.get("description")
            if isinstance(text, str) and "%3C" in text.upper():  # some tenants percent-encode it
                posting = {**posting, "description": unquote(text)}
            return {**raw, "jsonld": posting}
        return {**raw, "descriptionHtml": fill_list_html(detail.text)}

    def to_item(self, raw: Mapping[str, Any], board: Board) -> JobItem:
        job_id = raw.get("contestNo") or raw["jobId"]
        cells, linked = raw.get("column") or [], raw.get("linkedColumn")
        title_at = linked if isinstance(linked, int) and 0 <= linked < len(cells) else 0
        place_at = [i for i in raw.get("locationsColumns") or () if 0 <= int(i) < len(cells)]
        others = [cell for i, cell in enumerate(cells) if i != title_at and i not in place_at]
        # a location cell holds one place or a JSON-encoded list of them ('["IN-TN-Chennai"]')
        found = (loads_payload(c) if str(c).startswith("[") else [c] for c in (cells[i] for i in place_at))
        listed = [place for group in found for place in group if place]
        fields = raw_posting(raw["jsonld"]) if raw.get("jsonld") else RawPosting()
        fields.description = fields.description or raw.get("descriptionHtml")
        fields.location = fields.location or listed or None
        # the date column is tenant-configured text ("Nov 14, 2026", "14/11/2026"): the one with a year
        fields.posted_at = fields.posted_at or next((c for c in others if YEAR.search(str(c))), None)
        url = root(board, f"{board.site}/jobdetail.ftl?job={job_id}&lang=en")
        return self.job(board, job_id=job_id, title=cells[title_at] if cells else None, url=url, raw=fields)
