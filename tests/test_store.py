"""One store suite, run against every backend: SQLite (a file) and PostgreSQL (a fresh schema per test).

PostgreSQL tests need a server: ``JOBS_TEST_POSTGRES_URL`` (``source .ci/services`` starts one). Without
it they skip with the reason, except with ``CI=true``, where a missing server fails the run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from urllib.parse import quote

import pytest
from scrapy.settings import Settings

from jobspiders.config import ConfigError, JobsConfig
from jobspiders.publish import list_ahead
from jobspiders.store import DIGEST, SCHEMA_VERSION, BoardAnswer, SqliteStore, open_store

T1, T2, T3 = "2026-11-18T12:00:00Z", "2026-11-19T12:00:00Z", "2026-11-20T12:00:00Z"
BACKENDS = ["sqlite", "postgresql"]


def require_server(kind: str, variable: str, probe: Callable[[str], object]) -> str:
    """The URL of a test server, or skip (fail under CI=true) saying why there is none."""
    url = os.environ.get(variable)
    if not url:
        reason = f"no {kind} server: {variable} is not set (`source .ci/services` starts one)"
    else:
        try:
            probe(url)
        except Exception as exc:
            reason = f"{kind} server of {variable}={url} does not answer: {exc}"
        else:
            return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true needs it", pytrace=False)
    pytest.skip(reason)


def postgres_server() -> str:
    def probe(url: str) -> None:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as db:
            db.execute("SELECT 1")

    return require_server("PostgreSQL", "JOBS_TEST_POSTGRES_URL", probe)


def with_schema(url: str, schema: str) -> str:
    """``url`` with every table in ``schema`` (libpq ``options=-c search_path=…``)."""
    option = quote(f"-csearch_path={schema}", safe="")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """A JOBS_DB URL of an empty schema of the test server, dropped afterwards."""
    import psycopg

    server = postgres_server()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(server, schema)
    finally:
        with psycopg.connect(server, autocommit=True) as db:
            db.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    """JOBS_DB of an empty store on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "sub" / "jobs.db")
    return request.getfixturevalue("fresh_postgres")


@pytest.fixture
def store(store_url):
    opened = open_store(store_url)
    yield opened
    opened.close()


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
    assert (record["posted_at"], record["date_source"]) == (T1, "first_seen")


def test_the_document_round_trips(store):
    salary = {"min": 70000, "max": 110000.5, "currency": "EUR", "period": "year"}
    record = job("1", salary=salary, skills=["go", "postgresql"], location='Zürich ✓ | "quoted"')
    store.upsert(record, T1)
    (stored,) = store.open_jobs("2000-01-01")
    assert stored == {**record, "first_seen": T1, "last_seen": T1}


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


def test_crawl_totals_newest_first(store):
    store.finish_board("greenhouse", "a", "ok", None, ["1", "2"], T1)
    store.finish_board("greenhouse", "b", "ok", None, ["1"], T1)
    store.finish_board("greenhouse", "a", "ok", None, ["1"], T2)
    store.finish_board("greenhouse", "a", "failed", "HTTP 500", [], T3)
    store.finish_board("lever", "x", "ok", None, ["1"] * 7, T3)
    assert store.crawl_totals("greenhouse") == [0, 1]
    assert store.crawl_totals("greenhouse", limit=5) == [0, 1, 3]
    assert store.crawl_totals("workday") == []


def test_board_history(store):
    store.finish_board("lever", "x", "ok", None, ["1", "2"], T2)
    store.finish_board("greenhouse", "acme", "failed", "HTTP 500", [], T2)
    store.finish_board("greenhouse", "acme", "ok", None, ["1"], T1)
    assert list(store.board_history()) == [
        ("greenhouse", "acme", T1, "ok", None, 1),
        ("greenhouse", "acme", T2, "failed", "HTTP 500", 0),
        ("lever", "x", T2, "ok", None, 2),
    ]


def test_learned_board_names(store):
    assert store.board_names() == {}
    store.learn_name("greenhouse", "10alabs", "10A Labs", T1)
    store.learn_name("greenhouse", "10alabs", "10A Labs Inc.", T2)  # the latest statement wins
    store.learn_name("lever", "x", "X", T2)
    assert store.board_names() == {("greenhouse", "10alabs"): "10A Labs Inc.", ("lever", "x"): "X"}


