from __future__ import annotations

import sqlite3

import pytest

from jobspiders.config import ConfigError
from jobspiders.store import SqliteStore, open_store

T1, T2, T3 = "2026-11-18T12:00:00Z", "2026-11-19T12:00:00Z", "2026-11-20T12:00:00Z"


def job(job_id: str, board: str = "acme", **fields):
    return {
        "id": f"greenhouse:{board}:{job_id}",
        "ats": "greenhouse",
        "board": board,
        "job_id": job_id,
        "title": "Backend Engineer",
        "company": "Acme",
        "dedup_key": f"acme|backend engineer|{job_id}",
        "posted_at": "2026-11-10T09:00:00Z",
        "date_source": "ats",
        **fields,
    }


@pytest.fixture
def store(tmp_path):
    opened = SqliteStore(tmp_path / "sub" / "jobs.db")
    yield opened
    opened.close()


def ids(store, since="2000-01-01T00:00:00Z"):
    return [record["id"] for record in store.open_jobs(since)]


def test_upsert_keeps_first_seen_and_updates_the_rest(store):
    assert store.upsert(job("1", title="Old"), T1) is True
    assert store.upsert(job("1", title="New"), T2) is False
    (record,) = store.open_jobs("2000-01-01")
    assert (record["title"], record["first_seen"], record["last_seen"]) == ("New", T1, T2)


def test_first_seen_dates_stay_the_first_sighting(store):
    store.upsert(job("1", posted_at=T1, date_source="first_seen"), T1)
    store.upsert(job("1", posted_at=T3, date_source="first_seen"), T3)
    (record,) = store.open_jobs("2000-01-01")
    assert record["posted_at"] == T1


def test_board_that_answered_closes_what_it_no_longer_lists(store):
    for job_id in "123":
        store.upsert(job(job_id), T1)
    store.upsert(job("9", board="other"), T1)
    assert store.finish_board("greenhouse", "acme", "ok", None, ["1", "3"], T2) == 1
    assert ids(store) == ["greenhouse:acme:1", "greenhouse:acme:3", "greenhouse:other:9"]
    # seen again later: open again
    store.upsert(job("2"), T3)
    assert "greenhouse:acme:2" in ids(store)


def test_empty_board_closes_everything_failed_board_closes_nothing(store):
    store.upsert(job("1"), T1)
    store.upsert(job("2", board="broken"), T1)
    assert store.finish_board("greenhouse", "broken", "failed", "HTTP 500", [], T2) == 0
    assert store.finish_board("greenhouse", "broken", "missing", "HTTP 404", [], T2) == 0
    assert store.finish_board("greenhouse", "acme", "empty", None, [], T2) == 1
    assert ids(store) == ["greenhouse:broken:2"]


def test_latest_board_outcomes(store):
    store.finish_board("greenhouse", "acme", "failed", "HTTP 500", [], T1)
    store.finish_board("greenhouse", "acme", "ok", None, [], T2)
    store.finish_board("lever", "x", "failed", "timeout", [], T2)
    assert store.latest_board_outcomes() == {("greenhouse", "acme"): "ok", ("lever", "x"): "failed"}


def test_open_jobs_since(store):
    store.upsert(job("old", posted_at="2026-10-01T00:00:00Z"), T1)
    store.upsert(job("new", posted_at="2026-11-19T00:00:00Z"), T1)
    assert ids(store, "2026-11-05T12:00:00Z") == ["greenhouse:acme:new"]


def test_data_survives_reopening(tmp_path):
    path = tmp_path / "jobs.db"
    first = SqliteStore(path)
    first.upsert(job("1"), T1)
    first.close()
    again = SqliteStore(path)
    assert ids(again) == ["greenhouse:acme:1"]
    again.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [("postgresql://user@host/db", "PostgreSQL store is not available"), ("mysql://x/y", "file path or")],
)
def test_open_store_rejects_unknown_urls(url, message):
    with pytest.raises(ConfigError, match=message):
        open_store(url)


def test_corrupt_database_is_a_config_error(tmp_path):
    path = tmp_path / "jobs.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError, match="not a usable SQLite database"):
        open_store(str(path))


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "jobs.db"
    SqliteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ConfigError, match="newer than this"):
        SqliteStore(path)
