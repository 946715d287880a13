"""Discover the ATS boards a company uses from its website (``scrapy discover URL… [--add]``).

`boards_in_page` (pure) reads one HTML page and returns every board it can name, with the evidence:

- ``link``: any URL in the page's attributes (``a[href]``, ``iframe[src]``, ``script[src]``, ``form[action]``,
  ``data-*``) or scripts that `jobspiders.detect.detect_url` places on an ATS board (every ATS we crawl:
  jobs.lever.co/…, acme.teamtailor.com, acme.jobs.personio.de iframes, Workday sites, Ashby
  ``/embed`` scripts…);
- ``greenhouse-embed``: ``boards.greenhouse.io/embed/job_board?for=…`` iframes and ``…/js?for=…`` scripts;
- ``widget``: board names in widget configurations (Lever ``leverJobsOptions.accountName``, the
  SmartRecruiters job widget's ``company_code``);
- ``custom-domain``: a Teamtailor or Recruitee careers site served on the company's own host;
- ``json-ld``: schema.org ``JobPosting`` blocks whose ``url``/``sameAs`` is an ATS URL.

Links with ``?gh_jid=`` (a Greenhouse job shown on the company's site) name no board; `DiscoverSpider`
then asks the Greenhouse API which board holds that job, trying tokens made from the site's domain.

`DiscoverSpider` fetches each URL (through ``ATS_MIRROR`` like every request of this project), follows at
most one "careers"/"jobs" link from a page that names no board, and collects `Discovery` results;
`registry_entries` turns them into registry entries (`jobspiders.registry_import` rules for tokens/hosts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Request, Response, TextResponse

from jobspiders.detect import detect_url
from jobspiders.registry import board_identity
from jobspiders.registry_import import needed_host, normalise_token
from jobspiders.spiders.jsonld import job_postings

# URLs inside scripts and attribute values (JSON-escaped slashes are unescaped first).
_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?(?:/[^\s"'<>()\\]*)?""", re.IGNORECASE)
_LEVER_WIDGET = re.compile(r"""leverJobsOptions\s*=\s*\{[^}]*?accountName\s*:\s*["']([^"']+)["']""", re.S)
_SR_WIDGET = re.compile(r"""["']?company_code["']?\s*:\s*["']([A-Za-z0-9_.-]+)["']""")
_CAREERS = re.compile(
    r"\b(careers?|jobs?|join(?:[- ]?us| the team)|work(?:ing)?[- ](?:with|for|at)[- ]us|"
    r"open (?:positions|roles)|"
    r"vacanc(?:y|ies)|karriere|stellen(?:angebote)?|jobb|empleos?|trabaja|emplois?|carri[eè]res?|vacatures|"
    r"werken[- ]bij|lavora con noi|opportunit(?:y|ies)|hiring)\b",
    re.IGNORECASE,
)
_ATTRS = "//@href | //@src | //@action | //@data-src | //@data-url | //@data-href | //@content"


@dataclass(frozen=True, slots=True)
class Found:
    """One board named by a page."""

    ats: str
    token: str
    host: str | None = None
    site: str | None = None
    evidence: str = "link"
    url: str = ""  # the ATS URL (or page) that named it

    @property
    def identity(self) -> str:
        return board_identity(self.ats, self.token, self.site)


@dataclass(slots=True)
class Discovery:
    """What one input URL led to."""

    url: str
    boards: list[Found] = field(default_factory=list)
    name: str | None = None
    pages: list[str] = field(default_factory=list)
    gh_jobs: list[str] = field(default_factory=list)  # gh_jid values seen without a board
    errors: list[str] = field(default_factory=list)

    def add(self, found: Iterable[Found]) -> None:
        known = {board.identity for board in self.boards}
        for board in found:
            if board.identity not in known:
                known.add(board.identity)
                self.boards.append(board)


def _from_url(url: str, evidence: str) -> Found | None:
    found = detect_url(url)
    if not found.ats or not found.token:
        return None
    token = normalise_token(found.ats, found.token)
    if found.ats == "workday":
        if not found.site:
            return None
        token = f"{token.split('/')[0]}/{found.site}"
    return Found(found.ats, token, needed_host(found.ats, token, found.host), found.site, evidence, url)


def _urls(selector: Selector, html: str, page_url: str) -> Iterator[str]:
    seen = set()
    for value in selector.xpath(_ATTRS).getall():
        value = value.strip()
        if value and not value.startswith(("#", "mailto:", "tel:", "javascript:")):
            url = urljoin(page_url, value)
            if url not in seen:
                seen.add(url)
                yield url
    for match in _URL.finditer(html.replace("\\/", "/")):
        url = match.group(0).rstrip(".,;")
        url = f"https:{url}" if url.startswith("//") else url
        if url not in seen:
            seen.add(url)
            yield url


