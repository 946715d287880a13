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
