"""Checks that hold for every spider, and every real captured response parsed by its spider."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from jobspiders import settings as project_settings
from jobspiders.normalize.posting import normalize_posting
from jobspiders.normalize.urls import is_http_url
from jobspiders.spiders.base import AtsSpider
from tests.conftest import FIXTURES, NOW, SAMPLES, fixture_response

# DESIGN.md's list; "more may follow" (bamboohr is one of them).
DESIGN_NAMES = {
    "greenhouse",
    "lever",
    "workable",
    "smartrecruiters",
    "teamtailor",
    "workday",
    "recruitee",
    "personio",
    "zohorecruit",
    "jobylon",
    "rippling",
    "taleo",
    "join",
    "jazzhr",
    "ashby",
}
MORE_NAMES = {"bamboohr"}
LOADER = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": project_settings.SPIDER_MODULES}))
SPIDERS = {name: LOADER.load(name) for name in LOADER.list()}


def test_spiders_are_named_as_design_says():
    assert set(SPIDERS) <= DESIGN_NAMES | MORE_NAMES
    assert {"greenhouse", "lever", "smartrecruiters"} <= set(SPIDERS)


@pytest.mark.parametrize("name", sorted(SPIDERS))
def test_spider_module_class_and_fixtures(name):
    cls = SPIDERS[name]
    assert issubclass(cls, AtsSpider)
    assert cls.__module__ == f"jobspiders.spiders.{name}"
    assert (FIXTURES / name).is_dir(), f"tests/fixtures/{name}/ is missing"
    custom = getattr(cls, "custom_settings", None) or {}
    assert custom.get("DOWNLOAD_DELAY", project_settings.DOWNLOAD_DELAY) >= project_settings.DOWNLOAD_DELAY
    # ATS modules are small: the machinery lives in the base class
    assert len(inspect.getsource(inspect.getmodule(cls)).splitlines()) < 120


def sample_files() -> list[tuple[str, Path]]:
    if not SAMPLES.is_dir():
        return []
    return [
        (name, path)
        for name in sorted(SPIDERS)
        if (SAMPLES / name).is_dir()
        for path in sorted((SAMPLES / name).iterdir())
        # a spider reads one of an ATS's formats (Teamtailor: JSON feed or RSS): its own samples
        if path.suffix == f".{SPIDERS[name].response_format}"
    ]


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside this checkout")
@pytest.mark.parametrize(("name", "path"), sample_files(), ids=lambda v: getattr(v, "name", v))
def test_real_captures_parse_into_valid_items(name, path, make_spider, registry_file):
    cls = SPIDERS[name]
    spider = make_spider(cls, registry_file(f"- {{name: Sample, ats: {name}, token: sample}}\n"))
    board = spider.boards[0]
    data = spider.decode(fixture_response("https://ats.example/list", path.read_bytes(), board=board.key))
    records = list(spider.postings(data, board))
    assert records, f"{path.name} has no postings"
    for raw in records:
        item = spider.to_item(raw, board)
        assert item.title
        assert is_http_url(item.url), item.url
        fields = normalize_posting({k: getattr(item.raw, k) for k in item.raw.__slots__}, NOW)
        assert fields["title"]
        assert fields["workplace"] in ("remote", "hybrid", "onsite")
        assert fields["posted_at"] is None or fields["posted_at"] <= "2026-11-20T12:00:00Z"
