"""The jsonlines feed exporter: the same items as Scrapy's own exporter, whatever falls back to it."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, datetime

import pytest
from scrapy.exporters import JsonLinesItemExporter
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.settings import Settings

from jobspiders import settings as project_settings
from jobspiders.exporters import FEED_WRITE_BUFFER, BufferedFileFeedStorage, JsonLinesExporter
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
    storages = settings.getdict("FEED_STORAGES")
    assert storages[""] == storages["file"] == "jobspiders.exporters.BufferedFileFeedStorage"


@pytest.mark.parametrize("overwrite", [True, False])
@pytest.mark.parametrize("uri", ["{dir}/new/folder/items.jsonl", "file://{dir}/new/folder/items.jsonl"])
def test_buffered_feed_storage_writes_what_scrapys_storage_writes(tmp_path, uri, overwrite):
    written = {}
    for name, storage_class in (("ours", BufferedFileFeedStorage), ("scrapy", FileFeedStorage)):
        folder = tmp_path / name
        target = uri.format(dir=folder)
        path = folder / "new" / "folder" / "items.jsonl"
        path.parent.mkdir(parents=True)  # missing folders: the next test
        for batch in (b'{"id": 1}\n', b'{"id": "\xc3\xbc"}\n'):  # two crawls into the same file
            storage = storage_class(target, feed_options={"overwrite": overwrite})
            handle = storage.open(spider=None)
            handle.write(batch)
            storage.store(handle)
        written[name] = path.read_bytes()
    assert written["ours"] == written["scrapy"]
    assert written["ours"].count(b"\n") == (1 if overwrite else 2)


def test_buffered_feed_storage_creates_missing_folders_and_buffers_a_megabyte(tmp_path):
    path = tmp_path / "a" / "b" / "items.jsonl"
    storage = BufferedFileFeedStorage(str(path), feed_options={"overwrite": True})
    handle = storage.open(spider=None)
    line = b"x" * 2500 + b"\n"
    for _ in range(FEED_WRITE_BUFFER // len(line)):
        handle.write(line)
    assert path.stat().st_size == 0  # Scrapy's 8 KB buffer would have written most of it by now
    handle.write(line * 2)
    assert path.stat().st_size > 0
    storage.store(handle)
    assert path.stat().st_size == (FEED_WRITE_BUFFER // len(line) + 2) * len(line)
