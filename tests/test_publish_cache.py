"""The publish cache (jobspiders/publish_cache.py): the files are the same with it, without it, cold or
warm; a changed record, code or template is rendered again; a damaged or unusable cache is never a
reason for a publish to fail."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest

from jobspiders.config import JobsConfig
from jobspiders.publish import make_environment, publish, streaming_environment
from jobspiders.publish_cache import CacheSpec, FragmentCache, code_digest
from jobspiders.store import SqliteStore
from tests.test_outputs_files import HOSTILE, settings_for, snapshot
from tests.test_publish import NOW, fill, record

CACHE = ".publish-cache.sqlite"
JOBS = [
    *HOSTILE,
    record("plain", posted_at="2026-11-15T08:00:00Z"),
    record(
        "fs", profiles=["backend", "fullstack"], title="Full-stack Engineer", posted_at="2026-11-14T08:00:00Z"
    ),
]


def outputs(config: JobsConfig) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(config.output_dir).items() if not name.startswith(CACHE)}


def counts(caplog: pytest.LogCaptureFixture) -> list[tuple[int, int]]:
    """(rendered, cached) of every list and feed part written since the last clear."""
    found = []
    for message in caplog.messages:
        if message.startswith("Wrote the ") and " rows rendered, " in message:
            rendered, cached = message.rsplit("(", 1)[1].split(" rows rendered, ")
            found.append((int(rendered), int(cached.split()[0])))
    return found


def cached_rows(config: JobsConfig) -> int:
    with sqlite3.connect(config.output_dir / CACHE) as db:
        return db.execute("SELECT count(*) FROM fragments").fetchone()[0]


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
    # backend: 6 jobs (list and feed parts); fullstack: 1 of them, whose row and entry backend rendered
    assert sorted(cold, reverse=True)[:3] == [(6, 0), (6, 0), (0, 1)]
    assert outputs(config) == expected

    caplog.clear()
    publish(config)
    warm = counts(caplog)
    assert [rendered for rendered, _ in warm] == [0] * len(warm)
    assert sorted(cached for _, cached in warm) == sorted(rendered + cached for rendered, cached in cold)
    assert outputs(config) == expected


def test_a_changed_record_is_rendered_again_and_its_old_rows_dropped(tmp_path, caplog):
    config = fill(tmp_path, JOBS)
    publish(config)
    before = cached_rows(config)
    store = SqliteStore(config.db)
    store.upsert(record("plain", title="Staff Backend Engineer", posted_at="2026-11-15T08:00:00Z"), NOW)
    store.close()

    caplog.set_level(logging.DEBUG, logger="jobspiders.publish")
    publish(config)
    # the job is in the backend list (jobs.json/csv/page and feed: two parts); nothing else changed
    assert sum(rendered for rendered, _ in counts(caplog)) == 2
    page = (config.output_dir / "backend" / "index.html").read_text()
    assert "Staff Backend Engineer" in page
    assert "Staff Backend Engineer" in (config.output_dir / "backend" / "feed.atom").read_text()
    assert outputs(config) == without_cache(config, tmp_path)
    assert cached_rows(config) == before  # the old row and entry were pruned


def test_a_publish_of_one_profile_keeps_the_other_lists_rows(tmp_path):
    config = fill(tmp_path, JOBS)
    publish(config)
    before = cached_rows(config)
    publish(config, "fullstack")
    assert cached_rows(config) == before


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


def test_rendered_gives_cached_texts_only_for_the_same_record_kind_and_code(tmp_path):
    calls = []

    def render(value: str) -> tuple[str, str]:
        calls.append(value)
        return (f"<{value}>", value.upper())

    def run(spec: CacheSpec, kind: str, items: list[tuple[bytes, str]]) -> list[tuple[bytes, list[str]]]:
        cache = FragmentCache.open(spec)
        assert cache is not None
        try:
            return [(record, list(texts)) for record, texts in cache.rendered(kind, items, render)]
        finally:
            cache.close()

    path = tmp_path / "cache.sqlite"
    spec = CacheSpec(path, b"a" * 32, "run-1")
    items = [(b'{"id":1}', "one"), (b'{"id":2}', "two")]
    first = run(spec, "list", items)
    assert first == [(b'{"id":1}', ["<one>", "ONE"]), (b'{"id":2}', ["<two>", "TWO"])]
    assert calls == ["one", "two"]
    calls.clear()
    assert run(spec, "list", items) == first  # same records: from the cache
    assert calls == []
    # a changed record, another kind, another code digest: rendered again
    assert run(spec, "list", [(b'{"id":1,"x":0}', "one")]) == [(b'{"id":1,"x":0}', ["<one>", "ONE"])]
    run(spec, "feed", items[:1])
    run(CacheSpec(path, b"b" * 32, "run-2"), "list", items[:1])
    assert calls == ["one", "one", "one"]


def test_prune_keeps_only_what_this_publish_used(tmp_path):
    path = tmp_path / "cache.sqlite"
    for run, values in (("old", ["a", "b"]), ("new", ["b", "c"])):
        cache = FragmentCache.open(CacheSpec(path, b"k" * 32, run))
        assert cache is not None
        list(cache.rendered("list", [(v.encode(), v) for v in values], lambda v: (v,)))
        cache.close()
    cache = FragmentCache.open(CacheSpec(path, b"k" * 32, "new"))
    assert cache is not None
    assert cache.prune() == 1  # "a": only the old publish used it
    assert cache.db.execute("SELECT count(*) FROM used").fetchone() == (0,)
    calls = []
    list(cache.rendered("list", [(b"b", "b"), (b"c", "c"), (b"a", "a")], lambda v: calls.append(v) or (v,)))
    cache.close()
    assert calls == ["a"]


def test_a_damaged_cache_is_started_afresh_and_the_files_are_right(tmp_path, caplog):
    config = fill(tmp_path, JOBS)
    publish(config)
    path = config.output_dir / CACHE
    path.write_bytes(b"this is not a SQLite database" * 200)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    caplog.set_level(logging.WARNING)
    publish(config)
    assert any("damaged" in m and "starting it afresh" in m for m in caplog.messages)
    assert outputs(config) == without_cache(config, tmp_path)
    assert cached_rows(config) > 0


def test_an_unusable_cache_is_logged_and_the_publish_goes_on(tmp_path, caplog):
    (tmp_path / "cache-is-a-folder").mkdir()
    fill(tmp_path, JOBS)
    config = settings_for(tmp_path, JOBS_PUBLISH_CACHE=str(tmp_path / "cache-is-a-folder"))
    caplog.set_level(logging.WARNING)
    publish(config)
    assert any("cannot be used" in m for m in caplog.messages)
    assert outputs(config) == without_cache(config, tmp_path)


def test_a_cache_that_fails_mid_part_is_left_for_the_rest_of_it(tmp_path, caplog):
    spec = CacheSpec(tmp_path / "cache.sqlite", b"k" * 32, "run")
    cache = FragmentCache.open(spec)
    assert cache is not None
    cache.db.execute("DROP TABLE fragments")  # every later read and write fails
    caplog.set_level(logging.WARNING)
    items = [(str(i).encode(), str(i)) for i in range(1200)]
    texts = [t[0] for _, t in cache.rendered("list", items, lambda v: (v,))]
    cache.close()
    assert texts == [str(i) for i in range(1200)]
    assert len([m for m in caplog.messages if "could not read" in m]) == 1  # once, not once a batch


def test_processes_creating_the_cache_at_once_all_get_it(tmp_path):
    path = tmp_path / "new" / "cache.sqlite"
    texts: list[list[str]] = []

    def open_and_use() -> None:
        cache = FragmentCache.open(CacheSpec(path, b"k" * 32, "run"))
        assert cache is not None
        try:
            texts.append([t[0] for _, t in cache.rendered("list", [(b"x", "x")], lambda v: (v,))])
        finally:
            cache.close()

    threads = [threading.Thread(target=open_and_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert texts == [["x"]] * 8
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM fragments").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM used").fetchone() == (8,)
