"""`JobStore` on PostgreSQL (psycopg 3), selected by ``JOBS_DB=postgresql://…``.

Same behaviour as `jobspiders.store.SqliteStore` (see that module for the contract), made safe for several
crawls writing at once (two `scrapy crawl` runs, or the Redis scale-out workers):

- every write is one statement or one short transaction, so concurrent writers never lose an update;
  an upsert is a single ``INSERT … ON CONFLICT`` whose ``first_seen`` (and a first-seen ``posted_at``) is
  the earliest and ``last_seen`` the latest sighting of all writers, whatever order they commit in;
- the schema is created and migrated by the store itself on start: ``jobspiders_schema`` holds the applied
  versions, and migrations run under an advisory lock, so two workers starting together do not race;
- text columns use the "C" collation, so ISO 8601 instants and ids sort as they do in SQLite whatever the
  database's locale.

The tracked columns (``posted_at``, ``date_source``, ``first_seen``, ``last_seen``) are the truth and are
laid over the stored JSON document when it is read back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import conninfo

from jobspiders import jsonio
from jobspiders.config import ConfigError
from jobspiders.store import BoardAnswer, StoredDocument

SCHEMA_VERSION = 4
# Any 64-bit number unique to this project: serializes migrations of concurrent starters.
MIGRATION_LOCK = 0x6A6F6273_70696465
TRACKED = ("posted_at", "date_source", "first_seen", "last_seen")
# What `PostgresStore.stored_job` and `board_jobs` read of a job (`_stored_record` takes them in order).
_STORED_COLUMNS = ", ".join(("data", "dedup_key", *TRACKED))

# version -> statements; append new versions, never edit an applied one.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE jobs (
            id TEXT COLLATE "C" PRIMARY KEY,
            ats TEXT COLLATE "C" NOT NULL,
            board TEXT COLLATE "C" NOT NULL,
            dedup_key TEXT COLLATE "C" NOT NULL,
            posted_at TEXT COLLATE "C" NOT NULL,
            date_source TEXT NOT NULL,
            first_seen TEXT COLLATE "C" NOT NULL,
            last_seen TEXT COLLATE "C" NOT NULL,
            closed_at TEXT COLLATE "C",
            data TEXT NOT NULL
        )""",
        "CREATE INDEX jobs_board ON jobs (ats, board)",
        "CREATE INDEX jobs_open_posted ON jobs (posted_at) WHERE closed_at IS NULL",
        """CREATE TABLE board_runs (
            ats TEXT COLLATE "C" NOT NULL,
            board TEXT COLLATE "C" NOT NULL,
            crawled_at TEXT COLLATE "C" NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT,
            jobs INTEGER NOT NULL,
            PRIMARY KEY (ats, board, crawled_at)
        )""",
    ),
    2: (
        """CREATE TABLE board_names (
            ats TEXT COLLATE "C" NOT NULL,
            board TEXT COLLATE "C" NOT NULL,
            name TEXT NOT NULL,
            learned_at TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (ats, board)
        )""",
    ),
    3: (  # incremental re-crawls: the raw posting's hash, and the postings no profile wanted
        "ALTER TABLE jobs ADD COLUMN raw_hash TEXT",
        """CREATE TABLE filtered (
            id TEXT COLLATE "C" PRIMARY KEY,
            ats TEXT COLLATE "C" NOT NULL,
            raw_hash TEXT NOT NULL,
            seen_at TEXT COLLATE "C" NOT NULL
        )""",
        "CREATE INDEX filtered_ats ON filtered (ats)",
    ),
    4: (  # a board's last one-request answer, replayed when it comes again (`store.BoardAnswer`)
        """CREATE TABLE answers (
            ats TEXT COLLATE "C" NOT NULL,
            board TEXT COLLATE "C" NOT NULL,
            digest TEXT NOT NULL,
            company_name TEXT,
            entries TEXT NOT NULL,
            seen_at TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (ats, board)
        )""",
    ),
}

