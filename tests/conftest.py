"""Shared fixtures: a frozen clock, project settings, spiders built on a crawler, fixture responses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = ROOT.parent / "shared" / "samples"
# Public board inventories (../shared/registry-sources/stapply/*.csv) where ../shared is beside the checkout.
INVENTORY = ROOT.parent / "shared" / "registry-sources" / "stapply"
DEMO = ROOT / "demo"
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
NOW_ISO = "2026-11-20T12:00:00Z"


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def project_settings(tmp_path: Path) -> dict[str, Any]:
    """Project settings for a test: frozen clock, store and output in tmp_path."""
    return {
        "JOBS_NOW": NOW_ISO,
        "JOBS_DB": str(tmp_path / "jobs.db"),
        "OUTPUT_DIR": str(tmp_path / "output"),
    }


@pytest.fixture
def registry_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write a registry YAML text to a file and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "companies.yml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def make_spider(project_settings: dict[str, Any]) -> Callable[..., Any]:
    """A spider of ``cls`` on a real crawler (stats, signals) reading the registry ``companies``."""

    def make(cls: type, companies: Path | str, **kwargs: Any) -> Any:
        crawler = get_crawler(cls, settings_dict=project_settings)
        crawler.spider = cls.from_crawler(crawler, companies=str(companies), **kwargs)
        crawler.stats.open_spider()
        return crawler.spider

    return make


def fixture_response(
    url: str, body: bytes | str, *, board: str, status: int = 200, meta: dict[str, Any] | None = None
) -> TextResponse:
    """A response for ``url`` as the spider's request for ``board`` would have received it."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    request = Request(url, meta={**(meta or {}), "board": board})
    headers = {"Content-Type": "application/json; charset=utf-8"}
    return TextResponse(url, body=body, status=status, request=request, headers=headers, encoding="utf-8")


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def collect(results: Any) -> tuple[list[Any], list[Request]]:
    """Split a callback's output into items and requests."""
    items, requests = [], []
    for result in results or ():
        (requests if isinstance(result, Request) else items).append(result)
    return items, requests


def start_requests(spider: Any) -> list[Request]:
    """The requests of ``spider.start()`` (an async generator), collected without a reactor."""

    async def gather() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(gather())


def settle(result: Any) -> Any:
    """The value of a pipeline's ``process_item``, run to its end when it is a coroutine."""
    if asyncio.iscoroutine(result):
        return asyncio.run(result)
    return result
