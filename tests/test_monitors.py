"""Spidermon wiring: the job schema, and validation of what a crawl normalized."""

from __future__ import annotations

import jsonschema
import pytest
from scrapy.utils.test import get_crawler

from jobspiders import settings as project_settings
from jobspiders.items import JobItem
from jobspiders.monitors import JOB_SCHEMA, JobValidationPipeline


def job(**fields):
    base = {
        "id": "greenhouse:acme:1",
        "ats": "greenhouse",
        "board": "acme",
        "job_id": "1",
        "company": "Acme",
        "title": "Backend Engineer",
        "url": "https://x.example/1",
        "posted_at": "2026-11-19T00:00:00Z",
        "profiles": ["backend"],
    }
    return JobItem(**{**base, **fields})


@pytest.fixture
def pipeline():
    crawler = get_crawler(
        settings_dict={
            "SPIDERMON_ENABLED": True,
            "SPIDERMON_VALIDATION_SCHEMAS": project_settings.SPIDERMON_VALIDATION_SCHEMAS,
        }
    )
    return JobValidationPipeline.from_crawler(crawler), crawler.stats


def test_changed_items_are_validated_unchanged_ones_were_already(pipeline):
    validator, stats = pipeline
    validator.process_item(job())
    validator.process_item(job(url="javascript:alert(1)"))
    validator.process_item(job(unchanged=True, url="javascript:alert(1)"))
    assert stats.get_value("spidermon/validation/items") == 2
    assert stats.get_value("spidermon/validation/items/errors") == 1


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(JOB_SCHEMA)


def test_an_invalid_item_reports_every_error_by_field(pipeline):
    validator, stats = pipeline
    validator.process_item(job(url="javascript:alert(1)", skills=["Go Lang"], posted_at="yesterday"))
    assert stats.get_value("spidermon/validation/items/errors") == 1
    prefix = "spidermon/validation/fields/errors/regex_not_matched/"
    fields = {key.removeprefix(prefix) for key in stats.get_stats() if key.startswith(prefix)}
    assert fields == {"url", "skills.0", "posted_at"}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"url": "ftp://x.example/1"},
        {"company_url": None},
        {"company_url": "mailto:jobs@acme.example"},
        {"skills": ["go", "go"]},
        {"skills": ["c++", "c#", "node.js"]},
        {"salary": {"min": 1, "max": 2, "currency": "usd", "period": "year"}},
        {"locations": [{"city": "Berlin", "region": None, "country": "DEU"}]},
        {"workplace": "moon"},
        {"id": "no-colons"},
        {"posted_at": "2026-11-19T00:00:00+00:00"},
        {"title": None},
    ],
)
def test_the_compiled_schema_agrees_with_jsonschema(changes):
    from jobspiders.items import job_record
    from jobspiders.monitors import CompiledSchemaValidator

    record = job_record(job(**{key: value for key, value in changes.items() if key != "title"}))
    record.update(changes)
    ok, errors = CompiledSchemaValidator(JOB_SCHEMA).validate(record)
    assert ok == jsonschema.Draft202012Validator(JOB_SCHEMA).is_valid(record), errors
