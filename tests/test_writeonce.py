"""Files written once (`jobspiders.writeonce`): the same bytes as a plain file, their written pages let go
of the kernel's cache every DROP_EVERY bytes and at close; the lists and the crawl's feed use them."""

from __future__ import annotations

import os

import pytest

from jobspiders import writeonce
from jobspiders.exporters import BufferedFileFeedStorage
from jobspiders.publish import atomic_writer
from jobspiders.writeonce import WrittenOnceFile, open_written_once

needs_fadvise = pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")


@pytest.fixture
def fadvised(monkeypatch):
    """The posix_fadvise calls made (fd, offset, length, advice), DROP_EVERY set to 1,000 bytes."""
    calls = []
    monkeypatch.setattr(writeonce, "DROP_EVERY", 1000)
    monkeypatch.setattr(writeonce, "_DONTNEED", 4)
    monkeypatch.setattr(os, "posix_fadvise", lambda *args: calls.append(args), raising=False)
    return calls


def chunks(sizes):
    return [bytes([65 + n % 26]) * size for n, size in enumerate(sizes)]


def test_pages_are_let_go_every_drop_every_bytes_and_at_close(tmp_path, fadvised):
    path = tmp_path / "list.json"
    data = chunks([400, 700, 999, 1, 2500, 10])  # 1,100 | 1,000 | 2,500 | 10 bytes since the last drop
    handle = WrittenOnceFile(path, "wb")  # the raw file: each write reaches it as it is
    for chunk in data:
        handle.write(chunk)
    fd = handle.fileno()
    assert [call[1:] for call in fadvised] == [(0, 0, 4)] * 3
    assert {call[0] for call in fadvised} == {fd}
    handle.close()
    assert len(fadvised) == 4  # the tail, at close
    assert path.read_bytes() == b"".join(data)


def test_a_small_file_keeps_its_pages(tmp_path, fadvised):
    path = tmp_path / "README.md"
    with open_written_once(path) as handle:
        handle.write(b"x" * 999)
    assert fadvised == []
    assert path.read_bytes() == b"x" * 999


def test_buffered_writes_reach_the_file_whole(tmp_path, fadvised):
    path = tmp_path / "feed.atom"
    data = chunks([300] * 20 + [5000, 1])
    with open_written_once(path, buffering=512) as handle:
        for chunk in data:
            handle.write(chunk)
    assert path.read_bytes() == b"".join(data)
    # At most one drop per 1,000 bytes and the one at close; at least one while writing.
    assert 2 <= len(fadvised) <= len(b"".join(data)) // 1000 + 1


def test_append_mode_appends(tmp_path, fadvised):
    path = tmp_path / "items.jsonl"
    path.write_bytes(b"yesterday\n")
    with open_written_once(path, "ab") as handle:
        handle.write(b"today\n" * 300)
    assert path.read_bytes() == b"yesterday\n" + b"today\n" * 300


def test_a_refused_hint_loses_nothing(tmp_path, monkeypatch):
    def refuse(*args):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(writeonce, "DROP_EVERY", 10)
    monkeypatch.setattr(writeonce, "_DONTNEED", 4)
    monkeypatch.setattr(os, "posix_fadvise", refuse, raising=False)
    path = tmp_path / "jobs.csv"
    with WrittenOnceFile(path, "wb") as handle:
        for _ in range(5):
            handle.write(b"0123456789abc")
        assert handle.drops == 0
    assert path.read_bytes() == b"0123456789abc" * 5


def test_without_posix_fadvise_it_is_a_plain_file(tmp_path, monkeypatch):
    monkeypatch.setattr(writeonce, "DROP_EVERY", 10)
    monkeypatch.setattr(writeonce, "_DONTNEED", None)
    monkeypatch.delattr(os, "posix_fadvise", raising=False)
    path = tmp_path / "jobs.json"
    with WrittenOnceFile(path, "wb") as handle:
        handle.write(b"z" * 100)
        assert handle.drops == 0
    assert path.read_bytes() == b"z" * 100


@pytest.mark.parametrize("mode", ["rb", "w", "r+b", "wb+", "a"])
def test_only_writing_bytes(tmp_path, mode):
    with pytest.raises(ValueError, match="write bytes only"):
        open_written_once(tmp_path / "x", mode)


@needs_fadvise
def test_the_real_hint_on_this_system(tmp_path, monkeypatch):
    monkeypatch.setattr(writeonce, "DROP_EVERY", 1 << 16)
    path = tmp_path / "big.bin"
    data = os.urandom(1 << 18)
    with open_written_once(path, buffering=1 << 12) as handle:
        for start in range(0, len(data), 1000):
            handle.write(data[start : start + 1000])
        drops = handle.raw.drops
    assert drops >= 3
    assert path.read_bytes() == data


@pytest.mark.parametrize("binary", [True, False])
def test_the_lists_are_written_once(tmp_path, fadvised, binary):
    path = tmp_path / "jobs.json"
    text = "ü" * 3000  # 6,000 bytes in UTF-8
    with atomic_writer(path, binary=binary) as handle:
        handle.write(text.encode() if binary else text)
    assert path.read_text(encoding="utf-8") == text
    assert fadvised  # at least the close: WRITE_BUFFER is bigger than the file


def test_the_crawls_feed_is_written_once(tmp_path, fadvised):
    path = tmp_path / "feeds" / "items.jsonl"
    storage = BufferedFileFeedStorage(str(path), feed_options={"overwrite": True})
    handle = storage.open(spider=None)
    assert isinstance(handle.raw, WrittenOnceFile)
    handle.write(b'{"id": 1}\n' * 500)
    storage.store(handle)
    assert path.read_bytes() == b'{"id": 1}\n' * 500
    assert fadvised
