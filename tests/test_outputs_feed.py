"""feed.atom: valid Atom 1.0 (RFC 4287's RELAX NG schema, tests/data/atom/), parsed back by feedparser,
stable entry ids, only jobs first seen in the last JOBS_MAX_AGE_DAYS days, hostile board text kept as text."""

from __future__ import annotations

import uuid
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from scrapy.settings import Settings

from jobspiders.config import JobsConfig
from jobspiders.publish import FEED_NAMESPACE, entry_id, publish
from jobspiders.store import SqliteStore
from tests.test_publish import NOW, fill, record

SCHEMA = Path(__file__).parent / "data" / "atom" / "atom.rng"
HOSTILE = [
    record(
        "pipe",
        title="Backend | Engineer [Go] ![x](https://evil.example) <script>alert(1)</script>",
        company="Evil <b>&</b> Co\x00\x1b[31m",
        url="https://job-boards.greenhouse.io/acme/jobs/pipe?a=1&b=<2>",
        description="Line one\nLine two\x07 with \ufffe <![CDATA[ ]]> & done",
        skills=["go", "c#\x01"],
    ),
    record("js", title="Backend Engineer", url="javascript:alert(1)", company_url="javascript:alert(2)"),
    record("rtl", title="מפתח Backend בכיר \u202eevil\u202c", company="חברה"),
    record("long", title="Backend Engineer " + "x" * 5000, company="", description=""),
]


@pytest.fixture(scope="module")
def schema():
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def published_feed(tmp_path, rows, profile="backend"):
    config = fill(tmp_path, [dict(row, dedup_key=row["id"]) for row in rows])
    publish(config)
    return (config.output_dir / profile / "feed.atom").read_bytes()


def test_feed_is_valid_atom_and_parses_back(tmp_path, schema):
    feed = published_feed(tmp_path, HOSTILE)
    document = etree.fromstring(feed)  # well-formed XML despite control characters in the board text
    assert schema.validate(document), schema.error_log
    # the schema's Schematron rules, which lxml does not run: a feed author, and content in every entry
    atom = "{http://www.w3.org/2005/Atom}"
    assert document.find(f"{atom}author/{atom}name").text == "jobspiders"
    assert all(entry.find(f"{atom}content") is not None for entry in document.iter(f"{atom}entry"))
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Backend developer Jobs 2026"
    by_id = {entry.id: entry for entry in parsed.entries}
    assert set(by_id) == {entry_id(f"greenhouse:acme:{key}") for key in ("pipe", "js", "rtl", "long")}
    pipe = by_id[entry_id("greenhouse:acme:pipe")]
    assert pipe.title == (
        "Backend | Engineer [Go] ![x](https://evil.example) <script>alert(1)</script> at Evil <b>&</b> Co[31m"
    )
    assert pipe.link == "https://job-boards.greenhouse.io/acme/jobs/pipe?a=1&b=<2>"
    assert pipe.content[0].type == "text/plain"
    assert pipe.content[0].value == "Line one Line two with <![CDATA[ ]]> & done"
    assert [tag.term for tag in pipe.tags] == ["go", "c#"]
    assert pipe.updated == NOW  # first seen
    assert pipe.published == "2026-11-15T09:00:00Z"
    js = by_id[entry_id("greenhouse:acme:js")]
    assert js.link == js.id  # no entry link for a javascript: URL (feedparser falls back to the id)
    assert "javascript" not in feed.decode()
    rtl = by_id[entry_id("greenhouse:acme:rtl")]
    assert "\u202e" not in rtl.title
    long = by_id[entry_id("greenhouse:acme:long")]
    assert len(long.title) <= 160 + len(" at ")


@pytest.mark.parametrize("job_id", ["greenhouse:acme:1", "lever:zürich-ünï:ab12", "", "x" * 500])
def test_entry_id_is_the_uuid5_of_the_job_id(job_id):
    assert entry_id(job_id) == f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, 'job:' + job_id)}"


def test_entry_ids_are_stable_across_crawls_and_lists(tmp_path):
    rows = [record("1", profiles=["backend", "fullstack"]), record("2")]
    first = feedparser.parse(published_feed(tmp_path / "a", rows))
    store = SqliteStore(tmp_path / "a" / "jobs.db")
    for row in rows:  # seen again a day later
        store.upsert(row, "2026-11-21T12:00:00Z")
    store.close()
    config = JobsConfig.from_settings(
        Settings(
            {
                "JOBS_NOW": "2026-11-21T12:00:00Z",
                "JOBS_DB": str(tmp_path / "a" / "jobs.db"),
                "OUTPUT_DIR": str(tmp_path / "a" / "out"),
            }
        )
    )
    publish(config)
    again = feedparser.parse((config.output_dir / "backend" / "feed.atom").read_bytes())
    fullstack = feedparser.parse((config.output_dir / "fullstack" / "feed.atom").read_bytes())
    assert [(e.id, e.updated) for e in again.entries] == [(e.id, e.updated) for e in first.entries]
    assert again.feed.id == first.feed.id != fullstack.feed.id
    assert [e.id for e in fullstack.entries] == [entry_id("greenhouse:acme:1")]


def test_feed_has_only_jobs_first_seen_in_the_last_days(tmp_path, schema):
    store = SqliteStore(tmp_path / "jobs.db")
    store.upsert(record("old", dedup_key="o", posted_at="2026-11-19T00:00:00Z"), "2026-11-01T00:00:00Z")
    store.upsert(record("new", dedup_key="n", posted_at="2026-11-10T00:00:00Z"), "2026-11-18T00:00:00Z")
    store.close()
    config = JobsConfig.from_settings(
        Settings({"JOBS_NOW": NOW, "JOBS_DB": str(tmp_path / "jobs.db"), "OUTPUT_DIR": str(tmp_path / "out")})
    )
    assert publish(config).count == 2  # both are in the list (posted_at is recent)
    feed = (config.output_dir / "backend" / "feed.atom").read_bytes()
    assert schema.validate(etree.fromstring(feed)), schema.error_log
    assert [e.id for e in feedparser.parse(feed).entries] == [entry_id("greenhouse:acme:new")]


def test_empty_feed_is_valid(tmp_path, schema):
    feed = published_feed(tmp_path, [record("1")], profile="mobile")
    assert schema.validate(etree.fromstring(feed)), schema.error_log
    parsed = feedparser.parse(feed)
    assert not parsed.bozo
    assert parsed.entries == []


def test_schema_rejects_a_broken_feed(schema):
    broken = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>now</updated></feed>'
    assert not schema.validate(etree.fromstring(broken))
