"""The jsonlines feed exporter: the same items as Scrapy's own exporter, whatever falls back to it."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, datetime

import pytest
from scrapy.exporters import JsonLinesItemExporter
from scrapy.settings import Settings

from jobspiders import settings as project_settings
from jobspiders.exporters import JsonLinesExporter
from jobspiders.items import EXPORTED_FIELDS, JobItem

UGLY = JobItem(
    id="greenhouse:acme:1",
    ats="greenhouse",
    board="acme",
    job_id="1",
    company='Acme "Ünïcødé" <b>&amp;</b>',
    title="Backend\u2028Engineer \x00\ud7ff ✓",
    url="https://boards.greenhouse.io/acme/jobs/1",
    location="Zürich, Switzerland",
    locations=[{"city": "Zürich", "region": None, "country": "CH"}],
    salary={"min": 1e20, "max": 120000.5, "currency": "CHF", "period": "year"},
    skills=["go", "c++"],
    profiles=["backend"],
    description='line 1\nline 2\t"quoted"\\',
    posted_at="2026-11-20T12:00:00Z",
)


def lines(exporter_class, items, **kwargs):
    buffer = io.BytesIO()
    exporter = exporter_class(buffer, **kwargs)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return buffer.getvalue()


def parse(data: bytes, encoding: str) -> list[dict]:
    # JSON lines end at "\n" only: str.splitlines would also cut at the U+2028 inside a title.
    return [json.loads(line) for line in data.decode(encoding).split("\n") if line]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fields_to_export": list(EXPORTED_FIELDS), "encoding": "utf-8"},
        {"fields_to_export": ["id", "title", "salary"], "encoding": "UTF8"},
        {"fields_to_export": {"id": "job", "title": "name"}, "encoding": "utf-8"},  # renamed: Scrapy's path
        {"fields_to_export": list(EXPORTED_FIELDS), "encoding": "latin-1"},  # not UTF-8: Scrapy's path
        {"encoding": "utf-8"},  # every field, raw included: Scrapy's path
    ],
)
def test_same_items_as_scrapys_exporter(kwargs):
    items = [UGLY, dataclasses.replace(UGLY, id="greenhouse:acme:2", salary=None, locations=[])]
    if kwargs["encoding"] == "latin-1":  # Scrapy itself cannot write the others in it
        items = [dataclasses.replace(item, title="Zürich backend", company="Acme") for item in items]
    ours = lines(JsonLinesExporter, items, **kwargs)
    theirs = lines(JsonLinesItemExporter, items, **kwargs)
    decoded, expected = (parse(data, kwargs["encoding"]) for data in (ours, theirs))
    assert decoded == expected
    assert [list(doc) for doc in decoded] == [list(doc) for doc in expected]  # same key order
    assert len(decoded) == 2


def test_values_orjson_leaves_alone_go_through_scrapys_encoder():
    when = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    item = dataclasses.replace(UGLY, posted_at=when, skills={"go"})  # a date and a set: not JSON types
    kwargs = {"fields_to_export": ["id", "posted_at", "skills"], "encoding": "utf-8"}
    assert lines(JsonLinesExporter, [item], **kwargs) == lines(JsonLinesItemExporter, [item], **kwargs)


def test_a_field_serializer_is_honoured():
    @dataclasses.dataclass
    class Priced:
        name: str
        price: float = dataclasses.field(metadata={"serializer": lambda value: f"${value:.2f}"})

    kwargs = {"fields_to_export": ["name", "price"], "encoding": "utf-8"}
    assert json.loads(lines(JsonLinesExporter, [Priced("tea", 2.5)], **kwargs)) == {
        "name": "tea",
        "price": "$2.50",
    }


def test_the_project_exports_its_jsonlines_feeds_with_it():
    settings = Settings()
    settings.setmodule(project_settings)
    assert settings.getdict("FEED_EXPORTERS")["jsonlines"] == "jobspiders.exporters.JsonLinesExporter"
    (feed,) = settings.getdict("FEEDS").values()
    assert feed["format"] == "jsonlines"
