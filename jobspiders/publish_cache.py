"""The web pages' rows and the Atom feeds' entries as the last publishes rendered them, so that a publish
renders only the jobs whose records changed: on a daily list most of them did not, and rendering a row
and an entry was a third of the work of publishing.

A fragment is found by a keyed BLAKE2 hash of the whole published record (its jobs.json line). The key is
a digest of everything else a fragment depends on: the code of the jobspiders package, the row and entry
templates and the versions of the libraries that print them. Change any of them and every fragment is
rendered again; the stale ones are dropped by the next publish of every list (`FragmentCache.prune`).

The cache is a SQLite file (``JOBS_PUBLISH_CACHE``, default ``<OUTPUT_DIR>/.publish-cache.sqlite``): the
worker processes of one publish share it. Losing it costs one slower publish; a cache that cannot be
read or written is logged and started afresh, never a reason for a publish to fail.
"""

from __future__ import annotations

import hashlib
import logging
import platform
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib import metadata
from itertools import islice
from pathlib import Path
from typing import TypeVar

import jinja2

from jobspiders import jsonio

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BATCH = 200  # fragments looked up, and stored, per query
# What fragments depend on besides the record, the code and the templates.
LIBRARIES = ("jinja2", "markupsafe", "pycountry")
FRAGMENT_TEMPLATES = ("index-row.html.j2", "feed-entry.atom.j2")
_PACKAGE = Path(__file__).resolve().parent

T = TypeVar("T")


@dataclass(frozen=True)
class CacheSpec:
    """What a process of a publish needs to open the shared cache."""

    path: Path
    salt: bytes  # `code_digest`
    run: str  # this publish: the fragments it uses are noted with it


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


def new_spec(path: Path, env: jinja2.Environment) -> CacheSpec:
    return CacheSpec(path, code_digest(env), uuid.uuid4().hex)


class FragmentCache:
    """One process's connection to the cache of `CacheSpec`. `open` instead of the constructor."""

    def __init__(self, spec: CacheSpec, db: sqlite3.Connection) -> None:
        self.spec, self.db = spec, db
        self.hits = self.misses = 0
        self.broken = False  # after an error: render the rest without the cache

    @classmethod
    def open(cls, spec: CacheSpec, *, repair: bool = False) -> FragmentCache | None:
        """The cache, created if missing; None (logged) if it cannot be used: the publish then renders
        every fragment. ``repair``: start a damaged cache afresh (only while no other process of the
        publish has it open: before the workers start or after they end)."""
        try:
            return cls(spec, _connect(spec.path))
        except sqlite3.Error as exc:
            if repair and _damaged(exc):
                logger.warning("Publish cache %s is damaged (%s): starting it afresh", spec.path, exc)
                _remove(spec.path)
                return cls.open(spec)
            logger.warning("Publish cache %s cannot be used (%s): rendering every row", spec.path, exc)
            return None

    def rendered(
        self, kind: str, items: Iterable[tuple[bytes, T]], render: Callable[[T], Sequence[str]]
    ) -> Iterator[tuple[bytes, Sequence[str]]]:
        """Each ``(record, value)`` (``record``: the published record's JSON bytes) as ``record`` and
        the texts of that ``kind`` rendered for the same record before, else ``render(value)`` (kept
        for the next publish). In order, `BATCH` items at a time."""
        person = kind.encode("utf-8")[:16]
        items = iter(items)
        while batch := list(islice(items, BATCH)):
            keys = [
                hashlib.blake2b(record, digest_size=16, key=self.spec.salt, person=person).digest()
                for record, _ in batch
            ]
            found = self._lookup(keys) if not self.broken else {}
            fresh: list[tuple[bytes, bytes]] = []
            for key, (record, value) in zip(keys, batch, strict=True):
                text = found.get(key)
                if text is None:
                    texts = render(value)
                    fresh.append((key, jsonio.dumpb(texts)))
                    yield record, texts
                else:
                    yield record, jsonio.loads(text)
            self.hits += len(batch) - len(fresh)
            self.misses += len(fresh)
            if not self.broken:
                self._keep(fresh, keys)

    def _lookup(self, keys: list[bytes]) -> dict[bytes, bytes]:
        marks = ",".join("?" * len(keys))
        try:
            rows = self.db.execute(f"SELECT key, texts FROM fragments WHERE key IN ({marks})", keys)  # noqa: S608
            return dict(rows)
        except sqlite3.Error as exc:
            self._failed("read", exc)
            return {}

    def _keep(self, fresh: list[tuple[bytes, bytes]], used: list[bytes]) -> None:
        # Which fragments this publish used goes to a table of its own: marking them in theirs would
        # write every fragment again.
        try:
            with _transaction(self.db):
                self.db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)", fresh)
                self.db.executemany("INSERT INTO used VALUES (?, ?)", ((self.spec.run, key) for key in used))
        except sqlite3.Error as exc:
            self._failed("write", exc)

    def _failed(self, what: str, exc: sqlite3.Error) -> None:
        logger.warning(
            "Publish cache %s: could not %s fragments (%s); rendering the rest of this part without it",
            self.spec.path,
            what,
            exc,
        )
        self.broken = True

    def prune(self) -> int:
        """Drop the fragments this publish did not use (after every list was written); how many. A
        damaged cache is removed (the next publish starts it afresh)."""
        try:
            with _transaction(self.db):
                dropped = self.db.execute(
                    "DELETE FROM fragments WHERE key NOT IN (SELECT key FROM used WHERE run = ?)",
                    (self.spec.run,),
                ).rowcount
                self.db.execute("DELETE FROM used")
                return dropped
        except sqlite3.Error as exc:
            self._failed("prune", exc)
            if _damaged(exc):
                self.db.close()
                _remove(self.spec.path)
            return 0

    def close(self) -> None:
        self.db.close()


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=60, isolation_level=None)  # transactions: `_transaction`
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last writes costs renders only
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            with _transaction(db):
                # Checked again under the write lock: another process may have just created it.
                if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    db.execute("DROP TABLE IF EXISTS fragments")
                    db.execute("DROP TABLE IF EXISTS used")
                    db.execute("CREATE TABLE fragments (key BLOB PRIMARY KEY, texts BLOB NOT NULL)")
                    db.execute("CREATE TABLE used (run TEXT NOT NULL, key BLOB NOT NULL)")
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("SELECT count(*) FROM fragments, used WHERE 0").fetchone()
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, the write lock taken at its start (no deadlock between two writers)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with suppress(sqlite3.Error):  # a failed statement may have ended the transaction already
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _damaged(exc: sqlite3.Error) -> bool:
    """Not a SQLite database, or a damaged one (a busy or read-only one is not damaged)."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