def test_open_jobs_since(store):
    store.upsert(job("old", posted_at="2026-10-01T00:00:00Z"), T1)
    store.upsert(job("new", posted_at="2026-11-19T00:00:00Z"), T1)
    assert ids(store, "2026-11-05T12:00:00Z") == ["greenhouse:acme:new"]


def test_ids_sort_bytewise_on_every_backend(store):
    for job_id in ("b", "B", "a-1", "a_1", "A", "ä"):
        store.upsert(job(job_id), T1)
    assert ids(store) == sorted(ids(store))  # Python's order: code points, as SQLite's BINARY


def test_data_survives_reopening(store_url):
    first = open_store(store_url)
    first.upsert(job("1"), T1)
    first.close()
    again = open_store(store_url)
    assert ids(again) == ["greenhouse:acme:1"]
    again.close()


WRITER = """
import sys
from jobspiders.store import open_store

url, name, start, count, seen_at = sys.argv[1:]
store = open_store(url)
new = 0
for n in range(int(start), int(start) + int(count)):
    job = {"id": f"greenhouse:acme:{n}", "ats": "greenhouse", "board": "acme", "job_id": str(n),
           "title": f"Job {n} by {name}", "company": "Acme", "dedup_key": f"k{n}",
           "posted_at": seen_at, "date_source": "first_seen"}
    new += store.upsert(job, seen_at)
store.finish_board("greenhouse", name, "ok", None, [], seen_at)
store.close()
print(new)
"""


def test_concurrent_writers_lose_and_duplicate_nothing(store_url):
    """Two processes write overlapping jobs into one store at once: every job once, seen new once."""
    open_store(store_url).close()  # both start on an existing schema, as crawls after the first do
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, store_url, name, start, "300", at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, start, at in (("w1", "0", T1), ("w2", "150", T2))
    ]
    outputs = [writer.communicate(timeout=120) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], outputs
    assert sum(int(out) for out, _ in outputs) == 450  # each job was new for exactly one writer
    store = open_store(store_url)
    try:
        records = list(store.open_jobs("2000-01-01"))
        assert len(records) == len({r["id"] for r in records}) == 450
        for record in records:
            # first_seen is the first writer's sighting; a first-seen date never moves
            assert record["posted_at"] == record["first_seen"]
            assert record["last_seen"] >= record["first_seen"]
        assert store.latest_board_outcomes() == {("greenhouse", "w1"): "ok", ("greenhouse", "w2"): "ok"}
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://nobody@127.0.0.1:1/db", "the PostgreSQL store is not available"),
        ("postgresql://user:s3cret@127.0.0.1:1/db", r"user:\*\*\*@127\.0\.0\.1"),
        ("mysql://x/y", "file path or"),
    ],
)
def test_open_store_rejects_unusable_urls(url, message):
    with pytest.raises(ConfigError, match=message) as raised:
        open_store(url)
    assert "s3cret" not in str(raised.value)


def test_corrupt_database_is_a_config_error(tmp_path):
    path = tmp_path / "jobs.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError, match="not a usable SQLite database"):
        open_store(str(path))


def test_newer_schema_is_refused_sqlite(tmp_path):
    path = tmp_path / "jobs.db"
    SqliteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ConfigError, match="newer than this"):
        SqliteStore(path)


def test_opening_an_up_to_date_sqlite_store_reads_while_a_crawl_writes(tmp_path):
    """Publishing opens the store (and each publish worker does) while a crawl may hold the write lock."""
    path = tmp_path / "jobs.db"
    store = SqliteStore(path)
    store.upsert(job("1"), T1)
    store.close()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a crawl's batch in progress
    writer.execute("UPDATE jobs SET last_seen = ?", (T2,))
    try:
        reader = SqliteStore(path)
        reader.db.execute("PRAGMA busy_timeout = 0")
        assert [record["id"] for record in reader.open_jobs("2000-01-01")] == ["greenhouse:acme:1"]
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_postgres_schema_is_created_once_and_versioned(fresh_postgres):
    import psycopg

    from jobspiders.store_postgres import SCHEMA_VERSION

    stores = [open_store(fresh_postgres) for _ in range(3)]  # the second and third find it migrated
    assert {s.schema_version() for s in stores} == {SCHEMA_VERSION}
    for opened in stores:
        opened.close()
    with psycopg.connect(fresh_postgres, autocommit=True) as db:
        assert db.execute("SELECT COUNT(*) FROM jobspiders_schema").fetchone() == (SCHEMA_VERSION,)
        db.execute("INSERT INTO jobspiders_schema (version) VALUES (99)")
    with pytest.raises(ConfigError, match="newer than this"):
        open_store(fresh_postgres)