UPSERT = """
INSERT INTO jobs AS j (id, ats, board, dedup_key, posted_at, date_source, first_seen, last_seen,
                       closed_at, data, raw_hash)
VALUES (%(id)s, %(ats)s, %(board)s, %(dedup_key)s, %(posted_at)s, %(date_source)s, %(seen)s, %(seen)s,
        NULL, %(data)s, %(raw_hash)s)
ON CONFLICT (id) DO UPDATE SET
    dedup_key = EXCLUDED.dedup_key,
    posted_at = CASE WHEN EXCLUDED.date_source = 'first_seen' THEN LEAST(j.first_seen, EXCLUDED.first_seen)
                     ELSE EXCLUDED.posted_at END,
    date_source = EXCLUDED.date_source,
    first_seen = LEAST(j.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(j.last_seen, EXCLUDED.last_seen),
    closed_at = NULL,
    data = EXCLUDED.data,
    raw_hash = EXCLUDED.raw_hash
RETURNING (xmax = 0) AS inserted
"""


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class PostgresStore:
    """`JobStore` on PostgreSQL."""

    keeps_digests = False  # none: `stored_documents` gives the bytes

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            params = conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise ConfigError(f"JOBS_DB {redact(url)!r} is not a valid PostgreSQL URL: {exc}") from exc
        params.setdefault("connect_timeout", 10)
        params.setdefault("application_name", "jobspiders")
        try:
            self.db = psycopg.connect(**params, autocommit=True)
        except psycopg.Error as exc:
            reason = " ".join(str(exc).split())
            raise ConfigError(
                f"JOBS_DB {redact(url)}: the PostgreSQL store is not available: {reason}"
            ) from exc
        try:
            self._migrate()
        except psycopg.Error as exc:
            self.db.close()
            raise ConfigError(f"JOBS_DB {redact(url)}: cannot set up the schema: {exc}") from exc

    def _migrate(self) -> None:
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            self.db.execute(
                """CREATE TABLE IF NOT EXISTS jobspiders_schema (
                       version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"""
            )
            (current,) = self.db.execute("SELECT COALESCE(MAX(version), 0) FROM jobspiders_schema").fetchone()
            if current > SCHEMA_VERSION:
                raise ConfigError(
                    f"JOBS_DB {redact(self.url)} has schema {current}, newer than this jobspiders"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version]:
                    self.db.execute(statement)
                self.db.execute("INSERT INTO jobspiders_schema (version) VALUES (%s)", (version,))

    def schema_version(self) -> int:
        (version,) = self.db.execute("SELECT MAX(version) FROM jobspiders_schema").fetchone()
        return int(version)

    def upsert(self, job: Mapping[str, Any], seen_at: str) -> bool:
        """Store one job; True when we had never seen it."""
        return self.upsert_many([job], seen_at) == 1

    def upsert_many(self, jobs: Iterable[Mapping[str, Any]], seen_at: str) -> int:
        """Store jobs in one transaction; how many we had never seen. A job may carry ``raw_hash``."""
        new = 0
        with self.db.transaction():
            for job in jobs:
                row = self.db.execute(UPSERT, self._params(job, seen_at)).fetchone()
                new += bool(row[0])
        return new

    @staticmethod
    def _params(job: Mapping[str, Any], seen_at: str) -> dict[str, Any]:
        posted_at = seen_at if job["date_source"] == "first_seen" else job["posted_at"]
        doc = {key: value for key, value in job.items() if key not in TRACKED and key != "raw_hash"}
        return {
            "id": job["id"],
            "ats": job["ats"],
            "board": job["board"],
            "dedup_key": job["dedup_key"],
            "posted_at": posted_at,
            "date_source": job["date_source"],
            "seen": seen_at,
            "data": jsonio.dumps(doc, sort_keys=True),
            "raw_hash": job.get("raw_hash"),
        }

    def touch(self, ids: Iterable[str], seen_at: str) -> None:
        """Jobs seen again unchanged: only ``last_seen`` moves (never back) and they are open again."""
        self.db.execute(
            """UPDATE jobs SET last_seen = GREATEST(last_seen, %s), closed_at = NULL
               WHERE id = ANY(%s)""",
            (seen_at, sorted(set(ids))),
        )

    def raw_hashes(self, ats: str) -> tuple[dict[str, str], dict[str, str]]:
        """The ATS's stored jobs' and filtered postings' raw hashes: ({id: hash}, {id: hash})."""
        jobs = self.db.execute(
            "SELECT id, raw_hash FROM jobs WHERE ats = %s AND raw_hash IS NOT NULL", (ats,)
        ).fetchall()
        filtered = self.db.execute("SELECT id, raw_hash FROM filtered WHERE ats = %s", (ats,)).fetchall()
        return dict(jobs), dict(filtered)

    def stored_job(self, job_id: str) -> dict[str, Any] | None:
        """One stored job record (jobs.json fields, with ``dedup_key``), or None."""
        row = self.db.execute(f"SELECT {_STORED_COLUMNS} FROM jobs WHERE id = %s", (job_id,)).fetchone()  # noqa: S608
        return None if row is None else self._stored_record(*row)

    def board_jobs(self, ats: str, board: str, limit: int | None = None) -> dict[str, dict[str, Any]]:
        """The board's open jobs' records (as `stored_job` gives them), by id, at most ``limit``: one round
        trip a board."""
        rows = self.db.execute(
            f"""SELECT id, {_STORED_COLUMNS} FROM jobs
                WHERE ats = %s AND board = %s AND closed_at IS NULL LIMIT %s""",  # noqa: S608 - a constant
            (ats, board, limit),
        )
        return {job_id: self._stored_record(*row) for job_id, *row in rows}

    @staticmethod
    def _stored_record(data: str, dedup: str, *tracked: Any) -> dict[str, Any]:
        """A record from the `_STORED_COLUMNS` of its row."""
        return {**jsonio.loads(data), "dedup_key": dedup, **dict(zip(TRACKED, tracked, strict=True))}

    def remember_filtered(self, rows: Iterable[tuple[str, str, str]], seen_at: str) -> None:
        """Postings no list wanted, as (id, ats, raw_hash): unchanged, they are not normalized again."""
        params = [(job_id, ats, raw_hash, seen_at) for job_id, ats, raw_hash in rows]
        if not params:
            return
        with self.db.transaction(), self.db.cursor() as cursor:
            cursor.executemany(
                """INSERT INTO filtered VALUES (%s, %s, %s, %s)
                   ON CONFLICT (id) DO UPDATE SET raw_hash = EXCLUDED.raw_hash, seen_at = EXCLUDED.seen_at""",
                params,
            )

    def board_answers(self, ats: str) -> dict[str, BoardAnswer]:
        """The ATS's boards' last one-request answers, by board token."""
        rows = self.db.execute(
            "SELECT board, digest, company_name, entries FROM answers WHERE ats = %s", (ats,)
        ).fetchall()
        return {row[0]: BoardAnswer(*row) for row in rows}

    def remember_answers(
        self, ats: str, answers: Iterable[BoardAnswer], forget: Iterable[str], at: str
    ) -> None:
        """Keep these boards' answers and forget those of the boards in ``forget``, in one transaction."""
        rows = [(ats, a.board, a.digest, a.company_name, a.entries, at) for a in answers]
        gone = sorted(set(forget))
        if not rows and not gone:
            return
        with self.db.transaction(), self.db.cursor() as cursor:
            if gone:
                cursor.execute("DELETE FROM answers WHERE ats = %s AND board = ANY(%s)", (ats, gone))
            if rows:
                cursor.executemany(
                    """INSERT INTO answers VALUES (%s, %s, %s, %s, %s, %s)
                       ON CONFLICT (ats, board) DO UPDATE SET digest = EXCLUDED.digest,
                         company_name = EXCLUDED.company_name, entries = EXCLUDED.entries,
                         seen_at = EXCLUDED.seen_at""",
                    rows,
                )

    def finish_board(
        self, ats: str, board: str, outcome: str, reason: str | None, job_ids: Iterable[str], at: str
    ) -> int:
        """Record the board's crawl; returns how many jobs it closed."""
        seen = sorted({f"{ats}:{board}:{job_id}" for job_id in job_ids})
        with self.db.transaction():
            self.db.execute(
                """INSERT INTO board_runs VALUES (%s, %s, %s, %s, %s, %s)
                   ON CONFLICT (ats, board, crawled_at) DO UPDATE SET
                     outcome = EXCLUDED.outcome, reason = EXCLUDED.reason, jobs = EXCLUDED.jobs""",
                (ats, board, at, outcome, reason, len(seen)),
            )
            if outcome not in ("ok", "empty"):
                return 0
            cursor = self.db.execute(
                """UPDATE jobs SET closed_at = %s
                   WHERE ats = %s AND board = %s AND closed_at IS NULL AND NOT (id = ANY(%s))""",
                (at, ats, board, seen),
            )
            return cursor.rowcount

    def open_jobs(
        self, since: str, *, descriptions: bool = True, fields: Sequence[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        # A named (server-side) cursor streams big stores instead of loading them whole.
        with self.db.transaction(), self.db.cursor(name="jobspiders_open_jobs") as cursor:
            cursor.execute(
                """SELECT data, posted_at, date_source, first_seen, last_seen FROM jobs
                    WHERE closed_at IS NULL AND posted_at >= %s ORDER BY id""",
                (since,),
            )
            for data, *tracked in cursor:
                doc = self._document(data, tracked, descriptions)
                yield {name: doc.get(name) for name in (*fields, "last_seen")} if fields else doc

    def documents(self, ids: Sequence[str], *, descriptions: bool = True) -> dict[str, dict[str, Any]]:
        """These jobs' records (as `open_jobs` gives them), by id."""
        rows = self._rows(ids)
        return {job_id: self._document(data, tracked, descriptions) for job_id, data, *tracked in rows}

    def stored_documents(
        self, ids: Sequence[str], *, digests_only: bool = False
    ) -> dict[str, StoredDocument]:
        """These jobs' `StoredDocument`, by id: their ``source`` is the record's bytes (no digest is kept
        here; ``digests_only`` changes nothing)."""
        rows = self._rows(ids)
        # The record is the JSON and the tracked columns; neither holds a raw NUL (JSON escapes it).
        return {
            job_id: StoredDocument(
                "\0".join((data, *tracked[:-1])).encode("utf-8"),
                tracked[-1],
                partial(self._document, data, tracked, True),
            )
            for job_id, data, *tracked in rows
        }

    def _rows(self, ids: Sequence[str]) -> Iterable[tuple[Any, ...]]:
        """(id, data, *TRACKED) of these jobs."""
        return self.db.execute(
            """SELECT id, data, posted_at, date_source, first_seen, last_seen FROM jobs
                WHERE id = ANY(%s)""",
            (list(ids),),
        )

    @staticmethod
    def _document(data: str, tracked: Sequence[Any], descriptions: bool) -> dict[str, Any]:
        doc = {**jsonio.loads(data), **dict(zip(TRACKED, tracked, strict=True))}
        if not descriptions:
            doc.pop("description", None)
        return dict(sorted(doc.items()))  # key order as SQLite's sorted documents

    def latest_board_outcomes(self) -> dict[tuple[str, str], str]:
        rows = self.db.execute(
            """SELECT DISTINCT ON (ats, board) ats, board, outcome FROM board_runs
               ORDER BY ats, board, crawled_at DESC"""
        )
        return {(ats, board): outcome for ats, board, outcome in rows}

    def crawl_totals(self, ats: str, limit: int = 2) -> list[int]:
        """Postings listed by the ATS's boards in its latest crawls, newest first."""
        rows = self.db.execute(
            """SELECT SUM(jobs) FROM board_runs WHERE ats = %s
               GROUP BY crawled_at ORDER BY crawled_at DESC LIMIT %s""",
            (ats, limit),
        )
        return [int(total) for (total,) in rows]

    def board_history(self) -> Iterator[tuple[str, str, str, str, str | None, int]]:
        """Every board crawl: (ats, board, crawled_at, outcome, reason, jobs), oldest first per board."""
        rows = self.db.execute(
            """SELECT ats, board, crawled_at, outcome, reason, jobs FROM board_runs
               ORDER BY ats, board, crawled_at"""
        )
        for ats, board, crawled_at, outcome, reason, jobs in rows:
            yield ats, board, crawled_at, outcome, reason, int(jobs)

    def learn_name(self, ats: str, board: str, name: str, at: str) -> None:
        """Remember the company name a board states about itself (it corrects inventory names)."""
        self.db.execute(
            """INSERT INTO board_names VALUES (%s, %s, %s, %s)
               ON CONFLICT (ats, board)
               DO UPDATE SET name = EXCLUDED.name, learned_at = EXCLUDED.learned_at""",
            (ats, board, name, at),
        )

    def board_names(self) -> dict[tuple[str, str], str]:
        rows = self.db.execute("SELECT ats, board, name FROM board_names")
        return {(ats, board): name for ats, board, name in rows}

    def close(self) -> None:
        self.db.close()
