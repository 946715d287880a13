"""Downloader middlewares."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

from jobspiders.config import JobsConfig

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

MIRRORED = "ats_mirror_url"
logger = logging.getLogger(__name__)


class AtsMirrorMiddleware:
    """``ATS_MIRROR``: send ``https://HOST/PATH?QUERY`` to ``MIRROR/HOST/PATH?QUERY`` instead.

    Method, headers and body are kept. The response is given back under the real URL, so spiders,
    items and logs never see the mirror. The download slot stays the real host, so the politeness
    settings act on a mirror exactly as they would on the live ATS.
    """

    def __init__(self, mirror: str) -> None:
        self.mirror = mirror.rstrip("/")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mirror = JobsConfig.from_settings(crawler.settings).mirror
        if not mirror:
            raise NotConfigured
        return cls(mirror)

    def mirror_url(self, url: str) -> str:
        parts = urlsplit(url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.mirror}/{parts.netloc}{parts.path or '/'}{query}"

    def process_request(self, request: Request) -> Request | None:
        # Checked on the URL, not a meta flag: a redirect to a real ATS URL must be mirrored again.
        if request.url.startswith(f"{self.mirror}/"):
            return None
        real_host = urlsplit(request.url).hostname or ""
        meta = {**request.meta, MIRRORED: request.url, "download_slot": real_host}
        # dont_filter: the real URL already passed the dupefilter once.
        return request.replace(url=self.mirror_url(request.url), meta=meta, dont_filter=True)

    def process_response(self, request: Request, response: Response) -> Response:
        real_url = request.meta.get(MIRRORED)
        if real_url and response.url.startswith(self.mirror):
            return response.replace(url=real_url)
        return response


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds (it is either a number of seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware that waits before each retry instead of retrying at once.

    The wait is the server's ``Retry-After`` (429, 503) when it sends one, else exponential backoff:
    ``RETRY_BACKOFF_BASE`` × 2^(retry − 1), at most ``RETRY_BACKOFF_MAX`` seconds. A ``Retry-After``
    longer than ``RETRY_BACKOFF_MAX`` is not waited for: the request gives up and its board fails,
    rather than holding the crawl for an hour.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def backoff(self, retry: Request) -> float:
        return min(self.cap, self.base * 2 ** (retry.meta.get("retry_times", 1) - 1))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is not None and wait > self.cap:
            logger.warning("Gave up on %s: the server asks to wait %.0fs (Retry-After)", request.url, wait)
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(self.backoff(retry) if wait is None else wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            await asyncio.sleep(self.backoff(retry))
        return retry
