"""The publish cache (jobspiders/publish_cache.py): the files are the same with it, without it, cold or
warm; a changed record, code or template is rendered again; a damaged, unreadable or unwritable cache is
never a reason for a publish to fail."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import pytest

import jobspiders.publish as publishing
import jobspiders.store
from jobspiders import publish_cache
from jobspiders.config import JobsConfig
from jobspiders.normalize.profiles import load_profiles
from jobspiders.publish import (
    PARTS,
    READ_FIELDS,
    PublishRefused,
    RenderAhead,
    _documents,
    _stored,
    listed,
    make_environment,
    publish,
    streaming_environment,
)
from jobspiders.publish_cache import (
    ENTRY,
    MAGIC,
    SALT_SIZE,
    AheadFile,
    CacheSpec,
    FragmentFile,
    code_digest,
    entry,
    has_file,
    new_spec,
    sweep,
)
from jobspiders.store import DIGEST, SqliteStore
from tests.test_outputs_files import HOSTILE, settings_for, snapshot
from tests.test_publish import NOW, fill, record

CACHE = ".publish-cache"
JOBS = [
    *HOSTILE,
    record("plain", posted_at="2026-11-15T08:00:00Z"),
    record(
        "fs", profiles=["backend", "fullstack"], title="Full-stack Engineer", posted_at="2026-11-14T08:00:00Z"
    ),
]


def outputs(config: JobsConfig) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(config.output_dir).items() if not name.startswith(CACHE)}


def counts(caplog: pytest.LogCaptureFixture) -> dict[str, tuple[int, int]]:
    """(rendered, cached) of every list and feed part written since the last clear, by "list.part"."""
    found = {}
    for message in caplog.messages:
        if message.startswith("Wrote the ") and " rows rendered, " in message:
            words = message.split()
            part, name = words[2], Path(words[4]).name
            rendered, cached = message.rsplit("(", 1)[1].split(" rows rendered, ")
            found[f"{name}.{part}"] = (int(rendered), int(cached.split()[0]))
    return found


def entries(path: Path) -> list[bytes]:
    """The record hashes a cache file holds, in order."""
    data = path.read_bytes()
    assert data.startswith(MAGIC)
    keys, offset = [], len(MAGIC) + SALT_SIZE
    while offset < len(data):
        key, length = ENTRY.unpack_from(data, offset)
        keys.append(key)
        offset += ENTRY.size + length
    assert offset == len(data)
    return keys


def without_cache(config: JobsConfig, tmp_path: Path) -> dict[str, bytes]:
    plain = settings_for(tmp_path, OUTPUT_DIR=str(tmp_path / "plain"), JOBS_PUBLISH_CACHE_ENABLED="False")
    assert plain.db == config.db
    assert plain.publish_cache is None
    publish(plain)
    assert not (plain.output_dir / CACHE).exists()
    return outputs(plain)


def test_cold_and_warm_publishes_write_the_files_a_publish_without_cache_writes(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="jobspiders.publish")
    config = fill(tmp_path, JOBS)
    assert config.publish_cache == config.output_dir / CACHE
    expected = without_cache(config, tmp_path)

    caplog.clear()
    publish(config)
    cold = counts(caplog)
    # backend: 6 jobs, fullstack: 1 (list and feed parts); the other lists are empty
    assert {part: n for part, n in cold.items() if n != (0, 0)} == {
        "backend.list": (6, 0),
        "backend.feed": (6, 0),
        "fullstack.list": (1, 0),
        "fullstack.feed": (1, 0),
    }
    assert outputs(config) == expected
    folder = config.output_dir / CACHE
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{part}.fragments" for part in cold)
    assert len(entries(folder / "backend.list.fragments")) == 6

    written = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    caplog.clear()
    publish(config)
    warm = counts(caplog)
    assert warm == {part: (0, rendered) for part, (rendered, _) in cold.items()}
    assert outputs(config) == expected
    # nothing rendered, nothing unused: the files of the cold publish are left as they are
    assert {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()
    } == written


def test_the_next_days_list_is_served_from_the_cache(tmp_path, caplog):
    # A re-crawl that finds every posting unchanged moves only their last_seen (jobs.json, jobs.csv):
    # the rows and entries are still the cached ones, the files what a publish without cache writes.
    # A nested look-alike of last_seen with its value: the line is not cut, the record is parsed. One
    # with another value is cut where the record's own value is.
    odd = record("odd", posted_at="2026-11-13T08:00:00Z", notes={"last_seen": NOW})
    alike = record(
        "alike", posted_at="2026-11-12T08:00:00Z", notes={"last_seen": None, "x": [{"last_seen": 1}]}
    )
    config = fill(tmp_path, [*JOBS, odd, alike])
    publish(config)
    store = SqliteStore(config.db)
    store.touch([job["id"] for job in [*JOBS, odd, alike]], "2026-11-20T13:00:00Z")
    store.close()

    caplog.set_level(logging.DEBUG, logger="jobspiders.publish")
    parsed: list[str] = []
    reads: list[tuple[int, bool]] = []
    parse, read_one = jobspiders.store._parsed, SqliteStore.stored_job
    read = SqliteStore.stored_documents

    def reading(self, ids, *, digests_only=False):
        reads.append((len(ids), digests_only))
        return read(self, ids, digests_only=digests_only)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jobspiders.store, "_parsed", lambda *args: parsed.append(args[-1]) or parse(*args))
        patch.setattr(SqliteStore, "stored_job", lambda self, i: parsed.append(i) or read_one(self, i))
        patch.setattr(SqliteStore, "stored_documents", reading)
        publish(config)
    assert sum(rendered for rendered, _ in counts(caplog).values()) == 0
    # a cached row or entry is not even parsed; but the odd record's jobs.json line (every list it is in)
    assert parsed == [odd["id"]] * sum(1 for name in odd["profiles"] if name in load_profiles())
    # nor read: the rows were listed with their digests, the store is not asked again for them
    assert reads == []
    published = outputs(config)
    assert published == without_cache(config, tmp_path)
    assert published["backend/jobs.csv"].count(b",2026-11-20T13:00:00Z,") == len(JOBS) + 2
    assert published["backend/jobs.json"].count(b'"last_seen":"2026-11-20T13:00:00Z"') == len(JOBS) + 2


def test_a_changed_record_is_rendered_again_and_appended(tmp_path, caplog):
    config = fill(tmp_path, JOBS)
    publish(config)
    cache_file = config.output_dir / CACHE / "backend.list.fragments"
    before = entries(cache_file)
    store = SqliteStore(config.db)
    store.upsert(record("plain", title="Staff Backend Engineer", posted_at="2026-11-15T08:00:00Z"), NOW)
    store.close()

    caplog.set_level(logging.DEBUG, logger="jobspiders.publish")
    records_read: list[list[str]] = []
    read = SqliteStore.stored_documents

    def reading(self, ids, *, digests_only=False):
        if not digests_only:
            records_read.append(list(ids))
        return read(self, ids, digests_only=digests_only)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SqliteStore, "stored_documents", reading)
        publish(config)
    # the job is in the backend list (jobs.json/csv/page and feed: two parts); nothing else changed
    assert sum(rendered for rendered, _ in counts(caplog).values()) == 2
    # and only its record was read, once for each part
    assert records_read == [[record("plain")["id"]]] * 2
    page = (config.output_dir / "backend" / "index.html").read_text()
    assert "Staff Backend Engineer" in page
    assert "Staff Backend Engineer" in (config.output_dir / "backend" / "feed.atom").read_text()
    assert outputs(config) == without_cache(config, tmp_path)
    after = entries(cache_file)
    # appended to the last file: its old row stays until unused rows are UNUSED_MAX_SHARE of it
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1


def test_a_changed_description_alone_renders_the_feed_entry_again(tmp_path, caplog):
    # Feed entries are found by the stored bytes of a record, and the description is stored apart.
    config = fill(tmp_path, JOBS)
    publish(config)
    store = SqliteStore(config.db)
    changed = record("plain", posted_at="2026-11-15T08:00:00Z", description="Now with Kafka & <b>Rust</b>.")
    store.upsert(changed, NOW)
    store.close()

    caplog.set_level(logging.DEBUG, logger="jobspiders.publish")
    publish(config)
    assert {part: n for part, n in counts(caplog).items() if n[0]} == {
        "backend.list": (1, 5),
        "backend.feed": (1, 5),
    }
    feed = (config.output_dir / "backend" / "feed.atom").read_text()
    assert "Now with Kafka &amp; &lt;b&gt;Rust&lt;/b&gt;." in feed
    assert outputs(config) == without_cache(config, tmp_path)


def test_a_feed_entry_is_found_by_its_listed_locations_too(tmp_path):
    # JOBS_DEDUP=role gives a row the locations of its duplicates: the entry shows them.
    config = fill(tmp_path, JOBS)
    rows = [{"id": job["id"], "location": job["location"], "locations": job["locations"]} for job in JOBS]
    store = SqliteStore(config.db)
    cache = FragmentFile.open(new_spec(tmp_path / "cache", streaming_environment(make_environment())), "p")
    try:
        keys = [key for key, _ in _stored(store, rows, cache)]
        merged = [{**row, "location": "Berlin, Germany; Remote"} for row in rows]
        merged_keys = [key for key, _ in _stored(store, merged, cache, batch=2)]
    finally:
        cache.close(keep=False)
        store.close()
    assert len(keys) == len(JOBS) == len(set(keys))
    assert not set(keys) & set(merged_keys)


def test_a_role_row_is_rendered_again_when_its_duplicates_change_its_locations(tmp_path, caplog):
    # JOBS_DEDUP=role: the kept record's stored bytes stay the same when another posting of its role
    # comes or goes, but its row lists their locations: it must not be served from the cache.
    berlin = record("role-berlin", posted_at="2026-11-15T08:00:00Z", title="Platform Engineer")
    lisbon = record(
        "role-lisbon",
        posted_at="2026-11-16T08:00:00Z",
        title="Platform Engineer",
        location="Lisbon, Portugal",
        locations=[{"city": "Lisbon", "region": None, "country": "PT"}],
    )
    fill(tmp_path, [*JOBS, berlin])
    config = settings_for(tmp_path, JOBS_DEDUP="role")
    publish(config)
    page = (config.output_dir / "backend" / "index.html").read_text()
    assert "Lisbon" not in page
    store = SqliteStore(config.db)
    store.upsert(lisbon, NOW)
    store.close()
    caplog.set_level(logging.DEBUG, logger="jobspiders.publish")
    publish(config)
    assert "Berlin, Germany; Lisbon, Portugal" in (config.output_dir / "backend" / "index.html").read_text()
    plain = settings_for(
        tmp_path, JOBS_DEDUP="role", OUTPUT_DIR=str(tmp_path / "plain"), JOBS_PUBLISH_CACHE_ENABLED="False"
    )
    publish(plain)
    assert outputs(config) == outputs(plain)
    # only the merged row was rendered again (its list row and its feed entry)
    assert counts(caplog)["backend.list"][0] == 1
    assert counts(caplog)["backend.feed"][0] == 1


def test_a_row_no_longer_in_the_store_is_left_out_in_order(tmp_path):
    # Between listing the jobs and reading their records back a batch at a time, a job may be gone.
    config = fill(tmp_path, JOBS)
    rows = [{"id": job["id"], "location": job["location"], "locations": job["locations"]} for job in JOBS]
    rows.insert(3, {"id": "greenhouse:acme:gone", "location": "Nowhere", "locations": []})
    store = SqliteStore(config.db)
    cache = FragmentFile.open(new_spec(tmp_path / "cache", streaming_environment(make_environment())), "p")
    try:
        published = [doc["id"] for doc in _documents(store, rows, descriptions=False, batch=2)]
        stored = [row["id"] for _, (_, row) in _stored(store, rows, cache, batch=2)]
    finally:
        cache.close(keep=False)
        store.close()
    assert published == stored == [job["id"] for job in JOBS]


def test_listed_digests_find_cached_rows_without_the_store_and_read_the_others(tmp_path):
    # Rows listed with their records' digests (SQLite): a warm publish asks the store only for the
    # records its cache lacks, and leaves out one gone from the store since it was listed.
    config = fill(tmp_path, JOBS)
    store = SqliteStore(config.db)
    rows = [listed(doc) for doc in store.open_jobs("2000-01-01", fields=READ_FIELDS)]
    assert all(len(row[DIGEST]) == 16 and row["last_seen"] == NOW for row in rows)
    spec = new_spec(tmp_path / "cache", streaming_environment(make_environment()))
    warm = FragmentFile.open(spec, "p")
    list(warm.rendered(_stored(store, rows[:3], warm, merged=False), lambda pair: ("x",)))
    warm.close()
    gone = rows[4]["id"]
    store.db.execute("DELETE FROM jobs WHERE id = ?", (gone,))
    store.db.commit()
    reads: list[list[str]] = []
    read = store.stored_documents
    store.stored_documents = lambda ids, digests_only=False: reads.append(list(ids)) or read(ids)
    cache = FragmentFile.open(spec, "p")
    try:
        pairs = list(_stored(store, rows, cache, batch=4, merged=False))
    finally:
        cache.close(keep=False)
        store.close()
    assert [row["id"] for _, (_, row) in pairs] == [row["id"] for row in rows if row["id"] != gone]
    # the three cached rows cost no query; the other rows' records were read, one query a batch
    assert len(rows) == 6
    assert [set(ids) for ids in reads] == [{rows[3]["id"]}, {row["id"] for row in rows[4:]}]
    assert [stored.loaded for _, (stored, _) in pairs] == [False] * 3 + [True] * (len(rows) - 4)
    assert [key for key, _ in pairs[:3]] == [FragmentFile.key(row[DIGEST]) for row in rows[:3]]


def test_rows_listed_ahead_are_used_again_where_their_records_did_not_change(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "_LISTING", None)  # the listing is let go with the test
    # `list_ahead` (the publish process, while the crawl runs), then the crawl's writes: the publish
    # reads the records that changed or came, and lists what a publish that did not list ahead lists.
    jobs = [record(str(i), dedup_key=str(i), posted_at=f"2026-11-1{i}T08:00:00Z") for i in range(6)]
    config = fill(tmp_path, jobs)
    assert publishing.list_ahead(config) == len(jobs)
    store = SqliteStore(config.db)
    store.upsert({**jobs[0], "title": "Changed Title"}, "2026-11-20T13:00:00Z")
    store.upsert(record("new", dedup_key="new"), "2026-11-20T13:00:00Z")
    store.touch([jobs[1]["id"]], "2026-11-20T14:00:00Z")
    store.finish_board("greenhouse", "acme", "ok", None, [j["job_id"] for j in jobs[:5]] + ["new"], NOW)
    reads: list[list[str]] = []
    read = store.stored_documents
    store.stored_documents = lambda ids, digests_only=False: reads.append(list(ids)) or read(ids)
    again, _ = publishing._read_store(store, config, force=False)
    assert publishing._LISTING is None  # used once
    fresh, _ = publishing._read_store(store, config, force=False)
    store.close()
    assert again == fresh
    assert [set(ids) for ids in reads] == [{jobs[0]["id"], record("new")["id"]}]
    by_id = {row["id"]: row for row in again}
    assert by_id[jobs[0]["id"]]["title"] == "Changed Title"
    assert by_id[jobs[1]["id"]]["last_seen"] == "2026-11-20T14:00:00Z"
    assert jobs[5]["id"] not in by_id  # closed by its board


def test_a_listing_of_another_store_or_age_limit_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "_LISTING", None)  # the listing is let go with the test
    config = fill(tmp_path, [record("1")])
    publishing.list_ahead(config)
    other = settings_for(tmp_path, JOBS_MAX_AGE_DAYS="3")
    assert publishing._take_listing(other, publishing._since(other)) is None
    assert publishing._LISTING is None


def test_a_publish_of_one_profile_keeps_the_other_lists_files(tmp_path):
    config = fill(tmp_path, JOBS)
    publish(config)
    folder = config.output_dir / CACHE
    before = snapshot(folder)
    publish(config, "fullstack")
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if not k.startswith("fullstack.")} == {
        k: v for k, v in before.items() if not k.startswith("fullstack.")
    }
    assert after["fullstack.list.fragments"] == before["fullstack.list.fragments"]  # same jobs, same code


def test_a_template_change_renders_every_row_again(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="jobspiders.publish")
    config = fill(tmp_path, JOBS)
    publish(config)
    cold = counts(caplog)
    caplog.clear()
    templates = tmp_path / "templates"
    source = Path(make_environment().loader.searchpath[0])  # type: ignore[union-attr]
    for path in source.rglob("*"):
        if path.is_file():
            target = templates / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    row = templates / "index-row.html.j2"
    row.write_text(row.read_text().replace('<td data-label="Type">', '<td data-label="Type" class="kind">'))
    env = make_environment(templates)
    assert code_digest(streaming_environment(env)) != code_digest(streaming_environment(make_environment()))

    import jobspiders.publish as publishing

    original = publishing.make_environment
    try:
        publishing.make_environment = lambda template_dir=None: original(template_dir or templates)
        publish(config)
    finally:
        publishing.make_environment = original
    assert counts(caplog) == cold  # as many rendered as with an empty cache
    assert 'class="kind"' in (config.output_dir / "backend" / "index.html").read_text()


T = TypeVar("T")


def keyed(items: list[tuple[bytes, T]]) -> list[tuple[bytes, T]]:
    """``items`` by the cache `FragmentFile.key` of their records."""
    return [(FragmentFile.key(record), value) for record, value in items]


def run(spec: CacheSpec, part: str, items: list[tuple[bytes, str]], calls: list[str]) -> list[list[str]]:
    """``items`` through the cache of ``part``, rendered as ``<value>`` and ``VALUE``."""

    def render(value: str) -> tuple[str, str]:
        calls.append(value)
        return (f"<{value}>", value.upper())

    cache = FragmentFile.open(spec, part)
    assert cache is not None
    try:
        out = [list(texts) for _, texts in cache.rendered(keyed(items), render)]
    except BaseException:
        cache.close(keep=False)
        raise
    cache.close()
    return out


def test_rendered_gives_cached_texts_only_for_the_same_record_part_and_code(tmp_path):
    calls: list[str] = []
    spec = CacheSpec(tmp_path, b"a" * 32)
    items = [(b'{"id":1}', "one"), (b'{"id":2}', "two")]
    first = run(spec, "backend.list", items, calls)
    assert first == [["<one>", "ONE"], ["<two>", "TWO"]]
    assert calls == ["one", "two"]
    calls.clear()
    assert run(spec, "backend.list", items, calls) == first  # same records: from the cache
    assert calls == []
    # a changed record, another part, another code digest: rendered again
    assert run(spec, "backend.list", [(b'{"id":1,"x":0}', "one"), items[1]], calls) == [
        ["<one>", "ONE"],
        first[1],
    ]
    assert calls == ["one"]
    run(spec, "backend.feed", items[:1], calls)
    run(CacheSpec(tmp_path, b"b" * 32), "backend.list", items[:1], calls)
    assert calls == ["one", "one", "one"]
    # each file holds what its last publish used, nothing more
    assert len(entries(tmp_path / "backend.list.fragments")) == 1


def test_a_file_grows_by_what_is_rendered_until_a_third_of_it_is_unused(tmp_path):
    spec = CacheSpec(tmp_path, b"g" * 32)
    path = tmp_path / "p.fragments"
    calls: list[str] = []
    names = [f"job {n}" for n in range(9)]
    run(spec, "p", [(name.encode(), name) for name in names], calls)
    first = path.read_bytes()
    # two jobs changed: their new rows are appended, the old ones stay (2 of 11 unused)
    items = [(f"{name} v2".encode() if name in names[:2] else name.encode(), name) for name in names]
    calls.clear()
    assert run(spec, "p", items, calls) == [[f"<{name}>", name.upper()] for name in names]
    assert calls == names[:2]
    assert path.read_bytes().startswith(first)
    appended = [FragmentFile.key(name.encode()) for name in names] + [key for key, _ in keyed(items[:2])]
    assert entries(path) == appended
    # one job gone from the list: 3 of 11 unused, the file stays as it is
    grown = path.read_bytes()
    assert run(spec, "p", items[:6] + items[7:], calls) == [
        [f"<{v}>", v.upper()] for _, v in items[:6] + items[7:]
    ]
    assert path.read_bytes() == grown
    # two gone: 4 of 11 unused, more than a third: written anew, in list order, with what was used
    shorter = items[:6] + items[8:]
    assert run(spec, "p", shorter, calls) == [[f"<{v}>", v.upper()] for _, v in shorter]
    assert entries(path) == [key for key, _ in keyed(shorter)]
    assert calls == names[:2]  # nothing rendered since the change
    assert [p.name for p in tmp_path.iterdir()] == ["p.fragments"]
    assert run(spec, "p", shorter, calls) == [[f"<{v}>", v.upper()] for _, v in shorter]
    assert calls == names[:2]


def test_a_file_another_publish_wrote_meanwhile_is_written_anew_not_appended_to(tmp_path):
    # Two publishes of the same list at once: the one that ends second finds the file grown (or
    # replaced) since it read it and writes a whole file of its own; never half of each.
    spec = CacheSpec(tmp_path, b"c" * 32)
    path = tmp_path / "p.fragments"
    run(spec, "p", [(b"a", "a"), (b"b", "b")], [])
    slow = FragmentFile.open(spec, "p")
    assert slow is not None
    slow_texts = [list(t) for _, t in slow.rendered(keyed([(b"a", "a"), (b"c", "c")]), lambda v: (f"<{v}>",))]
    run(spec, "p", [(b"a", "a"), (b"b", "b"), (b"d", "d")], [])  # the other publish appends d
    assert len(entries(path)) == 3
    slow.close()
    assert slow_texts == [["<a>", "A"], ["<c>"]]
    assert entries(path) == [key for key, _ in keyed([(b"a", "a"), (b"c", "c")])]
    calls: list[str] = []
    assert run(spec, "p", [(b"a", "a"), (b"c", "c")], calls) == [["<a>", "A"], ["<c>"]]
    assert calls == []


def test_texts_come_back_exactly_as_rendered(tmp_path):
    texts = [
        "",
        "a\x00b",
        '<td class="x">"quoted" &amp; ünïcode 🚀</td>',
        "lone \ud800 surrogate",
        "x" * 70_000,
        # bytes stay bytes (jobs.json lines), whatever they hold
        b"",
        '{"title":"Backend \u00fcber \U0001f680"}'.encode(),
        b"\xff\xfe not UTF-8",
        "text again",
    ]
    spec = CacheSpec(tmp_path, b"k" * 32)
    for _ in range(2):  # rendered, then read back
        cache = FragmentFile.open(spec, "p")
        assert cache is not None
        got = [list(t) for _, t in cache.rendered(keyed([(b"r", None)]), lambda _: texts)]
        cache.close()
        assert got == [texts]
        assert [type(t) for t in got[0]] == [type(t) for t in texts]
    assert cache.hits == 1


def test_a_part_that_fails_keeps_the_last_file_and_leaves_no_temporary_one(tmp_path):
    spec = CacheSpec(tmp_path, b"k" * 32)
    run(spec, "p", [(b"a", "a")], [])
    before = (tmp_path / "p.fragments").read_bytes()
    with pytest.raises(RuntimeError):
        _failing_run(spec)
    assert (tmp_path / "p.fragments").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.fragments"]


def _failing_run(spec: CacheSpec) -> None:
    def render(value: str) -> Sequence[str]:
        if value == "boom":
            raise RuntimeError("template error")
        return (value,)

    cache = FragmentFile.open(spec, "p")
    assert cache is not None
    try:
        list(cache.rendered(keyed([(b"b", "b"), (b"c", "boom")]), render))
    except BaseException:
        cache.close(keep=False)
        raise


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: b"this is not a cache file" * 200, "is not a cache file"),
        (lambda data: data[:-3], "is cut short"),  # the last entry is lost, the others are used
        (lambda data: b"", "cannot be read"),
    ],
)
def test_a_damaged_cache_file_is_rendered_afresh_and_the_files_are_right(tmp_path, caplog, damage, message):
    config = fill(tmp_path, JOBS)
    publish(config)
    path = config.output_dir / CACHE / "backend.list.fragments"
    path.write_bytes(damage(path.read_bytes()))
    caplog.set_level(logging.DEBUG)
    publish(config)
    assert any(message in m for m in caplog.messages)
    assert outputs(config) == without_cache(config, tmp_path)
    assert len(entries(path)) == 6  # written whole again
    rendered = counts(caplog)["backend.list"][0]
    assert rendered == (1 if message == "is cut short" else 6)


def test_a_damaged_entry_is_rendered_again(tmp_path):
    spec = CacheSpec(tmp_path, b"k" * 32)
    run(spec, "p", [(b"a", "a"), (b"b", "b")], [])
    path = tmp_path / "p.fragments"
    data = bytearray(path.read_bytes())
    start = len(MAGIC) + SALT_SIZE + ENTRY.size
    data[start : start + 4] = b"\xff\xff\xff\x7f"  # the first text's length runs past its entry
    path.write_bytes(bytes(data))
    calls: list[str] = []
    assert run(spec, "p", [(b"a", "a"), (b"b", "b")], calls) == [["<a>", "A"], ["<b>", "B"]]
    assert calls == ["a"]
    # appended after the damaged one, which it replaces from then on
    assert len(entries(path)) == 3
    assert run(spec, "p", [(b"a", "a"), (b"b", "b")], calls) == [["<a>", "A"], ["<b>", "B"]]
    assert calls == ["a"]


def test_an_unusable_cache_is_logged_and_the_publish_goes_on(tmp_path, caplog):
    (tmp_path / "cache-is-a-file").write_text("not a folder")
    fill(tmp_path, JOBS)
    config = settings_for(tmp_path, JOBS_PUBLISH_CACHE=str(tmp_path / "cache-is-a-file"))
    caplog.set_level(logging.WARNING)
    publish(config)
    assert any("cannot be used" in m for m in caplog.messages)
    assert outputs(config) == without_cache(config, tmp_path)


class FullDisk:
    """A file whose writes fail after ``room`` bytes, as on a full disk."""

    def __init__(self, handle, room: int) -> None:
        self.handle, self.room = handle, room

    def write(self, data: bytes) -> int:
        self.room -= len(data)
        if self.room < 0:
            raise OSError(28, "No space left on device")
        return self.handle.write(data)

    def close(self) -> None:
        self.handle.close()


def test_a_cache_that_cannot_be_written_is_left_for_the_rest_of_the_part(tmp_path, caplog):
    spec = CacheSpec(tmp_path, b"k" * 32)
    run(spec, "p", [(b"old", "old")], [])
    before = (tmp_path / "p.fragments").read_bytes()
    cache = FragmentFile.open(spec, "p")
    assert cache is not None
    cache._out = FullDisk(cache._out, 500)
    caplog.set_level(logging.WARNING)
    items = [(str(i).encode(), str(i)) for i in range(1200)]
    texts = [t[0] for _, t in cache.rendered(keyed(items), lambda v: (v,))]
    cache.close()
    assert texts == [str(i) for i in range(1200)]
    assert len([m for m in caplog.messages if "could not write" in m]) == 1  # once, not once a row
    assert (tmp_path / "p.fragments").read_bytes() == before  # a partial file never replaces it
    assert [p.name for p in tmp_path.iterdir()] == ["p.fragments"]


def test_a_full_publish_sweeps_files_no_list_uses(tmp_path, caplog):
    config = fill(tmp_path, JOBS)
    folder = config.output_dir / CACHE
    folder.mkdir(parents=True)
    (folder / "astrology.list.fragments").write_bytes(b"a list no longer published")
    stale, fresh = folder / ".backend.list.fragments.old.tmp", folder / ".backend.feed.fragments.new.tmp"
    stale.write_bytes(b"left by a killed publish")
    fresh.write_bytes(b"being written by a publish running now")
    hour_ago = time.time() - 3700
    os.utime(stale, (hour_ago, hour_ago))
    legacy = config.output_dir / ".publish-cache.sqlite"
    legacy.write_bytes(b"the SQLite cache of an earlier version")
    (config.output_dir / ".publish-cache.sqlite-wal").write_bytes(b"")

    publish(config, "backend")  # one list: nothing else is touched
    assert (folder / "astrology.list.fragments").exists()
    assert stale.exists()
    assert legacy.exists()

    caplog.set_level(logging.INFO)
    publish(config)
    expected = {f"{name}.{part}.fragments" for name in load_profiles() for part in ("list", "feed")}
    assert {p.name for p in folder.iterdir()} == expected | {fresh.name}
    assert not legacy.exists()
    assert not (config.output_dir / ".publish-cache.sqlite-wal").exists()
    assert any("deleted 2 files no list uses" in m for m in caplog.messages)


def test_sweep_keeps_the_parts_it_is_given(tmp_path):
    for name in ("a.list.fragments", "b.list.fragments", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert sweep(tmp_path, ["a.list"]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.list.fragments", "notes.txt"]
    assert sweep(tmp_path / "missing", ["a.list"]) == 0
    assert set(PARTS) >= {"list", "feed"}


def test_letting_go_of_the_mapped_pages_keeps_every_cached_text(tmp_path, monkeypatch):
    # The last file's pages are dropped from the process (madvise) every UNMAP_EVERY entries indexed
    # and read: what is read after that comes back from the kernel's cache, the same bytes.
    monkeypatch.setattr(publish_cache, "UNMAP_EVERY", 3)
    unmapped = []
    real = publish_cache._unmap
    monkeypatch.setattr(publish_cache, "_unmap", lambda mapped: unmapped.append(1) or real(mapped))
    spec = CacheSpec(tmp_path, b"m" * 32)
    items = [(f"record {n}".encode(), n) for n in range(20)]
    texts = {n: [f"<tr>{n} ünïcode</tr>" * 300, f'{{"n":{n}}}'.encode()] for n in range(20)}
    for _ in range(2):
        cache = FragmentFile.open(spec, "p")
        assert cache is not None
        got = {n: list(t) for n, t in cache.rendered(keyed(items), lambda n: texts[n])}
        cache.close()
        assert got == texts
    assert cache.hits == 20
    assert len(unmapped) >= 20 // 3 * 2  # while indexing and while reading


# Rows rendered ahead of the parts (`RenderAhead`), while a cold publish reads the store.


def ahead_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs=JOBS, runs=()) -> JobsConfig:
    """A store of ``jobs`` whose cold publishes render rows ahead (two workers, no minimum of jobs)."""
    monkeypatch.setattr(publishing, "AHEAD_MIN_JOBS", 1)
    return dataclasses.replace(fill(tmp_path, jobs, runs), publish_workers=2)


def handed_over_when_done(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Path]]:
    """Make `RenderAhead.handover` wait until its process has rendered every row (in a publish of a few
    jobs the lists are built before it starts); the files it had, each time."""
    handed: list[dict[str, Path]] = []
    handover = RenderAhead.handover

    def when_done(self: RenderAhead, parts):
        assert self._process is not None
        self._process.join(60)
        handed.append(dict(self.paths))
        return handover(self, parts)

    monkeypatch.setattr(RenderAhead, "handover", when_done)
    return handed


def cache_files(config: JobsConfig) -> list[str]:
    folder = config.output_dir / CACHE
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_cold_publish_renders_list_rows_ahead_and_writes_the_same_files(tmp_path, caplog, monkeypatch):
    config = ahead_config(tmp_path, monkeypatch)
    expected = without_cache(config, tmp_path)
    handed = handed_over_when_done(monkeypatch)
    caplog.set_level(logging.DEBUG, logger="jobspiders.publish")
    publish(config)
    assert outputs(config) == expected
    assert sorted(handed[0]) == sorted(f"{name}.list" for name in load_profiles())
    cold = counts(caplog)
    # every list row was rendered ahead; the feeds' entries are the parts' own
    assert {part: n for part, n in cold.items() if n != (0, 0)} == {
        "backend.list": (0, 6),
        "backend.feed": (6, 0),
        "fullstack.list": (0, 1),
        "fullstack.feed": (1, 0),
    }
    # the files rendered ahead became the parts' files, their rows in the lists' order (the order the
    # next publish reads them in); nothing temporary is left
    assert cache_files(config) == sorted(f"{part}.fragments" for part in cold)
    listed_ids = [job["id"] for job in json.loads(expected["backend/jobs.json"])["jobs"]]
    store = SqliteStore(config.db)
    digests = {job_id: stored.source for job_id, stored in store.stored_documents(listed_ids).items()}
    store.close()
    assert entries(config.output_dir / CACHE / "backend.list.fragments") == [
        FragmentFile.key(digests[job_id]) for job_id in listed_ids
    ]
    # and they serve the next publish as a cold publish's files do
    caplog.clear()
    publish(config)
    assert counts(caplog) == {part: (0, rendered + cached) for part, (rendered, cached) in cold.items()}
    assert outputs(config) == expected


def test_rows_rendered_ahead_in_part_and_with_forked_workers_give_the_same_files(tmp_path, monkeypatch):
    rows = [
        record(
            str(i),
            dedup_key=f"k{i % 50}",  # 10 duplicates: rendered ahead, then left out of the lists
            title=f"Backend Engineer {i} <b>&</b>",
            description=f"Description {i}\n" + "Go and PostgreSQL. " * 40,
            profiles=["backend", "data"] if i % 3 == 0 else ["backend"],
            posted_at=f"2026-11-{10 + i % 9:02d}T09:00:00Z",
        )
        for i in range(60)
    ]
    config = ahead_config(tmp_path, monkeypatch, rows)
    expected = without_cache(config, tmp_path)
    monkeypatch.setattr(publishing, "PARALLEL_MIN_JOBS", 0)
    publish(config)  # handed over as soon as the lists are built: some rows rendered ahead, or none
    assert outputs(config) == expected
    assert not [name for name in cache_files(config) if name.endswith(".tmp")]

    again = dataclasses.replace(
        config, output_dir=tmp_path / "again", publish_cache=tmp_path / "again" / CACHE
    )
    handed_over_when_done(monkeypatch)
    publish(again)  # every row rendered ahead
    assert outputs(again) == expected
    assert len(entries(again.output_dir / CACHE / "backend.list.fragments")) == 60  # 50 used, 10 not
    assert [name for name in cache_files(again) if name.endswith(".tmp")] == []


def test_a_refused_publish_deletes_the_rows_rendered_ahead(tmp_path, monkeypatch):
    config = ahead_config(tmp_path, monkeypatch, runs=[("greenhouse", "acme", "failed")])
    handed = handed_over_when_done(monkeypatch)
    started = []
    start = RenderAhead.start

    def spy(*args, **kwargs):
        started.append(start(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(RenderAhead, "start", spy)
    with pytest.raises(PublishRefused):
        publish(config)
    assert started[0] is not None
    assert handed == []  # refused before the lists were built
    assert cache_files(config) == []  # its files deleted


def test_a_single_list_publish_renders_ahead_for_that_list_only(tmp_path, monkeypatch):
    config = ahead_config(tmp_path, monkeypatch)
    handed = handed_over_when_done(monkeypatch)
    publish(config, "fullstack")
    assert list(handed[0]) == ["fullstack.list"]
    assert cache_files(config) == ["fullstack.feed.fragments", "fullstack.list.fragments"]


def _exits(config, env, cache, paths, stop) -> None:
    for path in paths.values():
        path.write_bytes(b"half an entry")
    os._exit(3)


def _never_stops(config, env, cache, paths, stop) -> None:
    time.sleep(600)


@pytest.mark.parametrize(
    ("process", "why"), [(_exits, "exit code 3"), (_never_stops, "did not stop")], ids=["fails", "hangs"]
)
def test_a_process_that_fails_costs_only_its_work(tmp_path, caplog, monkeypatch, process, why):
    config = ahead_config(tmp_path, monkeypatch)
    expected = without_cache(config, tmp_path)
    monkeypatch.setattr(publishing, "_render_ahead", process)
    monkeypatch.setattr(RenderAhead, "STOP_SECONDS", 0.5)
    caplog.set_level(logging.DEBUG, logger="jobspiders.publish")
    started = time.monotonic()
    publish(config)
    assert time.monotonic() - started < 30  # a hung process is ended, not waited for
    warning = f"Rendering rows ahead of the publish failed ({why}): the parts render every row"
    assert warning in caplog.messages
    assert counts(caplog)["backend.list"] == (6, 0)
    assert outputs(config) == expected
    assert [name for name in cache_files(config) if name.endswith(".tmp")] == []


def test_rows_are_rendered_ahead_only_where_it_helps(tmp_path, monkeypatch):
    config = ahead_config(tmp_path, monkeypatch)
    env = make_environment()
    spec = new_spec(config.publish_cache, streaming_environment(env))
    names = list(load_profiles())

    def started(config: JobsConfig, names=names) -> list[str] | None:
        ahead = RenderAhead.start(config, env, spec, names)
        if ahead is None:
            return None
        ahead.close()
        return sorted(ahead_parts)

    ahead_parts: list[str] = []
    real_reserve = AheadFile.reserve
    monkeypatch.setattr(
        AheadFile, "reserve", lambda spec, part: ahead_parts.append(part) or real_reserve(spec, part)
    )
    assert started(config) == sorted(f"{name}.list" for name in names)
    assert cache_files(config) == []  # closed: its files deleted
    assert started(dataclasses.replace(config, publish_workers=1)) is None  # nothing to share out
    assert started(dataclasses.replace(config, dedup="role")) is None  # rows merge their duplicates
    monkeypatch.setattr(publishing, "AHEAD_MIN_JOBS", 8)  # the store has 7 open jobs
    assert started(config) is None
    monkeypatch.setattr(publishing, "AHEAD_MIN_JOBS", 1)
    publish(dataclasses.replace(config, publish_workers=1))  # every list part now has its file
    ahead_parts.clear()
    assert started(config) is None
    (config.output_dir / CACHE / "data.list.fragments").unlink()
    assert started(config) == ["data.list"]


def test_has_file_only_for_fragments_of_this_code(tmp_path):
    spec = CacheSpec(tmp_path, b"s" * 32)
    assert not has_file(spec, "p")
    path = tmp_path / "p.fragments"
    path.write_bytes(MAGIC + b"s" * 32)
    assert has_file(spec, "p")  # an empty list's
    path.write_bytes(MAGIC + b"s" * 32 + entry(b"k" * 16, ["row"]))
    assert has_file(spec, "p")
    path.write_bytes(MAGIC + b"s" * 31)
    assert not has_file(spec, "p")  # cut short
    assert not has_file(CacheSpec(tmp_path, b"t" * 32), "p")  # other code or templates
    path.write_bytes(b"not a cache file at all")
    assert not has_file(spec, "p")


def test_a_part_starts_from_its_ahead_file_and_makes_it_its_own(tmp_path):
    spec = CacheSpec(tmp_path, b"a" * 32)
    path = AheadFile.reserve(spec, "p")
    ahead = AheadFile(spec, path)
    for record_bytes, value in [(b"a", "a"), (b"b", "b")]:
        ahead.write(entry(FragmentFile.key(record_bytes), [f"<{value}>", value.upper()]))
    ahead.close()
    with path.open("ab") as handle:  # an entry cut short (a process killed while writing it)
        handle.write(entry(FragmentFile.key(b"x"), ["lost"])[:-2])
    calls: list[str] = []
    given = dataclasses.replace(spec, ahead={"p": path})
    assert run(given, "p", [(b"a", "a"), (b"c", "c")], calls) == [["<a>", "A"], ["<c>", "C"]]
    assert calls == ["c"]
    # the ahead file, whole entries only, and what the part rendered: the part's file now
    assert entries(tmp_path / "p.fragments") == [FragmentFile.key(r) for r in (b"a", b"b", b"c")]
    assert [p.name for p in tmp_path.iterdir()] == ["p.fragments"]
    calls.clear()
    assert run(spec, "p", [(b"a", "a"), (b"b", "b"), (b"c", "c")], calls) == [
        ["<a>", "A"],
        ["<b>", "B"],
        ["<c>", "C"],
    ]
    assert calls == []


def test_a_failed_part_deletes_its_ahead_file_and_keeps_the_last_file(tmp_path):
    spec = CacheSpec(tmp_path, b"a" * 32)
    run(spec, "p", [(b"old", "old")], [])
    before = (tmp_path / "p.fragments").read_bytes()
    path = AheadFile.reserve(spec, "p")
    AheadFile(spec, path).close()
    with pytest.raises(RuntimeError):
        _failing_run(dataclasses.replace(spec, ahead={"p": path}))
    assert (tmp_path / "p.fragments").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.fragments"]