# --- incremental re-crawls and batched writes (issue 8) ----------------------------------------------


def test_upsert_many_is_one_batch_and_counts_new_jobs(store):
    assert store.upsert_many([job("1"), job("2")], T1) == 2
    assert store.upsert_many([job("2", title="New"), job("3")], T2) == 1
    records = {r["id"]: r for r in store.open_jobs("2000-01-01")}
    assert sorted(records) == [job(n)["id"] for n in ("1", "2", "3")]
    assert (records[job("2")["id"]]["title"], records[job("2")["id"]]["first_seen"]) == ("New", T1)
    assert store.upsert_many([], T3) == 0


def test_raw_hash_is_kept_beside_the_document(store):
    store.upsert_many([job("1", raw_hash="h1"), job("2")], T1)
    assert store.raw_hashes("greenhouse") == ({job("1")["id"]: "h1"}, {})
    assert store.raw_hashes("lever") == ({}, {})
    (record, _) = store.open_jobs("2000-01-01")
    assert "raw_hash" not in record
    stored = store.stored_job(job("1")["id"])
    assert stored["title"] == "Backend Engineer"
    assert "raw_hash" not in stored
    assert stored["dedup_key"] == job("1")["dedup_key"]
    assert store.stored_job("greenhouse:acme:nope") is None


def test_board_jobs_are_the_open_jobs_of_one_board_as_stored_job_reads_them(store):
    store.upsert_many(
        [
            job("1", raw_hash="h1", description="Go & <b>SQL</b> ✓"),
            job("2"),
            job("3"),
            job("4", board="other"),
        ],
        T1,
    )
    store.finish_board("greenhouse", "acme", "ok", None, ["1", "2"], T2)  # closes 3
    found = store.board_jobs("greenhouse", "acme")
    assert sorted(found) == [job("1")["id"], job("2")["id"]]
    for job_id, record in found.items():
        assert record == store.stored_job(job_id)
    assert found[job("1")["id"]]["description"] == "Go & <b>SQL</b> ✓"
    assert list(store.board_jobs("greenhouse", "other")) == [job("4", board="other")["id"]]
    assert store.board_jobs("lever", "acme") == {}
    (one,) = store.board_jobs("greenhouse", "acme", limit=1).values()
    assert one == found[one["id"]]


def test_touch_bumps_last_seen_reopens_and_never_goes_back(store):
    store.upsert_many([job("1", raw_hash="h1"), job("2", raw_hash="h2")], T1)
    store.finish_board("greenhouse", "acme", "ok", None, ["2"], T2)  # closes 1
    assert ids(store) == [job("2")["id"]]
    store.touch(iter([job("1")["id"], job("2")["id"]]), T3)  # any iterable: the closed one reopens too
    records = {r["id"]: r for r in store.open_jobs("2000-01-01")}
    assert [(r["first_seen"], r["last_seen"]) for r in records.values()] == [(T1, T3), (T1, T3)]
    assert store.stored_job(job("1")["id"])["last_seen"] == T3
    store.touch([job("1")["id"]], T2)  # an older crawl committing late
    assert store.stored_job(job("1")["id"])["last_seen"] == T3
    store.touch([], T3)


def test_board_answers_are_kept_replaced_and_forgotten(store):
    entries = '[["greenhouse:acme:1","1","Backend Engineer \\u00e9 & <b>","https://x.example/1","h1"]]'
    store.remember_answers(
        "greenhouse",
        [BoardAnswer("acme", "d1", "Acme Inc", entries), BoardAnswer("beta", "d2", None, "[]")],
        [],
        T1,
    )
    store.remember_answers("lever", [BoardAnswer("acme", "d3", None, "[]")], [], T1)
    assert store.board_answers("greenhouse") == {
        "acme": BoardAnswer("acme", "d1", "Acme Inc", entries),
        "beta": BoardAnswer("beta", "d2", None, "[]"),
    }
    # one call replaces one board's answer and forgets another's; other ATS keep theirs
    store.remember_answers("greenhouse", [BoardAnswer("acme", "d1b", "Acme", "[]")], ["beta", "gone"], T2)
    assert store.board_answers("greenhouse") == {"acme": BoardAnswer("acme", "d1b", "Acme", "[]")}
    assert store.board_answers("lever") == {"acme": BoardAnswer("acme", "d3", None, "[]")}
    store.remember_answers("greenhouse", [], [], T3)
    assert store.board_answers("workday") == {}


