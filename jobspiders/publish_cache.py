"""The web pages' rows and the Atom feeds' entries as the last publish rendered them, so that a publish
renders only the jobs whose records changed: on a daily list most of them did not, and rendering a row
and an entry was a third of the work of publishing.

Each part of each list that has rows (a list's jobs.json and jobs.csv lines and page rows, its feed
entries) keeps its own file in the cache folder (``JOBS_PUBLISH_CACHE``, default
``<OUTPUT_DIR>/.publish-cache``), written by the process that writes the part: no database. A publish
reads the part's last file, finds each job's fragments by a BLAKE2 hash of what its published record is
made of but the ``last_seen`` that every re-crawl moves (the record's stored bytes, not parsed, see
`jobspiders.store.StoredDocument`: a job found is not parsed at all; the list part's fragments leave a
gap for ``last_seen``, see `jobspiders.publish.cached_list_lines`) and renders the jobs it does not
find. When the part is written, their fragments are appended to the file (under an advisory lock):
a daily publish writes the jobs new or changed since yesterday, not the whole list again. Once more
than `UNUSED_MAX_SHARE` of the file would be fragments no job uses any more, or if the file is cut short
or another publish wrote it meanwhile, a new file of the fragments this publish used replaces it. A part
with no file yet may start from the fragments another process rendered ahead (`AheadFile`).

A file starts with a digest of everything else a fragment depends on: the code of the jobspiders package,
the row and entry templates and the versions of the libraries that print them. Change any of them and
the file's fragments are not used. The cache is disposable: losing it costs one slower publish; a file
that cannot be read is logged and rendered afresh, one that cannot be written is logged and left, never a
reason for a publish to fail.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import platform
import shutil
import struct
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import BinaryIO, TypeVar

import jinja2

try:
    import fcntl
except ImportError:  # Windows: no lock, every part's file is written anew
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

# A file: MAGIC, the code digest (32 bytes), then one entry per job: the hash of its record (16 bytes),
# the length of its fragments (4 bytes, little-endian) and the fragments, each its length (4 bytes, the
# top bit set for bytes) and its bytes or UTF-8 text (no JSON: escaping the quotes of HTML rows made the
# files bigger and slower to read; lone surrogates pass: a text may hold what a file must not, the
# cache gives it back as it was).
MAGIC = b"JSPFRAG1"
SALT_SIZE = 32
ENTRY = struct.Struct("<16sI")
LENGTH = struct.Struct("<I")
RAW = 1 << 31  # in a fragment's length: bytes, given back as bytes (jobs.json's lines are written so)
SUFFIX = ".fragments"
# What fragments depend on besides the record, the code and the templates.
LIBRARIES = ("jinja2", "markupsafe", "pycountry")
FRAGMENT_TEMPLATES = ("index-row.html.j2", "feed-entry.atom.j2")
# A temporary file this old was left by a publish that was killed (a live one replaces its files within
# minutes): the next full publish deletes it.
STALE_TEMPORARY_SECONDS = 3600
# The last file is read through a memory map, whose pages count in the process's RSS once touched (the
# whole file, hundreds of MB for a big list, by the end of a part). They are let go (MADV_DONTNEED: the
# kernel keeps them cached) after every this many entries indexed or read.
UNMAP_EVERY = 2048
# A part's file grows by what each publish renders (the jobs new or changed since the last); once more
# than this share of its entries would be unused (jobs gone from the list, old versions of changed ones),
# it is written anew with only the fragments the publish used.
UNUSED_MAX_SHARE = 1 / 3
_PACKAGE = Path(__file__).resolve().parent

T = TypeVar("T")


@dataclass(frozen=True)
class CacheSpec:
    """What a process of a publish needs to use the cache."""

    folder: Path
    salt: bytes  # `code_digest`
    # Files of fragments rendered ahead of the parts (`AheadFile`), by part ("backend.list"): the part
    # starts from its file instead of an empty one, and its file becomes the part's.
    ahead: Mapping[str, Path] = field(default_factory=dict)


def code_digest(env: jinja2.Environment) -> bytes:
    """A digest of the code that renders fragments: every module of the package, the fragment
    templates (as ``env`` loads them) and the library versions (32 bytes)."""
    digest = hashlib.sha256(platform.python_version().encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    for name in FRAGMENT_TEMPLATES:
        source = env.loader.get_source(env, name)[0] if env.loader else ""  # type: ignore[union-attr]
        digest.update(name.encode() + b"\0" + source.encode("utf-8"))
    for library in LIBRARIES:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.digest()


def new_spec(folder: Path, env: jinja2.Environment) -> CacheSpec:
    return CacheSpec(folder, code_digest(env))


def file_name(part: str) -> str:
    """The name of the cache file of ``part`` (a list's name and what of it: "backend.feed")."""
    return part + SUFFIX


# How every temporary file of a cache folder ends (`_temporary`): `sweep` deletes the stale ones.
TEMPORARY = ".tmp"


def _temporary(folder: Path, name: str, kind: str = "") -> tuple[int, Path]:
    """A new temporary file in ``folder`` (made if need be) for its file ``name``, named as `sweep` finds
    it: its descriptor and path (OSError if it cannot be made)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=f"{kind}{TEMPORARY}")
    return fd, Path(path)


def has_file(spec: CacheSpec, part: str) -> bool:
    """Whether ``part`` has a file this code wrote (this `code_digest`; the file of an empty list has no
    fragments): if not, its next publish renders every row (a first publish, or the first after a change
    of code or templates)."""
    try:
        with (spec.folder / file_name(part)).open("rb") as handle:
            head = handle.read(len(MAGIC) + SALT_SIZE)
    except OSError:
        return False
    return head == MAGIC + spec.salt


class AheadFile:
    """Fragments of a part rendered before its publish gets to it, by another process, while the part
    has no file yet (`has_file`): a temporary file in the cache folder (`reserve`) that the part, given it
    in `CacheSpec.ahead`, starts from (`FragmentFile.open`). `close` it before it is handed over; a file
    not handed over is deleted by whoever reserved it."""

    def __init__(self, spec: CacheSpec, path: Path) -> None:
        self.path = path
        self._out = path.open("wb", buffering=1 << 20)
        self._out.write(MAGIC + spec.salt)

    @staticmethod
    def reserve(spec: CacheSpec, part: str) -> Path:
        """A new, empty temporary file for the `AheadFile` of ``part`` (OSError if it cannot be made)."""
        fd, path = _temporary(spec.folder, file_name(part), ".ahead")
        os.close(fd)
        return path

    def write(self, packed: bytes) -> None:
        """Add an entry (`entry`)."""
        self._out.write(packed)

    def close(self) -> None:
        self._out.close()


def entry(key: bytes, texts: Sequence[str | bytes]) -> bytes:
    """A file's entry of the fragments ``texts`` of the record whose `FragmentFile.key` is ``key``."""
    data = b"".join(map(_packed, texts))
    return ENTRY.pack(key, len(data)) + data


class FragmentFile:
    """The fragments of one part of one list: those of the last publishes, read; those this one renders,
    written. `open` instead of the constructor; `close` when the part is written (or failed)."""

    def __init__(self, spec: CacheSpec, part: str, out: BinaryIO, tmp: Path, *, ahead: bool = False) -> None:
        self.spec = spec
        self.path = spec.folder / file_name(part)
        self._out, self._tmp = out, tmp  # the fragments rendered now, after MAGIC and the salt
        # The temporary file is an `AheadFile`: its fragments are read as the last file's would be, those
        # rendered now are added to it, and it becomes the part's file as it is.
        self._ahead = ahead
        self._last: mmap.mmap | None = None
        self._index: dict[bytes, tuple[int, int]] = {}
        self._entries = 0  # in the last file (a key written twice counts twice: the last one is used)
        self._identity: tuple[int, int, int] | None = None  # the last file's (device, inode, size): whole
        self._used: set[bytes] = set()  # the keys of the last file's entries this publish used
        # Where the entries this publish used are, in order: (in the last file, start, end); the others
        # are in the temporary file, from `_written` on.
        self._order: list[tuple[bool, int, int]] = []
        self._written = len(MAGIC) + SALT_SIZE
        self.hits = self.misses = 0
        self.broken = False  # after a write error: render the rest without keeping it

    @classmethod
    def open(cls, spec: CacheSpec, part: str) -> FragmentFile | None:
        """The cache of ``part``, with the fragments its last file holds (or, given one, its `AheadFile`
        holds); None (logged) if nothing can be written: the publish then renders every fragment of the
        part."""
        ahead = spec.ahead.get(part)
        if ahead is not None:
            return cls._opened_ahead(spec, part, ahead)
        try:
            fd, tmp = _temporary(spec.folder, file_name(part))
        except OSError as exc:
            logger.warning("Publish cache %s cannot be used (%s): rendering every row", spec.folder, exc)
            return None
        out = os.fdopen(fd, "wb", buffering=1 << 20)
        cache = cls(spec, part, out, tmp)
        try:
            out.write(MAGIC + spec.salt)
            cache._read_last(cache.path)
        except OSError as exc:
            cache._failed("write", exc)
        return cache

    @classmethod
    def _opened_ahead(cls, spec: CacheSpec, part: str, path: Path) -> FragmentFile | None:
        try:
            out = path.open("r+b", buffering=1 << 20)
        except OSError as exc:
            logger.warning("Publish cache %s cannot be used (%s): rendering every row", path, exc)
            return None
        cache = cls(spec, part, out, path, ahead=True)
        try:
            whole = cache._read_last(path)  # 0: not even its head is right, the part starts it anew
            out.truncate(whole)  # what is rendered now follows the last whole entry
            out.seek(whole)
            if not whole:
                out.write(MAGIC + spec.salt)
            cache._written = max(whole, len(MAGIC) + SALT_SIZE)
        except OSError as exc:
            cache._failed("write", exc)
        return cache

    def _read_last(self, path: Path) -> int:
        """Index the fragments of the file at ``path`` (the part's last file, or its `AheadFile`); where
        its whole entries end (0 if it has none this code can use)."""
        try:
            with path.open("rb") as handle, _locked(handle, shared=True):  # not while one appends
                stat = os.fstat(handle.fileno())
                if stat.st_size == 0:
                    raise ValueError("empty file")
                last = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except FileNotFoundError:
            return 0
        except (OSError, ValueError) as exc:
            logger.warning("Publish cache %s cannot be read (%s): rendering its rows again", path, exc)
            return 0
        self._last, size = last, len(last)
        head = len(MAGIC) + SALT_SIZE
        if last[: len(MAGIC)] != MAGIC:
            logger.warning("Publish cache %s is not a cache file: rendering its rows again", path)
            return 0
        if last[len(MAGIC) : head] != self.spec.salt:
            logger.debug("Publish cache %s: written by other code or templates, not used", path)
            return 0
        index, whole = {}, head
        while whole + ENTRY.size <= size:
            key, length = ENTRY.unpack_from(last, whole)
            offset = whole + ENTRY.size
            if offset + length > size:
                break
            index[key] = (offset, length)
            self._entries += 1
            whole = offset + length
            if self._entries % UNMAP_EVERY == 0:
                _unmap(last)
        if whole != size:
            logger.warning("Publish cache %s is cut short: rendering the rest of its rows again", path)
        elif not self._ahead:
            self._identity = (stat.st_dev, stat.st_ino, size)
        self._index = index
        _unmap(last)
        return whole

    @staticmethod
    def key(record: bytes) -> bytes:
        """The key of a record's fragments (``record``: the bytes all its texts depend on)."""
        return hashlib.blake2b(record, digest_size=16).digest()

    @property
    def has_fragments(self) -> bool:
        """Whether the last publish left fragments that this one can use."""
        return bool(self._index)

    def has(self, key: bytes) -> bool:
        """Whether the last publish rendered the record of this `key`."""
        return key in self._index

    def rendered(
        self, items: Iterable[tuple[bytes, T]], render: Callable[[T], Sequence[str | bytes]]
    ) -> Iterator[tuple[T, Sequence[str | bytes]]]:
        """Each ``(key, value)`` (``key``: the `key` of the record all its texts depend on) as ``value``
        and the texts the last publish rendered for the same record, else ``render(value)``; in order.
        Either way they are kept for the next publish. A text comes back as it was rendered: str or
        bytes."""
        index, last, used, order = self._index, self._last, self._used, self._order
        for key, value in items:
            found = index.get(key)
            texts = None
            if found is not None:
                assert last is not None
                offset, length = found
                with suppress(ValueError, struct.error):  # damaged: rendered again, and kept right
                    texts = _decoded(last[offset : offset + length])
                if (self.hits + 1) % UNMAP_EVERY == 0:
                    _unmap(last)
            if texts is not None:
                self.hits += 1
                if key not in used:
                    used.add(key)
                    order.append((True, offset - ENTRY.size, offset + length))
                yield value, texts
                continue
            texts = render(value)
            self.misses += 1
            if not self.broken:
                packed = entry(key, texts)
                try:
                    self._out.write(packed)
                except OSError as exc:
                    self._failed("write", exc)
                order.append((False, self._written, self._written + len(packed)))
                self._written += len(packed)
            yield value, texts

    def _failed(self, what: str, exc: OSError) -> None:
        logger.warning(
            "Publish cache %s: could not %s fragments (%s); rendering the rest of this part without it",
            self.path,
            what,
            exc,
        )
        self.broken = True

    def close(self, *, keep: bool = True) -> None:
        """End the part. If ``keep`` (the part was written) and every fragment could be written, the
        fragments rendered now are appended to the last file, or, when it is not whole or more than
        `UNUSED_MAX_SHARE` of what it would then hold is unused, a new file of every fragment this
        publish used replaces it; a part given an `AheadFile` makes that file (its fragments and those
        rendered now) its file. Otherwise the last file stays as it was."""
        try:
            self._out.close()
            if keep and not self.broken:
                if self._ahead:  # it holds the fragments rendered ahead, then those rendered now
                    self._tmp.replace(self.path)
                elif not self._appended():
                    self._rewrite()
        except OSError as exc:
            self._failed("write", exc)
        finally:
            if self._last is not None:
                self._last.close()
                self._last = None
            self._tmp.unlink(missing_ok=True)

    def _appended(self) -> bool:
        """Append the fragments rendered now to the last file, if it is whole, still the file that was
        read, and mostly used; whether it was (or nothing needed writing)."""
        if self._identity is None or fcntl is None:
            return False
        unused = self._entries - len(self._used)
        if unused > UNUSED_MAX_SHARE * (self._entries + self.misses):
            return False
        if not self.misses:
            return True
        with self.path.open("r+b") as handle, _locked(handle, shared=False):
            stat = os.fstat(handle.fileno())
            if (stat.st_dev, stat.st_ino, stat.st_size) != self._identity:  # another publish wrote it
                return False
            handle.seek(0, os.SEEK_END)
            with self._tmp.open("rb") as rendered:
                rendered.seek(len(MAGIC) + SALT_SIZE)
                shutil.copyfileobj(rendered, handle, 1 << 20)
        logger.debug("Publish cache %s: %d fragments appended", self.path, self.misses)
        return True

    def _rewrite(self) -> None:
        """Replace the last file by one of the fragments this publish used, in the order it used them."""
        if not self._used:  # the temporary file holds them all, in order
            self._tmp.replace(self.path)
            return
        assert self._last is not None
        last = self._last
        fd, name = _temporary(self.spec.folder, self.path.name)
        try:
            with os.fdopen(fd, "wb", buffering=1 << 20) as out, self._tmp.open("rb") as rendered:
                out.write(MAGIC + self.spec.salt)
                for count, (in_last, start, end) in enumerate(self._order, 1):
                    if in_last:
                        out.write(last[start:end])
                        if count % UNMAP_EVERY == 0:
                            _unmap(last)
                    else:
                        out.write(os.pread(rendered.fileno(), end - start, start))
            name.replace(self.path)
        finally:
            name.unlink(missing_ok=True)
        logger.debug("Publish cache %s: written anew", self.path)


@contextmanager
def _locked(handle: BinaryIO, *, shared: bool) -> Iterator[None]:
    """An advisory lock on an open cache file while a publish appends to it (exclusive) or reads where
    it ends (shared); none where the system has no ``flock``."""
    if fcntl is None:
        yield
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _unmap(mapped: mmap.mmap) -> None:
    """Let go of the pages of ``mapped`` read so far (they stay in the kernel's cache: reading them again
    costs a minor fault, not a disk read)."""
    if hasattr(mmap, "MADV_DONTNEED"):
        with suppress(OSError, ValueError):
            mapped.madvise(mmap.MADV_DONTNEED)


def _packed(text: str | bytes) -> bytes:
    """A fragment as an entry holds it (see `MAGIC`)."""
    if isinstance(text, bytes):
        return LENGTH.pack(len(text) | RAW) + text
    data = text.encode("utf-8", "surrogatepass")
    return LENGTH.pack(len(data)) + data


def _decoded(data: bytes) -> list[str | bytes]:
    """The texts of an entry's fragments (`_packed`)."""
    texts: list[str | bytes] = []
    offset = 0
    while offset < len(data):
        (length,) = LENGTH.unpack_from(data, offset)
        offset += LENGTH.size
        raw, length = length & RAW, length & ~RAW
        if offset + length > len(data):
            raise ValueError("fragment cut short")
        text = data[offset : offset + length]
        texts.append(text if raw else text.decode("utf-8", "surrogatepass"))
        offset += length
    return texts


def sweep(folder: Path, parts: Collection[str]) -> int:
    """Delete the cache files of parts not in ``parts`` (lists no longer published) and temporary files
    that killed publishes left; how many."""
    keep = {file_name(part) for part in parts}
    deleted = 0
    try:
        paths = list(folder.iterdir())
    except OSError:
        return 0
    for path in paths:
        try:
            unused = path.name.endswith(SUFFIX) and path.name not in keep
            if unused or (
                path.name.endswith(TEMPORARY) and time.time() - path.stat().st_mtime > STALE_TEMPORARY_SECONDS
            ):
                path.unlink()
                deleted += 1
        except OSError as exc:
            logger.warning("Publish cache: could not delete %s (%s)", path, exc)
    return deleted
