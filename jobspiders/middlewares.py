"""Downloader middlewares."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from jobspiders.config import JobsConfig

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

MIRRORED = "ats_mirror_url"


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
        if MIRRORED in request.meta:
            return None
        real_host = urlsplit(request.url).hostname or ""
        meta = {**request.meta, MIRRORED: request.url}
        meta.setdefault("download_slot", real_host)
        # dont_filter: the real URL already passed the dupefilter once.
        return request.replace(url=self.mirror_url(request.url), meta=meta, dont_filter=True)

    def process_response(self, request: Request, response: Response) -> Response:
        real_url = request.meta.get(MIRRORED)
        if real_url and response.url.startswith(self.mirror):
            return response.replace(url=real_url)
        return response