def test_filtered_postings_are_remembered(store):
    store.remember_filtered([("greenhouse:acme:9", "greenhouse", "h9")], T1)
    store.remember_filtered([("greenhouse:acme:9", "greenhouse", "h9b"), ("lever:x:1", "lever", "l")], T2)
    store.remember_filtered([], T2)
    assert store.raw_hashes("greenhouse") == ({}, {"greenhouse:acme:9": "h9b"})
    assert ids(store) == []


def test_schema_1_database_is_migrated_in_place(tmp_path):
    path = tmp_path / "jobs.db"
    with sqlite3.connect(path) as db:  # a store written by the schema-1 code
        db.executescript(
            """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
               INSERT INTO meta VALUES ('schema_version', '1');
               CREATE TABLE jobs (id TEXT PRIMARY KEY, ats TEXT NOT NULL, board TEXT NOT NULL,
                   dedup_key TEXT NOT NULL, posted_at TEXT NOT NULL, date_source TEXT NOT NULL,
                   first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, closed_at TEXT, data TEXT NOT NULL);
               INSERT INTO jobs VALUES ('greenhouse:acme:1', 'greenhouse', 'acme', 'k',
                   '2026-11-10T09:00:00Z', 'ats', '2026-11-18T12:00:00Z', '2026-11-18T12:00:00Z', NULL,
                   '{"id": "greenhouse:acme:1", "last_seen": "2026-11-18T12:00:00Z", "title": "Old"}');"""
        )
    store = SqliteStore(path)
    try:
        assert [r["title"] for r in store.open_jobs("2000-01-01")] == ["Old"]
        assert store.raw_hashes("greenhouse") == ({}, {})  # no hash yet: normalized once more
        store.upsert(job("1", raw_hash="h1"), T2)
        assert store.raw_hashes("greenhouse")[0] == {"greenhouse:acme:1": "h1"}
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
    SqliteStore(path).close()  # opening again is a no-op


def test_schema_3_database_gets_the_digests_its_records_would_get_now(tmp_path):
    path = tmp_path / "jobs.db"
    store = SqliteStore(path)
    store.upsert(job("1", description="Go & <b>SQL</b> ✓"), T1)
    store.upsert(job("2"), T1)  # no description
    asked = ["greenhouse:acme:1", "greenhouse:acme:2"]
    written = {k: v.source for k, v in store.stored_documents(asked).items()}
    store.close()
    with sqlite3.connect(path) as db:  # as the schema-3 code left it: no digest column
        db.execute("ALTER TABLE jobs DROP COLUMN digest")
        db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    store = SqliteStore(path)
    try:
        assert {k: v.source for k, v in store.stored_documents(asked, digests_only=True).items()} == written
        assert len(set(written.values())) == 2
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )


def test_schema_2_database_moves_descriptions_to_their_column(tmp_path):
    path = tmp_path / "jobs.db"
    docs = [
        {"company": "Acme", "description": "Go & <b>SQL</b> ✓", "id": "greenhouse:acme:1", "title": "A"},
        {"company": "Acme", "id": "greenhouse:acme:2", "title": "No text"},
    ]
    with sqlite3.connect(path) as db:  # a store written by the schema-2 code: descriptions in `data`
        db.executescript(
            """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
               INSERT INTO meta VALUES ('schema_version', '2');
               CREATE TABLE jobs (id TEXT PRIMARY KEY, ats TEXT NOT NULL, board TEXT NOT NULL,
                   dedup_key TEXT NOT NULL, posted_at TEXT NOT NULL, date_source TEXT NOT NULL,
                   first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, closed_at TEXT, data TEXT NOT NULL,
                   raw_hash TEXT);"""
        )
        for doc in docs:
            db.execute(
                "INSERT INTO jobs VALUES (?, 'greenhouse', 'acme', 'k', ?, 'ats', ?, ?, NULL, ?, 'h')",
                (doc["id"], T1, T1, T1, json.dumps(doc, ensure_ascii=False, sort_keys=True)),
            )
    store = SqliteStore(path)
    try:
        full = list(store.open_jobs("2000-01-01"))
        assert full == [{**doc, "last_seen": T1} for doc in docs]
        assert [list(record) for record in full] == [[*doc, "last_seen"] for doc in docs]  # same order
        light = list(store.open_jobs("2000-01-01", descriptions=False))
        without = [{key: value for key, value in doc.items() if key != "description"} for doc in docs]
        assert light == [{**doc, "last_seen": T1} for doc in without]
        assert store.stored_job("greenhouse:acme:1")["description"] == "Go & <b>SQL</b> ✓"
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT data, description FROM jobs ORDER BY id").fetchall()
    assert ["description" in json.loads(data) for data, _ in rows] == [True, False]
    assert json.loads(rows[0][0])["description"] is None
    assert rows[0][1] == "Go & <b>SQL</b> ✓"
    assert rows[1][1] is None