def gh_job_ids(urls: Iterable[str]) -> list[str]:
    """The ``gh_jid`` values of links (Greenhouse jobs shown on the company's own site)."""
    ids = []
    for url in urls:
        for value in parse_qs(urlsplit(url).query).get("gh_jid", ()):
            if value.strip().isdigit() and value.strip() not in ids:
                ids.append(value.strip())
    return ids


def boards_in_page(html: str, page_url: str) -> list[Found]:
    """Every board the page names (see the module docstring), first evidence kept per board."""
    selector = Selector(text=html)
    found: dict[str, Found] = {}

    def keep(board: Found | None) -> None:
        if board is not None and board.identity not in found:
            found[board.identity] = board

    for posting in job_postings(selector):
        for key in ("url", "sameAs"):
            value = posting.get(key)
            for url in value if isinstance(value, list) else [value]:
                if isinstance(url, str):
                    keep(_from_url(url, "json-ld"))
    for url in _urls(selector, html, page_url):
        board = _from_url(url, "link")
        if board and board.ats == "greenhouse" and "/embed/" in url:
            board = Found(board.ats, board.token, board.host, None, "greenhouse-embed", url)
        keep(board)
    for account in _LEVER_WIDGET.findall(html):
        keep(Found("lever", account.strip().lower(), evidence="widget", url=page_url))
    if "smartrecruiters" in html.lower():
        for company in _SR_WIDGET.findall(html):
            keep(Found("smartrecruiters", company, evidence="widget", url=page_url))
    keep(_custom_domain(selector, html, page_url, found))
    return list(found.values())


def _custom_domain(selector: Selector, html: str, page_url: str, found: Mapping[str, Found]) -> Found | None:
    """A Teamtailor or Recruitee careers site on the company's own host (no ATS host in its URLs)."""
    host = (urlsplit(page_url).hostname or "").lower()
    if not host or detect_url(page_url).ats:
        return None
    lower = html.lower()
    generator = " ".join(selector.xpath('//meta[@name="generator"]/@content').getall()).lower()
    for ats, marker in (("teamtailor", "teamtailor"), ("recruitee", "recruitee")):
        if marker not in lower and marker not in generator:
            continue
        if any(board.ats == ats for board in found.values()):
            return None  # the page links the ATS's own host: that board is the answer
        if ats == "recruitee" and not selector.xpath('//a[contains(@href, "/o/")]'):
            continue
        if ats == "teamtailor" and "teamtailor-cdn" not in lower and "teamtailor" not in generator:
            continue
        token = _domain_label(host)
        return Found(ats, token, host, None, "custom-domain", page_url)
    return None