def test_open_jobs_and_documents_with_or_without_descriptions(store):
    store.upsert(job("1", description="First ✓ <b>text</b>"), T1)
    store.upsert(job("2", description="Second"), T1)
    store.upsert(job("3"), T1)  # no description stored
    store.touch(["greenhouse:acme:2"], T2)
    light = {record["id"]: record for record in store.open_jobs("2000-01-01", descriptions=False)}
    assert set(light) == {"greenhouse:acme:1", "greenhouse:acme:2", "greenhouse:acme:3"}
    assert all("description" not in record for record in light.values())
    full = {record["id"]: record for record in store.open_jobs("2000-01-01")}
    assert full["greenhouse:acme:1"] == {**light["greenhouse:acme:1"], "description": "First ✓ <b>text</b>"}
    asked = ["greenhouse:acme:2", "greenhouse:acme:1", "greenhouse:acme:3", "greenhouse:acme:missing"]
    assert store.documents(asked) == {job_id: full[job_id] for job_id in asked[:3]}
    assert store.documents(asked, descriptions=False) == {job_id: light[job_id] for job_id in asked[:3]}
    assert store.documents(["greenhouse:acme:2"])["greenhouse:acme:2"]["last_seen"] == T2
    assert store.documents([]) == {}


def test_stored_documents_parse_to_the_records_and_change_only_with_them(store):
    """What a publish finds its cached feed entries by: the same bytes until the record changes
    (``last_seen`` aside); parsed, the record `documents` gives."""
    store.upsert(job("1", description="First ✓ <b>text</b>"), T1)
    store.upsert(job("2", description="Second"), T1)
    store.upsert(job("3"), T1)  # no description stored
    asked = ["greenhouse:acme:2", "greenhouse:acme:1", "greenhouse:acme:3", "greenhouse:acme:missing"]
    first = store.stored_documents(asked)
    assert set(first) == set(asked[:3])
    assert {job_id: stored.parse() for job_id, stored in first.items()} == store.documents(asked)
    assert {stored.last_seen for stored in first.values()} == {T1}
    assert len({stored.source for stored in first.values()}) == 3
    assert store.stored_documents([]) == {}
    # Only the sources (SQLite reads its digests alone), then each record on its own when asked
    light = store.stored_documents(asked, digests_only=True)
    assert {k: v.source for k, v in light.items()} == {k: v.source for k, v in first.items()}
    assert {k: v.parse() for k, v in light.items()} == store.documents(asked)

    store.touch(["greenhouse:acme:1", "greenhouse:acme:2", "greenhouse:acme:3"], T2)
    touched = store.stored_documents(asked)
    assert {job_id: stored.source for job_id, stored in touched.items()} == {
        job_id: stored.source for job_id, stored in first.items()
    }
    assert touched["greenhouse:acme:1"].last_seen == T2
    assert touched["greenhouse:acme:1"].parse()["last_seen"] == T2

    # Written again at the same time (the document keeps when it was written): only what the job says
    # makes a difference.
    for job_id in ("1", "2", "3"):
        store.upsert(job(job_id, description={"1": "First ✓ <b>text</b>", "2": "Second"}.get(job_id)), T2)
    rewritten = store.stored_documents(asked)
    store.upsert(job("1", description="First ✓ <b>text</b>"), T2)  # the same again
    again = store.stored_documents(asked)
    assert {k: v.source for k, v in again.items()} == {k: v.source for k, v in rewritten.items()}
    store.upsert(job("1", description="First ✓ <b>text</b>, edited"), T2)  # the description only
    store.upsert(job("2", description="Second", title="Staff Engineer"), T2)  # the document only
    store.upsert(job("3", description=""), T2)  # an empty description is not a missing one
    changed = store.stored_documents(asked)
    assert [changed[job_id].source != rewritten[job_id].source for job_id in asked[:3]] == [True] * 3
    assert changed["greenhouse:acme:1"].parse()["description"] == "First ✓ <b>text</b>, edited"
    assert changed["greenhouse:acme:2"].parse()["title"] == "Staff Engineer"


def test_open_stored_documents_are_those_of_the_open_jobs_posted_since_newest_first(tmp_path):
    """What a publish renders rows ahead from (SQLite only): every open job posted since, in the lists'
    order (newest first, then the greater id), as `stored_documents` makes them; and how many there are."""
    store = SqliteStore(tmp_path / "jobs.db")
    try:
        store.upsert(job("1", description="First ✓ <b>text</b>", posted_at="2026-11-10T09:00:00Z"), T1)
        store.upsert(job("2", posted_at="2026-10-01T09:00:00Z"), T1)  # posted before `since`
        store.upsert(job("3", description=None, posted_at="2026-11-12T09:00:00Z"), T1)
        store.upsert(job("4", board="other", posted_at="2026-11-13T09:00:00Z"), T1)
        store.upsert(job("5", posted_at="2026-11-10T09:00:00Z"), T1)  # the same second as 1
        store.finish_board("greenhouse", "other", "ok", None, [], T2)  # 4 is closed
        since = "2026-11-01T00:00:00Z"
        found = list(store.open_stored_documents(since))
        asked = ["greenhouse:acme:3", "greenhouse:acme:5", "greenhouse:acme:1"]
        expected = store.stored_documents(asked)
        assert [stored.parse()["id"] for stored in found] == asked
        assert [(stored.source, stored.last_seen) for stored in found] == [
            (expected[job_id].source, expected[job_id].last_seen) for job_id in asked
        ]
        assert {stored.parse()["id"]: stored.parse() for stored in found} == store.documents(asked)
        assert store.open_count(since) == 3
        assert store.open_count("2000-01-01T00:00:00Z") == 4
        assert list(store.open_stored_documents("2100-01-01T00:00:00Z")) == []
    finally:
        store.close()


def test_open_jobs_with_only_some_fields(store):
    salary = {"min": 70000, "max": None, "currency": "EUR", "annual_usd_min": 76000.5}
    store.upsert(job("1", salary=salary, skills=["go", "sql"], location='Zürich, "CH"'), T1)
    store.upsert(job("2", posted_at="1999-01-01T00:00:00Z"), T1)  # too old: not open since 2000
    store.touch(["greenhouse:acme:1"], T2)
    fields = ("id", "salary", "skills", "location", "title", "seniority")
    (record,) = store.open_jobs("2000-01-01", fields=fields)
    assert record == {
        "id": "greenhouse:acme:1",
        "salary": salary,
        "skills": ["go", "sql"],
        "location": 'Zürich, "CH"',
        "title": "Backend Engineer",
        "seniority": None,  # never stored
        "last_seen": T2,
    }
    (one,) = store.open_jobs("2000-01-01", fields=["company"])
    assert one == {"company": "Acme", "last_seen": T2}


def test_only_a_store_that_keeps_digests_is_listed_ahead_of_a_publish(store_url, tmp_path, monkeypatch):
    monkeypatch.setattr("jobspiders.publish._LISTING", None)  # the listing is let go with the test
    store = open_store(store_url)
    try:
        store.upsert(job("1"), "2026-11-20T12:00:00Z")
        (listed,) = store.open_jobs("2000-01-01", fields=("id", DIGEST))
    finally:
        store.close()
    config = JobsConfig.from_settings(
        Settings({"JOBS_DB": store_url, "JOBS_NOW": "2026-11-20T12:00:00Z", "OUTPUT_DIR": str(tmp_path)})
    )
    assert (listed[DIGEST] is not None) == store.keeps_digests
    assert list_ahead(config) == (1 if store.keeps_digests else 0)