def careers_link(html: str, page_url: str) -> str | None:
    """The page's best "careers"/"jobs" link (text beats URL, the company's own site beats others)."""
    selector = Selector(text=html)
    page_host = _site(urlsplit(page_url).hostname or "")
    best: tuple[int, str] | None = None
    for anchor in selector.xpath("//a[@href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(page_url, href)
        if not url.startswith(("http://", "https://")) or url.rstrip("/") == page_url.rstrip("/"):
            continue
        text = " ".join(anchor.xpath(".//text()").getall()).strip()
        score = (4 if _CAREERS.search(text) else 0) + (2 if _CAREERS.search(urlsplit(url).path) else 0)
        if not score:
            continue
        if _site(urlsplit(url).hostname or "") == page_host:
            score += 3
        if best is None or score > best[0]:
            best = (score, url)
    return best[1] if best else None


def company_name(html: str, page_url: str) -> str:
    """The company's display name: ``og:site_name``, a JSON-LD organization, else the domain."""
    selector = Selector(text=html)
    name = selector.xpath('//meta[@property="og:site_name"]/@content').get()
    if name and name.strip():
        return " ".join(name.split())
    for posting in job_postings(selector):
        org = posting.get("hiringOrganization")
        if isinstance(org, Mapping) and isinstance(org.get("name"), str) and org["name"].strip():
            return " ".join(org["name"].split())
    label = _domain_label(urlsplit(page_url).hostname or "")
    return " ".join(word.capitalize() for word in re.split(r"[-_]+", label) if word) or label


_SUBDOMAINS = {"www", "careers", "career", "jobs", "job", "karriere", "work", "join", "apply", "en", "de"}


def _domain_label(host: str) -> str:
    """``careers.acme-robotics.example`` → ``acme-robotics``."""
    labels = [label for label in host.lower().split(".") if label]
    while len(labels) > 2 and labels[0] in _SUBDOMAINS:
        labels.pop(0)
    return labels[-2] if len(labels) >= 2 else (labels[0] if labels else "")


def _site(host: str) -> str:
    labels = host.lower().split(".")
    return ".".join(labels[-2:])


def origin(url: str) -> str:
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return f"{parts.scheme}://{parts.netloc}/"


def greenhouse_candidates(page_url: str) -> list[str]:
    """Board tokens to try for a site's ``gh_jid`` links: ``acme-robotics.example`` → acmerobotics,
    acme-robotics, acme."""
    label = _domain_label(urlsplit(page_url).hostname or "")
    candidates = [label.replace("-", ""), label, label.split("-")[0]]
    return [c for i, c in enumerate(candidates) if c and c not in candidates[:i]]


def registry_entries(discovery: Discovery) -> list[dict[str, Any]]:
    """Registry entries for what one URL led to (name and website from the company's page)."""
    entries = []
    website = origin(discovery.url)
    for board in discovery.boards:
        entry: dict[str, Any] = {"name": discovery.name or board.token, "website": website}
        entry.update(ats=board.ats, token=board.token)
        if board.host:
            entry["host"] = board.host
        if board.site:
            entry["site"] = board.site
        entry["source"] = f"discover:{discovery.url}"
        entries.append(entry)
    return entries


# --------------------------------------------------------------------------------------------------
# The crawl
# --------------------------------------------------------------------------------------------------


class DiscoverSpider(scrapy.Spider):
    """Fetches company pages and collects `Discovery` results in ``self.results`` (input order)."""

    name = "discover"
    custom_settings: ClassVar[dict[str, Any]] = {
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {"jobspiders.extensions.CrawlHealth": None},
        "SPIDERMON_ENABLED": False,
        "FEEDS": {},
        "ROBOTSTXT_OBEY": False,
        "HTTPERROR_ALLOW_ALL": False,
        "DOWNLOAD_MAXSIZE": 5 * 1024 * 1024,
        "RETRY_TIMES": 1,
        "LOG_LEVEL": "WARNING",
    }

    def __init__(self, urls: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.results = {url: Discovery(url) for url in urls}

    async def start(self) -> Any:
        for url in self.results:
            target = url if "://" in url else f"https://{url}"
            yield Request(
                target, callback=self.parse_page, errback=self.failed, meta={"origin": url, "hop": 0}
            )

    def parse_page(self, response: Response) -> Iterator[Request]:
        result = self.results[response.meta["origin"]]
        result.pages.append(response.url)
        if not isinstance(response, TextResponse):
            result.errors.append(f"{response.url}: not a web page")
            return
        html = response.text
        found = boards_in_page(html, response.url)
        # A careers URL that redirected to the board itself names it too.
        for url in [*response.meta.get("redirect_urls", ()), response.url]:
            board = _from_url(url, "redirect")
            if board:
                found.append(board)
        result.add(found)
        if result.name is None:
            result.name = company_name(html, response.url)
        jobs = [jid for jid in gh_job_ids(_urls(Selector(text=html), html, response.url)) if jid]
        if jobs and not any(board.ats == "greenhouse" for board in result.boards):
            result.gh_jobs.extend(jid for jid in jobs if jid not in result.gh_jobs)
            for token in greenhouse_candidates(
                result.url if "://" in result.url else f"https://{result.url}"
            ):
                yield Request(
                    f"https://boards-api.greenhouse.io/v1/boards/{token}/jobs/{jobs[0]}",
                    callback=self.greenhouse_job,
                    errback=self.ignore,
                    meta={"origin": result.url, "token": token},
                    dont_filter=True,
                )
        if not result.boards and not jobs and response.meta["hop"] == 0:
            link = careers_link(html, response.url)
            if link:
                yield Request(
                    link,
                    callback=self.parse_page,
                    errback=self.failed,
                    meta={"origin": result.url, "hop": 1},
                )

    def greenhouse_job(self, response: Response) -> None:
        result = self.results[response.meta["origin"]]
        try:
            data = json.loads(response.text)
        except ValueError:
            return
        if isinstance(data, Mapping) and data.get("id") is not None:
            token = response.meta["token"]
            result.add([Found("greenhouse", token, evidence="gh_jid", url=response.url)])

    def ignore(self, failure: Any) -> None:
        return None

    def failed(self, failure: Any) -> None:
        request = failure.request
        result = self.results[request.meta["origin"]]
        result.errors.append(
            f"{request.meta.get('ats_mirror_url', request.url)}: {failure.getErrorMessage()}"
        )
