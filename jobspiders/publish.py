"""Publishing: store → published jobs → Jinja2 (templates/) → every profile's outputs.

`publish(config)` reads the open jobs of the store once, without their descriptions, keeps for each list
profile (profiles.yml) those that are young enough (``JOBS_MAX_AGE_DAYS``), collapses duplicates (one row
per job: earliest ``posted_at``, then smallest id), sorts newest first, computes the stats, and writes, per
profile, into ``OUTPUT_DIR/<profile>/``:

- ``README.md``   the Markdown list (at most ``JOBS_README_MAX_ROWS`` rows, then a line pointing to the rest)
- ``jobs.json``   every published job (DESIGN.md "JobItem and jobs.json")
- ``jobs.csv``    the same jobs, flattened (stdlib csv)
- ``feed.atom``   Atom 1.0 feed of the jobs first seen in the last ``JOBS_MAX_AGE_DAYS`` days
- ``index.html``  a static page with client-side filters that also works without JavaScript

The backend list also keeps ``OUTPUT_DIR/README.md`` and ``OUTPUT_DIR/jobs.json`` (DESIGN.md contract).
Every file is written atomically (temp file + rename); a refused profile keeps all its old files.

Publishing streams (issue 8: tens of thousands of jobs in little memory): it keeps per job only what
dedup, order, the stats and the page's filters need (`listed`), reads the whole records back from the
store in batches while it writes (`JobStore.documents`), and writes each file as it is rendered, never
holding one whole. Big publishes share the files out to forked worker processes (`render_parts`); a
cold one (no publish cache yet) renders list rows ahead while it reads the store (`RenderAhead`).

Templates go through one environment (`make_environment`). Markdown templates escape every printed value
with `md` unless it is `MdSafe`, which only our own filters produce; HTML and Atom templates (``*.html.j2``,
``*.atom.j2``) use Jinja2's autoescaping after stripping characters XML forbids. Only http(s) URLs become
links.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import json
import logging
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from base64 import b64encode
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache, lru_cache, partial
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import quote

import jinja2
import pycountry
from markupsafe import Markup

from jobspiders import jsonio
from jobspiders.config import JobsConfig
from jobspiders.gc_tuning import raised_threshold
from jobspiders.items import EXPORTED_FIELDS
from jobspiders.normalize.dates import to_iso
from jobspiders.normalize.dedup import collapse_roles
from jobspiders.normalize.profiles import Profile, load_profiles
from jobspiders.normalize.urls import is_http_url
from jobspiders.publish_cache import AheadFile, CacheSpec, FragmentFile, entry, has_file, new_spec, sweep
from jobspiders.store import DIGEST, JobStore, SqliteStore, StoredDocument, open_store, read_job
from jobspiders.writeonce import open_written_once

logger = logging.getLogger(__name__)
T = TypeVar("T")

WORKPLACE_LABELS = {"remote": "Remote", "hybrid": "Hybrid", "onsite": "On Site"}
SENIORITY_LEVELS = ("intern", "junior", "mid", "senior", "lead", "principal")
TOP_SKILLS = 5
BOARD_OUTCOMES = ("ok", "empty", "missing", "failed")
# The list that also keeps the top-level OUTPUT_DIR/README.md and OUTPUT_DIR/jobs.json (DESIGN.md).
PRIMARY_PROFILE = "backend"
# GitHub stops rendering a Markdown file at 512 KiB; rows are dropped (newest kept) until the README fits.
README_MAX_BYTES = 450_000
TITLE_MAX_CHARS = 160  # README and feed titles; the web page and jobs.json keep the whole title
FEED_CONTENT_MAX_CHARS = 600  # the opening of the description: a 15-day feed of a big list stays fetchable
FEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/jobspiders/jobspiders")
_FEED_NAMESPACE_BYTES = FEED_NAMESPACE.bytes
CSV_LIST_SEPARATOR = "; "
SALARY_KEYS = (
    "min",
    "max",
    "currency",
    "period",
    "annual_min",
    "annual_max",
    "annual_usd_min",
    "annual_usd_max",
)
# jobs.csv: the exported fields, with the salary and the locations flattened into columns of their own.
_FLATTENED = {
    "locations": ("location_cities", "location_regions", "location_countries"),
    "salary": tuple(f"salary_{key}" for key in SALARY_KEYS),
}
CSV_COLUMNS = tuple(column for name in EXPORTED_FIELDS for column in _FLATTENED.get(name, (name,)))
DOCUMENT_BATCH = 500  # records read per store query while writing
WRITE_BUFFER = 1 << 20  # bytes; Python's default (8 KB) made a jobs.json line about one system call


HEADER_READ_CHARS = 1 << 16  # jobs.json's header (stats and all) is under 1 KB
JOBS_OPENING = '\n  "jobs": ['  # where jobs.json's indented header ends and its one-line jobs begin
_HEADER_COUNT = re.compile(r'^  "count": (\d+),$', re.M)


class PublishRefused(RuntimeError):
    """Publishing would replace a good list with one that boards' failures emptied or left stale.

    ``result`` holds what was published anyway (the profiles that were not refused), or None.
    """

    def __init__(self, message: str, *, result: PublishResult | None = None) -> None:
        super().__init__(message)
        self.result = result


class MdSafe(str):
    """Markdown we produced ourselves; printed as is."""

    __slots__ = ()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
# What XML 1.0 forbids (and HTML disallows), plus bidi overrides that could reorder our own markup.
_MARKUP_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]"
)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_AUTOLINK = re.compile(r"(?i)(?=://)|(?<=www)(?=\.)|(?=@)")


def md(value: Any) -> str:
    """Escape board text for a Markdown table cell: no links, images, HTML, code or broken cells."""
    if value is None:
        return ""
    if isinstance(value, MdSafe):
        return value
    text = _CONTROL.sub(" ", str(value))
    text = " ".join(text.split())  # newlines and tabs would end the table row
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # GitHub turns bare "http://…", "www.…" and e-mail addresses into links: break them up.
    return _AUTOLINK.sub("&#8203;", text)


def md_url(url: Any) -> str | None:
    """A URL safe inside ``(...)`` of a Markdown link, or None when it is not http(s)."""
    if not is_http_url(url):
        return None
    return quote(url.strip(), safe=":/?#@!$&'*+,;=%-._~")


def md_link(text: Any, url: Any) -> MdSafe:
    """``[text](url)`` when the URL is http(s); the escaped text alone otherwise."""
    target = md_url(url)
    label = md(text) or md(url)
    return MdSafe(f"[{label}]({target})" if target else label)


def md_rel_link(text: Any, path: str) -> MdSafe:
    """A link to one of our own files, by a relative path we built (``../frontend/README.md``)."""
    return MdSafe(f"[{md(text)}]({quote(path, safe='/._-')})")


def markup_text(value: Any) -> Any:
    """Board text for HTML and XML: without the characters XML forbids; autoescaping follows."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return _MARKUP_CONTROL.sub("", str(value))


def http_url(value: Any) -> str | None:
    """The URL when it is absolute http(s), else None (an href never gets ``javascript:`` or ``data:``)."""
    return value.strip() if is_http_url(value) else None


def clip(value: Any, limit: int = TITLE_MAX_CHARS) -> str:
    """At most ``limit`` characters of ``value`` (whitespace collapsed), with "…" when cut."""
    whole = str(value or "")
    # Only the start of a long text can be printed: collapse no more of it than can fill ``limit``.
    head = whole[: limit + limit // 4 + 64]
    text = collapsed(head)
    if len(text) <= limit and len(head) < len(whole):
        text = collapsed(whole)  # mostly whitespace: read it all
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Whitespace (`str.isspace`) but the space and the newline.
ODD_SPACES = "\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ODD_SPACE_OR_MARKUP_CONTROL = re.compile(f"[{ODD_SPACES}]|{_MARKUP_CONTROL.pattern}")


def collapsed(text: str) -> str:
    """``text`` without the characters XML forbids, each run of whitespace one space, stripped."""
    # A description's text (`html_to_text`) has spaces and paragraphs' newlines only: two replaces
    # instead of a string per word (a feed entry's 600 characters: clip 8.1 -> 5.3 us).
    if _ODD_SPACE_OR_MARKUP_CONTROL.search(text) is None:
        flat = text.replace("\n\n", "\n").replace("\n", " ")
        if "  " not in flat:
            return flat.strip(" ")
    return " ".join(_without_markup_controls(text).split())


def _without_markup_controls(text: str) -> str:
    # Most text has none: looking is half the price of replacing.
    return _MARKUP_CONTROL.sub("", text) if _MARKUP_CONTROL.search(text) else text


def money(amount: float | None) -> str:
    if amount is None:
        return "n/a"
    return f"${round(amount / 1000):,}k" if amount >= 1000 else f"${round(amount):,}"


def salary_label(salary: Mapping[str, Any] | None) -> str:
    """Salary text like ``EUR 70,000–110,000 / year (≈ $76k–$120k a year)``; "" without a salary."""
    if not salary:
        return ""
    low, high = salary.get("min"), salary.get("max")
    amounts = "–".join(f"{v:,.0f}" for v in dict.fromkeys(v for v in (low, high) if _is_number(v)))
    if not amounts:
        return ""
    if low is None:
        amounts = f"up to {amounts}"
    elif high is None:
        amounts = f"from {amounts}"
    text = f"{salary.get('currency') or ''} {amounts} / {salary.get('period') or 'year'}".strip()
    usd = [v for v in (salary.get("annual_usd_min"), salary.get("annual_usd_max")) if _is_number(v)]
    if usd and (salary.get("currency") != "USD" or salary.get("period") != "year"):
        text += f" (≈ {'–'.join(dict.fromkeys(money(v) for v in usd))} a year)"
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@cache
def country_name(code: str) -> str:
    """The short English name of an ISO 3166-1 alpha-2 code; the code when unknown."""
    country = pycountry.countries.get(alpha_2=code) if isinstance(code, str) and len(code) == 2 else None
    return getattr(country, "common_name", None) or getattr(country, "name", None) or str(code)


def _autoescape(name: str | None) -> bool:
    """HTML and XML templates are autoescaped; Markdown ones (and strings) go through `md` instead."""
    return name is not None and name.removesuffix(".j2").endswith((".html", ".htm", ".xml", ".atom"))


@jinja2.pass_eval_context
def _finalize(eval_ctx: jinja2.nodes.EvalContext, value: Any) -> Any:
    return markup_text(value) if eval_ctx.autoescape else md(value)


def make_environment(template_dir: str | Path | None = None) -> jinja2.Environment:
    """The one Jinja2 environment: templates/ of the checkout, else the copy bundled in the package."""
    if template_dir is None:
        checkout = Path(__file__).resolve().parent.parent / "templates"
        if checkout.is_dir():
            loader: jinja2.BaseLoader = jinja2.FileSystemLoader(checkout)
        else:
            loader = jinja2.FunctionLoader(
                lambda name: resources.files("jobspiders").joinpath("templates", name).read_text("utf-8")
            )
    else:
        loader = jinja2.FileSystemLoader(template_dir)
    env = jinja2.Environment(
        loader=loader,
        # Markdown templates: `finalize` applies `md` to every printed value; HTML/XML: escaping.
        autoescape=_autoescape,  # noqa: S701 - Markdown templates are escaped by `md` in `_finalize`
        finalize=_finalize,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        md=lambda v: MdSafe(md(v)),
        link=md_link,
        rel_link=md_rel_link,
        money=lambda v: MdSafe(money(v)),
        number=lambda v: MdSafe(f"{v:,}"),
        clip=clip,
        http_url=http_url,
        salary=salary_label,
        country=country_name,
    )
    env.filters["date"] = lambda value, fmt="%b %d": MdSafe(day_label(value, fmt))
    env.filters["rfc3339"] = lambda value: MdSafe(_rfc3339(value))
    return env


@lru_cache(maxsize=4)  # one per environment: an overlay compiles its templates again
def streaming_environment(env: jinja2.Environment) -> jinja2.Environment:
    """``env`` without `finalize`, for the HTML and Atom files: `clean_markup` strips what XML forbids from
    each rendered row, entry and what surrounds them instead of from every printed value (the same output,
    less work)."""
    return env.overlay(finalize=None)


def day_label(value: str, fmt: str = "%b %d") -> str:
    """``value`` (ISO 8601 UTC) formatted by ``fmt``; cached per day when ``fmt`` shows only the day."""
    if len(value) >= 10 and value[4:5] == "-" and _shows_only_the_day(fmt):
        return _day_label(value[:10], fmt)
    return _parse_iso(value).strftime(fmt)


@cache
def _shows_only_the_day(fmt: str) -> bool:
    return not set(fmt) & {"H", "M", "S", "I", "p", "f", "z", "Z"}


@cache
def _day_label(day: str, fmt: str) -> str:
    return datetime.fromisoformat(day).strftime(fmt)


def _parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def collapse_duplicates(jobs: Iterable[Mapping[str, Any]], by: str = "location") -> list[dict[str, Any]]:
    """One row per job: per key the earliest ``posted_at``, then the smallest id, is kept.

    ``by="location"`` (the default, DESIGN.md): the same company, normalized title and location.
    ``by="role"`` (``JOBS_DEDUP=role``): the same company and role wherever it is posted is one row
    listing all its locations (the same opening on two boards, or posted once per city).
    The rows kept are the given objects (merged rows are new ones): callers must not change them.
    """
    if by == "role":
        return collapse_roles(jobs)
    kept: dict[str, Any] = {}
    for job in jobs:
        key = job.get("dedup_key") or job["id"]
        best = kept.get(key)
        if best is None or (job["posted_at"], job["id"]) < (best["posted_at"], best["id"]):
            kept[key] = job
    return list(kept.values())


def compute_stats(jobs: list[Mapping[str, Any]], skills: Sequence[str] | None = None) -> dict[str, Any]:
    """The README's stats line, over the published jobs (``skills``: their `skills_by_count`)."""
    salaries = [mid for job in jobs if (mid := _annual_usd_mid(job.get("salary"))) is not None]
    remote = sum(job["workplace"] == "remote" for job in jobs)
    return {
        "jobs": len(jobs),
        "remote_share": round(100 * remote / len(jobs)) if jobs else 0,
        "companies": len({job["company"] for job in jobs}),
        "avg_salary_usd": round(sum(salaries) / len(salaries)) if salaries else None,
        "salary_postings": len(salaries),
        "trending_skills": list((skills_by_count(jobs) if skills is None else skills)[:TOP_SKILLS]),
    }


def skills_by_count(jobs: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every skill of ``jobs``, the most frequent first (then by name)."""
    skills = Counter(chain.from_iterable(job.get("skills") or () for job in jobs))
    return [name for name, _ in sorted(skills.items(), key=lambda kv: (-kv[1], kv[0]))]


def countries_by_name(jobs: Iterable[Mapping[str, Any]]) -> list[str]:
    """The country codes of ``jobs``' locations (valid ones), by `country_name`."""
    # A set of the codes, checked once each: a Counter of every location's, checked each time, was a
    # tenth of a cached list's page.
    codes = set(chain.from_iterable(map(_location_countries, jobs)))
    return sorted(filter(_COUNTRY_CODE.fullmatch, codes), key=lambda code: (country_name(code), code))


def _annual_usd_mid(salary: Mapping[str, Any] | None) -> float | None:
    if not salary:
        return None
    low, high = salary.get("annual_usd_min"), salary.get("annual_usd_max")
    values = [v for v in (low, high) if isinstance(v, int | float)]
    return sum(values) / len(values) if values else None


@dataclass(frozen=True, slots=True)
class ProfileOutput:
    """What one profile's publish wrote: its job count, the README's rows and the files."""

    profile: str
    count: int
    readme_rows: int
    files: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class PublishResult:
    """``count``, ``readme`` and ``jobs_json`` describe the primary list (the backend list at the top of
    OUTPUT_DIR when it was published, else the first profile published); ``outputs`` has every profile."""

    count: int
    readme: Path
    jobs_json: Path
    outputs: tuple[ProfileOutput, ...] = field(default=())


def check_boards(outcomes: Mapping[tuple[str, str], str], max_failed_share: float) -> None:
    """Refuse when more than ``max_failed_share`` of the boards failed in their latest crawl."""
    if not outcomes:
        return
    failed = sum(outcome == "failed" for outcome in outcomes.values())
    if failed / len(outcomes) > max_failed_share:
        raise PublishRefused(
            f"{failed} of {len(outcomes)} boards failed in their latest crawl "
            f"(more than {max_failed_share:.0%}); the list would not be up to date"
        )


def check_drop(previous: int | None, count: int, max_drop: float) -> None:
    """Refuse when the list would shrink by more than ``max_drop`` of the last published one."""
    if previous and count < previous * (1 - max_drop):
        raise PublishRefused(
            f"the list would fall from {previous} to {count} jobs (more than {max_drop:.0%} fewer); "
            "boards probably failed or changed shape"
        )


def previous_count(jobs_json: Path) -> int | None:
    """The job count of the last list we published, when there is a readable one.

    Read from the header that `TablesWriter` writes (top-level keys two spaces in, ``count`` before
    ``"jobs": [``) without parsing the jobs: a big list's jobs.json is tens of MB, and parsing it took
    more memory than the rest of a crawl's end. Any other JSON file is parsed whole.
    """
    try:
        with jobs_json.open(encoding="utf-8") as handle:
            head = handle.read(HEADER_READ_CHARS)
        header, jobs_follow, _ = head.partition(JOBS_OPENING)
        if jobs_follow and (match := _HEADER_COUNT.search(header)):
            return int(match.group(1))
        count = json.loads(jobs_json.read_text(encoding="utf-8")).get("count")
    except (OSError, ValueError, AttributeError):
        return None
    return count if isinstance(count, int) else None


def _profile_lists(
    jobs: Iterable[Mapping[str, Any]], names: Iterable[str], dedup: str = "location"
) -> dict[str, list[dict[str, Any]]]:
    """The jobs of each named profile, duplicates collapsed, newest first (one pass over the jobs)."""
    members: dict[str, list[Mapping[str, Any]]] = {name: [] for name in names}
    for job in jobs:
        for name in job.get("profiles") or ():
            if name in members:
                members[name].append(job)
    lists = {}
    for name, mine in members.items():
        rows = collapse_duplicates(mine, by=dedup)
        rows.sort(key=_newest_first, reverse=True)
        lists[name] = rows
    return lists


def _newest_first(job: Mapping[str, Any]) -> tuple[str, str]:
    return job["posted_at"], job["id"]


def _read_store(
    store: JobStore, config: JobsConfig, *, force: bool
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """What publishing keeps of every open job young enough (`listed`), and how many boards had each
    outcome in their latest crawl. Rows listed ahead (`list_ahead`) are used again where their record
    did not change since."""
    since = _since(config)
    outcomes = store.latest_board_outcomes()
    if not force:
        check_boards(outcomes, config.max_failed_share)
    ahead = _take_listing(config, since)
    if ahead:
        return _listed_again(store, since, ahead), Counter(outcomes.values())
    docs = store.open_jobs(since, fields=READ_FIELDS)
    return [listed(doc) for doc in docs], Counter(outcomes.values())


def _since(config: JobsConfig) -> str:
    """``JOBS_MAX_AGE_DAYS`` before now: the oldest ``posted_at`` a list publishes (and ``first_seen`` its
    feed)."""
    return to_iso(config.now - timedelta(days=config.max_age_days))


# Rows `list_ahead` listed in this process before a crawl: (store, since, rows by id).
_LISTING: tuple[str, str, dict[str, dict[str, Any]]] | None = None


def list_ahead(config: JobsConfig) -> int:
    """List the store's open jobs now, for the next publish of this process to use again: it then reads
    the records' digests (a column) and only the records that changed since, not every record. For
    `PublishProcess`, whose process does this while the crawl runs. Only stores that keep digests
    (SQLite) are listed; how many rows were."""
    global _LISTING
    since = _since(config)
    with raised_threshold(config.gc_threshold):
        store = open_store(config.db)
        try:
            if not store.keeps_digests:  # PostgreSQL: the publish reads every record anyway
                return 0
            rows = [listed(doc) for doc in store.open_jobs(since, fields=READ_FIELDS)]
        finally:
            store.close()
    _LISTING = (str(config.db), since, {row["id"]: row for row in rows if DIGEST in row})
    return len(_LISTING[2])


def _take_listing(config: JobsConfig, since: str) -> dict[str, dict[str, Any]] | None:
    """The rows `list_ahead` listed of this store and age limit, once."""
    global _LISTING
    listing, _LISTING = _LISTING, None
    if listing is None or listing[:2] != (str(config.db), since):
        return None
    return listing[2]


def _listed_again(store: JobStore, since: str, ahead: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The open jobs' rows as `listed` makes them: those listed ahead whose record has the same digest
    now, with their ``last_seen`` of now; the others (new, changed) read and listed anew."""
    rows: list[dict[str, Any] | None] = []
    again: dict[str, int] = {}  # id -> where its row goes
    for doc in store.open_jobs(since, fields=("id", DIGEST)):
        row = ahead.get(doc["id"])
        if row is not None and doc[DIGEST] is not None and row[DIGEST] == doc[DIGEST]:
            row[SEEN] = doc[SEEN]
            rows.append(row)
        else:
            again[doc["id"]] = len(rows)
            rows.append(None)
    ids = list(again)
    for start in range(0, len(ids), DOCUMENT_BATCH):
        for job_id, stored in store.stored_documents(ids[start : start + DOCUMENT_BATCH]).items():
            record = stored.parse()
            record[DIGEST] = stored.source  # SQLite's digest: only stores that keep them are listed ahead
            rows[again[job_id]] = listed(record)
    logger.debug("Listed %d jobs again, read %d", len(rows) - len(ids), len(ids))
    return [row for row in rows if row is not None]  # gone from the store since: left out


# What publishing keeps of a job in memory until it writes the files: what dedup, ordering, the stats
# and the web page's filters need. Files get the whole record from the store, a batch at a time.
LISTED = ("id", "dedup_key", "posted_at", "first_seen", "company", "title", "location", "locations")
LISTED_SHARED = ("workplace", "seniority")  # few distinct values: one string object each
# The listed fields a record takes from its row: `JOBS_DEDUP=role` merges them across a role's rows.
MERGED = ("location", "locations")
READ_FIELDS = (*LISTED, *LISTED_SHARED, "profiles", "skills", "salary", DIGEST)  # what `listed` reads


def listed(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A job's listed fields (`LISTED`), its profiles and skills, and its salary in annual USD only; and
    where the store keeps them, its record's digest and ``last_seen``: a publish finds its cached rows by
    them without asking the store (`_stored`)."""
    row = {key: doc.get(key) for key in LISTED}
    if doc.get(DIGEST) is not None:
        row[DIGEST], row[SEEN] = doc[DIGEST], doc.get(SEEN)
    for key in LISTED_SHARED:
        value = doc.get(key)
        row[key] = sys.intern(value) if isinstance(value, str) else value
    # map(): no Python frame per name (a store of 50,000 jobs lists about 500,000 skills)
    row["profiles"] = tuple(map(sys.intern, map(str, doc.get("profiles") or ())))
    row["skills"] = tuple(map(sys.intern, map(str, doc.get("skills") or ())))
    salary = doc.get("salary")
    if isinstance(salary, Mapping):
        row["salary"] = {key: salary.get(key) for key in ("annual_usd_min", "annual_usd_max")}
    return row


def _documents(
    store: JobStore, rows: Sequence[Mapping[str, Any]], *, descriptions: bool, batch: int = DOCUMENT_BATCH
) -> Iterator[dict[str, Any]]:
    """The published record of each row, read from the store ``batch`` rows at a time."""
    read = partial(store.documents, descriptions=descriptions)
    for row, doc in _in_store(rows, read, batch):
        yield _published(doc, row, descriptions=descriptions)


def _published(doc: dict[str, Any], row: Mapping[str, Any], *, descriptions: bool) -> dict[str, Any]:
    """A stored record as the lists publish it: with the listed row's `MERGED` fields."""
    doc.pop("dedup_key", None)  # our own bookkeeping, not a published field
    for key in MERGED:
        doc[key] = row[key]
    if descriptions:
        doc.setdefault("description", "")
    return doc


def _stored(
    store: JobStore,
    rows: Sequence[Mapping[str, Any]],
    cache: FragmentFile,
    batch: int = DOCUMENT_BATCH,
    *,
    merged: bool = True,
) -> Iterator[tuple[bytes, tuple[StoredDocument, Mapping[str, Any]]]]:
    """Each row's stored record, not parsed (`StoredDocument`), after its key in ``cache``: the hash of
    what its published record (with its description) is made of but ``last_seen``: its stored source,
    and its `MERGED` fields if ``merged`` (rows of ``JOBS_DEDUP=role``, whose locations are those of
    their duplicates; otherwise a row's are its record's own).

    Once ``cache`` has fragments, a row that was listed with its digest (`listed`, SQLite) is looked up
    by it with no query, as it was listed; the others' digests are read a batch at a time (PostgreSQL:
    their records). The records not in ``cache`` are then read in one more query a batch (a warm
    publish reads few of them); one gone from the store since it was listed is left out."""

    def keyed(row: Mapping[str, Any], stored: StoredDocument) -> tuple[bytes, tuple[StoredDocument, Any]]:
        return fragment_key(stored, row, merged=merged), (stored, row)

    digests_only = cache.has_fragments
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        if digests_only and all(DIGEST in row for row in chunk):
            found = {row["id"]: _listed_document(store, row) for row in chunk}
        else:
            found = store.stored_documents([row["id"] for row in chunk], digests_only=digests_only)
        pairs = [keyed(row, found[row["id"]]) for row in chunk if row["id"] in found]
        missing = {row["id"] for key, (stored, row) in pairs if not stored.loaded and not cache.has(key)}
        if missing:
            loaded = store.stored_documents(list(missing))
            for key, (stored, row) in pairs:
                if row["id"] not in missing:
                    yield key, (stored, row)
                elif row["id"] in loaded:
                    yield keyed(row, loaded[row["id"]])
        else:
            yield from pairs


def fragment_key(stored: StoredDocument, row: Mapping[str, Any], *, merged: bool) -> bytes:
    """The publish cache's key of a row's fragments (`FragmentFile.key`): of its stored source, and of its
    `MERGED` fields if ``merged`` (see `_stored`)."""
    if merged:
        return FragmentFile.key(stored.source + jsonio.dumpb([row[key] for key in MERGED]))
    return FragmentFile.key(stored.source)


def _listed_document(store: JobStore, row: Mapping[str, Any]) -> StoredDocument:
    """A row's record as `listed` saw it (its digest and ``last_seen``), read from ``store`` if parsed."""
    return StoredDocument(row[DIGEST], row[SEEN], partial(read_job, store, row["id"]), loaded=False)


def _stored_record(pair: tuple[StoredDocument, Mapping[str, Any]]) -> dict[str, Any]:
    """The published record (with its description) of a `_stored` value, parsed now."""
    stored, row = pair
    return _published(stored.parse(), row, descriptions=True)


def _in_store(
    rows: Sequence[Mapping[str, Any]], read: Callable[[list[str]], Mapping[str, T]], batch: int
) -> Iterator[tuple[Mapping[str, Any], T]]:
    """Each row with what ``read`` (ids to values by id) gives for it, ``batch`` rows a call; a row
    removed from the store since it was listed is left out (not published)."""
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        found = read([row["id"] for row in chunk])
        for row in chunk:
            value = found.get(row["id"])
            if value is not None:
                yield row, value


def _previous(config: JobsConfig, profile: str) -> int | None:
    """The size of the profile's last published list (the backend one may only exist at the top)."""
    paths = [config.output_dir / profile / "jobs.json"]
    if profile == PRIMARY_PROFILE:
        paths.append(config.output_dir / "jobs.json")
    counts = [count for path in paths if (count := previous_count(path)) is not None]
    return max(counts) if counts else None


def publish(config: JobsConfig, profile: str | None = None, *, force: bool = False) -> PublishResult:
    """Render every profile's outputs (or only ``profile``'s) into ``OUTPUT_DIR`` from one store read.

    PublishRefused, with every old file untouched, when more than ``JOBS_PUBLISH_MAX_FAILED_SHARE`` of
    the boards failed in their latest crawl. A profile whose list would shrink by more than
    ``JOBS_PUBLISH_MAX_DROP`` keeps its old files while the others are published; PublishRefused then
    names it and carries the others' result. ``force`` publishes anyway. ValueError for an unknown
    profile. The garbage collector runs less often meanwhile (``JOBS_GC_THRESHOLD``, `gc_tuning`).
    """
    with raised_threshold(config.gc_threshold):
        return _publish(config, profile, force=force)


class PublishProcess:
    """A new Python process (spawned, not forked) that publishes once, for a process that crawls first:
    Python keeps a crawl's heap after the crawl, and a publish in that process (and its forked workers)
    added its own memory on top of it (crawlall at 5,000 boards peaked at 1.8 GB; `scrapy publish` alone
    over the same store used 457 MB).

    The process starts when this is made, before the crawl, and imports what publishing needs while the
    crawl runs: the publish at the end does not wait for a new interpreter and half a second of imports.
    Given ``listing`` (the publish's config), it also lists the store then (`list_ahead`): the publish
    reads again only the jobs whose records the crawl changed.
    Until it publishes it ignores SIGINT, so that the Ctrl-C that stops a crawl gracefully does not kill
    it; the publish itself can be interrupted as before. If it died while it waited (killed, out of
    memory), `publish` starts another. `publish` gives the same result and exceptions as the function
    `publish` (its log lines go to standard error); `close` ends the process."""

    def __init__(self, listing: JobsConfig | None = None) -> None:
        self._pool = _started_pool()
        if listing is not None:  # the crawl's first minutes: the process lists the store meanwhile
            self._pool.submit(_list_in_child, listing)

    def publish(
        self, config: JobsConfig, profile: str | None = None, *, force: bool = False
    ) -> PublishResult:
        try:
            try:
                future = self._pool.submit(_publish_in_child, config, profile, force)
            except BrokenProcessPool:
                logger.warning("The publish process started before the crawl has died: starting another")
                self.close()
                self._pool = _started_pool()
                future = self._pool.submit(_publish_in_child, config, profile, force)
            return future.result()
        finally:
            self.close()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> PublishProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _started_pool() -> ProcessPoolExecutor:
    """A one-process spawn pool for `PublishProcess`, its process started (and ignoring SIGINT)."""
    level = logging.getLogger().getEffectiveLevel()
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(1, mp_context=context, initializer=_idle_child, initargs=(level,))
    # A pool starts its process on its first task. An ignored signal stays ignored in a new program, and
    # Python then leaves it so: the process ignores SIGINT from its first instruction, not only once its
    # imports are done (only the main thread can change that, others leave it to the child).
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        pool.submit(int)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    return pool


def _idle_child(level: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.basicConfig(level=level, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")


def _list_in_child(config: JobsConfig) -> None:
    try:
        logger.debug("Listed %d jobs ahead of the publish", list_ahead(config))
    except Exception as exc:  # the publish then reads every record, as without it
        logger.warning("Could not list the store ahead of the publish (%s: %s)", type(exc).__name__, exc)


def _publish_in_child(config: JobsConfig, profile: str | None, force: bool) -> PublishResult:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return publish(config, profile, force=force)


def _publish(config: JobsConfig, profile: str | None, *, force: bool) -> PublishResult:
    profiles = load_profiles()
    if profile is not None and profile not in profiles:
        raise ValueError(f"unknown profile {profile!r}; profiles.yml has {', '.join(profiles)}")
    names = [profile] if profile else list(profiles)
    env = make_environment()
    cache = new_spec(config.publish_cache, streaming_environment(env)) if config.publish_cache else None
    with RenderAhead.started(config, env, cache, names) as ahead:
        store = open_store(config.db)
        try:
            jobs, boards = _read_store(store, config, force=force)
        finally:
            store.close()
        lists = _profile_lists(jobs, names, config.dedup)
        del jobs
        refused: dict[str, str] = {}
        if not force:
            for name, rows in lists.items():
                try:
                    check_drop(_previous(config, name), len(rows), config.max_drop)
                except PublishRefused as exc:
                    refused[name] = str(exc)
        board_counts = {outcome: boards[outcome] for outcome in BOARD_OUTCOMES if boards[outcome]}
        contexts = {
            name: _context(config, profiles, name, rows, board_counts)
            for name, rows in lists.items()
            if name not in refused
        }
        if ahead:
            cache = ahead.handover([f"{name}.list" for name in contexts])
        readme_rows = render_parts(config, contexts, env, cache)
    if cache and profile is None:
        _sweep(cache, profiles, config.output_dir)
    outputs = [_profile_output(config, context, readme_rows[name]) for name, context in contexts.items()]
    result = _result(config, outputs)
    if refused:
        reasons = "; ".join(f"{name}: {why}" for name, why in refused.items())
        raise PublishRefused(f"{', '.join(refused)} kept the last good list: {reasons}", result=result)
    assert result is not None  # at least one profile, none refused
    return result


def _result(config: JobsConfig, outputs: Sequence[ProfileOutput]) -> PublishResult | None:
    if not outputs:
        return None
    primary = next((o for o in outputs if o.profile == PRIMARY_PROFILE), None)
    if primary is not None:
        top = config.output_dir
        return PublishResult(primary.count, top / "README.md", top / "jobs.json", tuple(outputs))
    first = outputs[0]
    folder = config.output_dir / first.profile
    return PublishResult(first.count, folder / "README.md", folder / "jobs.json", tuple(outputs))


def _context(
    config: JobsConfig,
    profiles: Mapping[str, Profile],
    name: str,
    jobs: list[dict[str, Any]],
    boards: Mapping[str, int],
) -> dict[str, Any]:
    """What every template of one profile's list gets."""
    profile = profiles[name]
    skills = skills_by_count(jobs)
    return {
        "profile": profile,
        "title": profile.title.format(year=config.now.year),
        "updated": MdSafe(config.now.strftime("%b %d, %Y at %H:%M UTC")),
        "generated_at": to_iso(config.now),
        "jobs": jobs,
        "stats": compute_stats(jobs, skills),
        "skills_by_count": skills,
        "workplace_labels": WORKPLACE_LABELS,
        "boards": dict(boards),
        "max_age_days": config.max_age_days,
        "siblings": [
            {"name": other.name, "title": other.title.format(year=config.now.year)}
            for other in profiles.values()
            if other.name != name
        ],
    }


# What `render_part` writes of each list, and its relative cost per row it writes (measured), which
# orders the work so that the largest parts start first. "list": jobs.json, jobs.csv and index.html,
# from one read of each record; "feed": feed.atom; "readme": README.md (its newest rows only).
PARTS = {"list": 1.4, "feed": 1.0, "readme": 1.5}
# Below this many jobs (all lists together) the parts are rendered in this process: a worker process
# costs more than it saves.
PARALLEL_MIN_JOBS = 5000
# Below this many open jobs in the store no rows are rendered ahead (`RenderAhead`): the parts will not
# be shared out either, and the store is read in a moment.
AHEAD_MIN_JOBS = PARALLEL_MIN_JOBS
_FORKED: tuple[JobsConfig, Mapping[str, Mapping[str, Any]], jinja2.Environment, CacheSpec | None] | None = (
    None
)


def render_parts(
    config: JobsConfig,
    contexts: Mapping[str, Mapping[str, Any]],
    env: jinja2.Environment,
    cache: CacheSpec | None = None,
) -> dict[str, int]:
    """Write every file of every list (`PARTS`), biggest part first; the number of rows in each list's
    README. ``env`` is a `make_environment` (each worker compiles its templates once, not once per file);
    ``cache``: where the rendered rows and feed entries of the last publishes are (`publish_cache`).

    With ``JOBS_PUBLISH_WORKERS`` above 1 and enough jobs, the parts are shared out to that many forked
    worker processes (they inherit the lists, read the records through their own store connection and
    write their own files), so a big publish uses every core. A worker that fails or dies fails the
    publish (BrokenProcessPool for a killed one); the files it did not write keep their last version.
    Python 3.12+ warns that forking a process with threads (a crawl's) may deadlock the child; the
    workers use no lock of those threads, and ``JOBS_PUBLISH_WORKERS=1`` publishes without them.
    """
    global _FORKED

    def cost(task: tuple[str, str]) -> float:
        name, part = task
        rows = len(contexts[name]["jobs"])
        return PARTS[part] * (min(rows, config.readme_max_rows) if part == "readme" else rows)

    tasks = sorted(((name, part) for name in contexts for part in PARTS), key=cost, reverse=True)
    total = sum(len(context["jobs"]) for context in contexts.values())
    workers = min(config.publish_workers, len(tasks))
    if workers <= 1 or total < PARALLEL_MIN_JOBS or "fork" not in multiprocessing.get_all_start_methods():
        store = open_store(config.db)
        try:
            done = [render_part(env, config, store, contexts[name], part, cache) for name, part in tasks]
        finally:
            store.close()
    else:
        _FORKED = (config, contexts, env, cache)
        try:
            # fork: the workers inherit the lists instead of receiving copies of them.
            gc.freeze()  # what the workers inherit is never walked by their collections (nor copied)
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                done = list(pool.map(_render_forked, tasks))
        finally:
            gc.unfreeze()
            _FORKED = None
    return {name: rows for (name, part), rows in zip(tasks, done, strict=True) if part == "readme"}


def _render_forked(task: tuple[str, str]) -> int | None:
    assert _FORKED is not None, "set before the pool forks"
    config, contexts, env, cache = _FORKED
    store = open_store(config.db)
    try:
        return render_part(env, config, store, contexts[task[0]], task[1], cache)
    finally:
        store.close()


class RenderAhead:
    """A forked process that renders the rows of big lists into the publish cache while this process reads
    the store and builds the lists, on a core that would otherwise wait: a cold publish (a list part with
    no cache file yet, `has_file`: the first publish, or the first after a change of code or templates)
    spent a second of 4.5 on one core at 50,000 jobs before its parts shared both. The parts then find
    those rows rendered, as from a last publish.

    It takes the open jobs newest first, as the lists order them, and writes each one's `list_fragments`
    into the `AheadFile` of each list it is in whose list part has no cache file, until `handover` (or the
    last job): the parts read those rows in the order they were written, as they read a last publish's
    (a cache file is read through a memory map, and a fault maps a whole folio of it, up to 2 MB: rows
    read out of order held the whole file in the worker's memory).

    Started (`start`) only when the parts will be shared out (``JOBS_PUBLISH_WORKERS`` above 1,
    `AHEAD_MIN_JOBS`), for SQLite stores (their digests key the fragments, `fragment_key`) and
    ``JOBS_DEDUP=location`` (a row's fragments are then its own record's; a role's row merges the
    locations of its duplicates first). A process that fails or dies costs nothing but its work: its files
    are not used."""

    # How long `handover` waits for the process to end its files once told to stop (it stops after the
    # row it is rendering: milliseconds).
    STOP_SECONDS = 10.0

    def __init__(self, cache: CacheSpec) -> None:
        self.cache = cache
        self.paths: dict[str, Path] = {}  # part ("backend.list") -> where its `AheadFile` is
        self._context = multiprocessing.get_context("fork")
        self._stop = self._context.Event()
        self._process: multiprocessing.process.BaseProcess | None = None

    @classmethod
    @contextmanager
    def started(
        cls, config: JobsConfig, env: jinja2.Environment, cache: CacheSpec | None, names: Iterable[str]
    ) -> Iterator[RenderAhead | None]:
        """`start`, and `close` at the end."""
        ahead = cls.start(config, env, cache, names) if cache else None
        try:
            yield ahead
        finally:
            if ahead:
                ahead.close()

    @classmethod
    def start(
        cls, config: JobsConfig, env: jinja2.Environment, cache: CacheSpec, names: Iterable[str]
    ) -> RenderAhead | None:
        """The process started for the lists ``names``, or None when it would not help (see the class)."""
        if (
            config.publish_workers <= 1
            or config.dedup == "role"
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            return None
        parts = [f"{name}.list" for name in names if not has_file(cache, f"{name}.list")]
        if not parts:
            return None
        store = open_store(config.db)
        try:
            if not isinstance(store, SqliteStore) or store.open_count(_since(config)) < AHEAD_MIN_JOBS:
                return None
        finally:
            store.close()
        ahead = cls(cache)
        try:
            for part in parts:
                ahead.paths[part] = AheadFile.reserve(cache, part)
            process = ahead._context.Process(
                target=_render_ahead, args=(config, env, cache, ahead.paths, ahead._stop), daemon=True
            )
            process.start()
        except OSError as exc:
            logger.warning("Could not render rows ahead of the publish (%s)", exc)
            ahead.close()
            return None
        ahead._process = process
        return ahead

    def handover(self, parts: Collection[str]) -> CacheSpec:
        """Stop the process; ``cache`` (given to `start`) with the files it rendered of ``parts`` (the list
        parts the publish writes), or as it was if the process failed."""
        assert self._process is not None, "started"
        self._stop.set()
        self._process.join(self.STOP_SECONDS)
        if self._process.exitcode != 0:
            why = "did not stop" if self._process.exitcode is None else f"exit code {self._process.exitcode}"
            logger.warning("Rendering rows ahead of the publish failed (%s): the parts render every row", why)
            return self.cache
        given = {part: path for part, path in self.paths.items() if part in parts}
        self.paths = {part: path for part, path in self.paths.items() if part not in given}
        return dataclasses.replace(self.cache, ahead=given)

    def close(self) -> None:
        """End the process if it still runs, and delete the files not handed over."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()
        for path in self.paths.values():
            path.unlink(missing_ok=True)
        self.paths = {}


def _render_ahead(
    config: JobsConfig,
    env: jinja2.Environment,
    cache: CacheSpec,
    paths: Mapping[str, Path],
    stop: Any,  # multiprocessing.Event (a function of its context, not a type)
) -> None:
    """`RenderAhead`'s process."""
    started = time.perf_counter()
    files = {part.removesuffix(".list"): AheadFile(cache, path) for part, path in paths.items()}
    render = _row_renderer(streaming_environment(env))
    rendered = skipped = 0
    store = open_store(config.db)
    try:
        for stored in store.open_stored_documents(_since(config)):  # type: ignore[attr-defined]
            if stop.is_set():
                break
            record = stored.parse()
            lists = dict.fromkeys(map(str, record.get("profiles") or ()))
            mine = [files[name] for name in lists if name in files]
            if not mine:
                continue
            try:
                # As `_stored_record` publishes the record of a row that `listed` made of it.
                record = _published(record, {key: record.get(key) for key in MERGED}, descriptions=True)
                packed = entry(fragment_key(stored, record, merged=False), list_fragments(render, record))
            except Exception as exc:  # the part renders it again, and deals with what it finds
                logger.debug("Not rendered ahead: job %s (%s: %s)", record.get("id"), type(exc).__name__, exc)
                skipped += 1
                continue
            for file in mine:
                file.write(packed)
            rendered += 1
    finally:
        store.close()
        for file in files.values():
            file.close()
    logger.debug(
        "Rendered the rows of %d jobs ahead of the parts in %.2fs (%d left to them)%s",
        rendered,
        time.perf_counter() - started,
        skipped,
        ", told to stop" if stop.is_set() else "",
    )


def render_part(
    env: jinja2.Environment,
    config: JobsConfig,
    store: JobStore,
    context: Mapping[str, Any],
    part: str,
    cache: CacheSpec | None = None,
) -> int | None:
    """Write one part of a list (`PARTS`) into its folder, and the primary list's copies at the top of
    OUTPUT_DIR; for "readme", how many rows the README shows. ``env`` is a `make_environment`."""
    started = time.perf_counter()
    name = context["profile"].name
    fragments = FragmentFile.open(cache, f"{name}.{part}") if cache and part in ("list", "feed") else None
    try:
        rows = _render_part(env, config, store, context, part, fragments)
    except BaseException:
        if fragments:
            fragments.close(keep=False)
        raise
    if fragments:
        fragments.close()
    logger.debug(
        "Wrote the %s of %s (%d jobs) in %.2fs%s",
        part,
        config.output_dir / name,
        len(context["jobs"]),
        time.perf_counter() - started,
        f" ({fragments.misses} rows rendered, {fragments.hits} cached)" if fragments else "",
    )
    return rows


def _render_part(
    env: jinja2.Environment,
    config: JobsConfig,
    store: JobStore,
    context: Mapping[str, Any],
    part: str,
    fragments: FragmentFile | None,
) -> int | None:
    name = context["profile"].name
    folder = config.output_dir / name
    jobs = context["jobs"]
    rows = None
    if part == "list":
        header = {
            "generated_at": context["generated_at"],
            "profile": name,
            "count": len(jobs),
            "stats": context["stats"],
        }
        with (
            atomic_writer(folder / "jobs.json", binary=True) as json_file,
            atomic_writer(folder / "jobs.csv", binary=True) as csv_file,
            atomic_writer(folder / "index.html", binary=True) as page_file,
        ):
            tables = TablesWriter(header, json_file, csv_file)
            page_env = streaming_environment(env)
            if fragments is None:
                lines = list_lines(page_env, _documents(store, jobs, descriptions=True))
            else:
                stored = _stored(store, jobs, fragments, merged=config.dedup == "role")
                lines = cached_list_lines(page_env, stored, fragments)
            page_file.writelines(render_page(page_env, context, tables.passing(lines)))
            tables.close()
        if name == PRIMARY_PROFILE:
            link_atomic(folder / "jobs.json", config.output_dir / "jobs.json")
    elif part == "feed":
        with atomic_writer(folder / "feed.atom", binary=True) as handle:
            handle.writelines(render_feed(streaming_environment(env), context, config, store, fragments))
    elif part == "readme":
        shown = list(_documents(store, jobs[: config.readme_max_rows], descriptions=False))
        readme, rows = render_readme(env, {**context, "rows": shown}, config.readme_max_rows, top_level=False)
        write_atomic(folder / "README.md", readme)
        if name == PRIMARY_PROFILE:
            top_readme, _ = render_readme(env, {**context, "rows": shown}, rows, top_level=True)
            write_atomic(config.output_dir / "README.md", top_readme)
    else:
        raise ValueError(f"unknown part {part!r}")
    return rows


def _sweep(cache: CacheSpec, profiles: Iterable[str], output_dir: Path) -> None:
    """Drop the cache files of lists no longer published, and what killed publishes left."""
    deleted = sweep(cache.folder, [f"{name}.{part}" for name in profiles for part in PARTS])
    for suffix in ("", "-wal", "-shm"):  # the SQLite cache of 53a24a8..d895359, ~130 MB at 42,000 jobs
        (output_dir / f".publish-cache.sqlite{suffix}").unlink(missing_ok=True)
    if deleted:
        logger.info("Publish cache %s: deleted %d files no list uses", cache.folder, deleted)


def _profile_output(config: JobsConfig, context: Mapping[str, Any], readme_rows: int) -> ProfileOutput:
    """What `render_parts` wrote for one list."""
    name = context["profile"].name
    folder = config.output_dir / name
    written = [
        folder / filename for filename in ("jobs.json", "jobs.csv", "feed.atom", "index.html", "README.md")
    ]
    if name == PRIMARY_PROFILE:
        written += [config.output_dir / "jobs.json", config.output_dir / "README.md"]
    logger.info("Published %d %s jobs to %s", len(context["jobs"]), name, folder)
    return ProfileOutput(name, len(context["jobs"]), readme_rows, tuple(written))


class TablesWriter:
    """jobs.json (``header`` and then ``"jobs"``, one job per line) and jobs.csv, a record at a time
    (`list_lines`), so each is read from the store once and let go at once. `close` ends jobs.json."""

    def __init__(self, header: Mapping[str, Any], json_file: BinaryIO, csv_file: BinaryIO) -> None:
        head = json.dumps(header, ensure_ascii=False, indent=2)
        json_file.write((head[: head.rindex("}")].rstrip() + "," + JOBS_OPENING).encode("utf-8"))
        csv_file.write(csv_line(CSV_COLUMNS).encode("utf-8"))
        self.json_file, self.csv_file = json_file, csv_file
        self.separator = b"\n    "
        self.count = 0

    def write_lines(self, json_line: bytes, csv_text: bytes) -> None:
        """Write a record's jobs.json line (`jsonio.dumpb`) and jobs.csv line (`csv_line`, UTF-8)."""
        self.json_file.write(self.separator + json_line)
        self.separator = b",\n    "
        self.csv_file.write(csv_text)
        self.count += 1

    def passing(self, lines: Iterable[ListLines]) -> Iterator[bytes]:
        """The web page row of each of `list_lines`, its other lines written on the way through."""
        for json_line, (csv_text, page_row) in lines:
            self.write_lines(json_line, csv_text)
            yield page_row

    def close(self) -> None:
        self.json_file.write(b"\n  ]\n}\n" if self.count else b"]\n}\n")


def render_readme(
    env: jinja2.Environment, context: Mapping[str, Any], max_rows: int, *, top_level: bool
) -> tuple[str, int]:
    """The README and how many rows its table has: the newest ``max_rows``, fewer if the file would be
    too large for GitHub to render. ``top_level`` is the copy at the top of OUTPUT_DIR (other links).
    ``context["rows"]``: the records of the first jobs of ``context["jobs"]`` (default: those jobs)."""
    name = context["profile"].name
    here, up = (f"{name}/", "") if top_level else ("", "../")
    links = {
        "json": "jobs.json",
        "csv": f"{here}jobs.csv",
        "feed": f"{here}feed.atom",
        "html": f"{here}index.html",
        "siblings": {s["name"]: f"{up}{s['name']}/README.md" for s in context["siblings"]},
    }
    template = env.get_template("README.md.j2")
    total = len(context["jobs"])
    shown = context.get("rows", context["jobs"])  # the records of the newest jobs, as far as printed
    rows = min(max_rows, total, len(shown))
    while True:
        text = template.render({**context, "jobs": shown[:rows], "more": total - rows, "links": links})
        size = len(text.encode("utf-8"))
        if size <= README_MAX_BYTES or rows == 0:
            return text, rows
        rows = min(rows - 1, int(rows * README_MAX_BYTES / size * 0.95))


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__
class PageRow:
    """One row of the web page, every value as printed (the template escapes them)."""

    id: str
    workplace: str
    countries: str
    seniority: str
    skills: str
    salary_min: str
    salary_max: str
    posted_at: str
    search: str
    company: str
    company_href: str | None
    title: str
    href: str | None
    location: str
    type: str
    seniority_label: str
    salary: str
    skills_text: str
    posted_label: str

    @classmethod
    def of(cls, job: Mapping[str, Any]) -> PageRow:
        skills = job.get("skills") or ()
        title, company, location = job.get("title") or "", job.get("company") or "", job.get("location") or ""
        low = _usd(job, "annual_usd_min", "annual_usd_max")
        high = _usd(job, "annual_usd_max", "annual_usd_min")
        workplace = job.get("workplace") or ""
        seniority = job.get("seniority") or ""
        return cls(
            id=job["id"],
            workplace=workplace,
            countries=" ".join(_countries(job)),
            seniority=seniority,
            skills=" ".join(skills),
            salary_min="" if low is None else str(low),
            salary_max="" if high is None else str(high),
            posted_at=job["posted_at"],
            search=f"{title} {company} {location}".lower() + " " + " ".join(skills),
            company=company,
            company_href=http_url(job.get("company_url")),
            title=title,
            href=http_url(job.get("url")),
            location=location or "—",
            type=WORKPLACE_LABELS.get(workplace, workplace),
            seniority_label=seniority.capitalize() or "—",
            salary=salary_label(job.get("salary")) or "—",
            skills_text=", ".join(skills),
            posted_label=day_label(job["posted_at"]),
        )


# A record's jobs.json line, and its jobs.csv line and web page row (`clean_markup`), all UTF-8.
ListLines = tuple[bytes, tuple[bytes, bytes]]
# What changes in a record from one crawl to the next when the posting did not: `last_seen`. The cache's
# fragments leave it out, so that yesterday's rows serve today's list (its jobs.csv cell is put in here).
SEEN = "last_seen"
_SEEN_CELL = CSV_COLUMNS.index(SEEN)
assert 0 < _SEEN_CELL < len(CSV_COLUMNS) - 1
_SEEN_KEY = b'"' + SEEN.encode() + b'":'


def list_lines(env: jinja2.Environment, records: Iterable[Mapping[str, Any]]) -> Iterator[ListLines]:
    """The lines of each record in the list's files: its jobs.json line, and its jobs.csv line and web
    page row. ``env`` is a `streaming_environment`."""
    render = _row_renderer(env)
    for record in records:
        yield jsonio.dumpb(record), _seen_in(render(record), record.get(SEEN))


def cached_list_lines(
    env: jinja2.Environment,
    records: Iterable[tuple[bytes, tuple[StoredDocument, Mapping[str, Any]]]],
    cache: FragmentFile,
) -> Iterator[ListLines]:
    """`list_lines` of the stored records (`_stored` with ``cache``), each from ``cache`` where the same
    record, `SEEN` aside, was written before: such a record is not parsed at all, its `SEEN` goes into the
    lines' gaps."""
    render = _row_renderer(env)

    def parse_and_render(pair: tuple[StoredDocument, Mapping[str, Any]]) -> tuple[bytes | str, ...]:
        return list_fragments(render, _stored_record(pair))

    for pair, texts in cache.rendered(records, parse_and_render):
        seen = pair[0].last_seen
        before, after = texts[:2]
        # A record `_json_around_seen` could not split (no `before`): its whole line every time.
        line = before + jsonio.dumpb(seen) + after if before else jsonio.dumpb(_stored_record(pair))  # type: ignore[operator]
        yield line, _seen_in(texts[2:], seen)  # type: ignore[arg-type]


def list_fragments(
    render: Callable[[Mapping[str, Any]], tuple[bytes, bytes, bytes]], record: Mapping[str, Any]
) -> tuple[bytes, ...]:
    """What the publish cache keeps of a published record for its list (`cached_list_lines`): its
    jobs.json line before and after its `SEEN` value, and ``render(record)`` (a `_row_renderer`)."""
    return (*_json_around_seen(jsonio.dumpb(record), record.get(SEEN)), *render(record))


def _row_renderer(env: jinja2.Environment) -> Callable[[Mapping[str, Any]], tuple[bytes, bytes, bytes]]:
    """A record's jobs.csv line before and after its `SEEN` cell, and its page row (which does not show
    it; `clean_markup`)."""
    macro = env.get_template("index-row.html.j2").module.page_row  # type: ignore[attr-defined]

    def render(record: Mapping[str, Any]) -> tuple[bytes, bytes, bytes]:
        cells = [*map(_csv_text, _csv_values(record))]
        before = ",".join(cells[:_SEEN_CELL]) + ","  # `SEEN` is neither the first column nor the last
        after = "," + ",".join(cells[_SEEN_CELL + 1 :]) + "\r\n"
        # Encoded once: the cache keeps the bytes that jobs.csv gets.
        return before.encode("utf-8"), after.encode("utf-8"), clean_markup(macro(PageRow.of(record)))

    return render


def _seen_in(texts: Sequence[Any], seen: Any) -> tuple[bytes, bytes]:
    """A record's jobs.csv line (its `SEEN` cell put between the two parts) and page row."""
    before, after, row = texts
    return before + _csv_text(seen).encode("utf-8") + after, row


def _json_around_seen(line: bytes, seen: Any) -> tuple[bytes, bytes]:
    """A record's jobs.json ``line`` before and after the value of its `SEEN` (``seen``); two empty
    strings when the line cannot be cut there (a nested object with the same `SEEN`): it is then printed
    whole every time. A quote outside JSON's strings is the JSON's own: the one match is the record's."""
    pair = _SEEN_KEY + jsonio.dumpb(seen)
    at = line.find(pair)
    if at < 0 or line.find(pair, at + 1) >= 0:
        return b"", b""
    return line[: at + len(_SEEN_KEY)], line[at + len(pair) :]


def render_page(
    env: jinja2.Environment, context: Mapping[str, Any], rows: Iterable[bytes]
) -> Iterator[bytes]:
    """The static web page, in UTF-8 pieces: the whole table in HTML, filters and sorting in inline
    JavaScript.

    The inline script and style are allowed by their hashes in the page's Content-Security-Policy, so
    nothing else can run even if board text ever got past the escaping. ``rows``: the HTML rows of
    ``context["jobs"]``, in their order (`TablesWriter.passing` of `list_lines`), each `clean_markup`.
    ``env`` is a `streaming_environment`.
    """
    jobs = context["jobs"]
    script = env.loader.get_source(env, "web/page.js")[0]  # type: ignore[union-attr]
    style = env.loader.get_source(env, "web/page.css")[0]  # type: ignore[union-attr]
    present = {job.get("seniority") for job in jobs}
    page = {
        **context,
        "script": Markup(script),  # noqa: S704 - our own template file, not board text
        "style": Markup(style),  # noqa: S704
        "csp": _csp(script, style),
        "countries": countries_by_name(jobs),
        "skills": context["skills_by_count"],  # `_context`: counted once for the stats line too
        "seniorities": [level for level in SENIORITY_LEVELS if level in present],
    }
    return _around(env.get_template("index.html.j2"), page, "rows", rows)


# Printed where a page's rows or a feed's entries go (`_around`): escaped board text has no "<".
_ROWS_MARK = "<!--jobspiders:rows-->"


def _around(
    template: jinja2.Template, context: Mapping[str, Any], name: str, rows: Iterable[bytes]
) -> Iterator[bytes]:
    """``template`` rendered with ``rows`` (`clean_markup` bytes) as ``context[name]``, in pieces: what
    the template prints around them is rendered once, with a mark in their place, and the rows are
    written between as they are. A row is neither printed through the template's loop nor decoded, scanned
    and encoded again: for a cached list, that was most of the page's cost."""
    text = template.render({**context, name: [Markup(_ROWS_MARK)]})  # noqa: S704 - our own mark
    head, mark, tail = text.partition(_ROWS_MARK)
    if not mark or _ROWS_MARK in tail:
        raise ValueError(f"{template.name} must print each of {name!r} once, in a loop")
    yield clean_markup(head)
    yield from rows
    yield clean_markup(tail)


def clean_markup(text: str) -> bytes:
    """Rendered HTML or XML in UTF-8, without the characters XML forbids (see `streaming_environment`)."""
    return _MARKUP_CONTROL.sub("", text).encode("utf-8")


_COUNTRY_CODE = re.compile("[A-Z]{2}")


def _countries(job: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(filter(_COUNTRY_CODE.fullmatch, _location_countries(job))))


def _location_countries(job: Mapping[str, Any]) -> list[str]:
    """The ``country`` of each of ``job``'s locations that has a string one, not yet checked as a code
    (`_COUNTRY_CODE`): `countries_by_name` checks each distinct one once."""
    return [
        code
        for loc in job.get("locations") or ()
        if isinstance(loc, Mapping) and isinstance(code := loc.get("country"), str)
    ]


def _usd(job: Mapping[str, Any], key: str, fallback: str) -> int | None:
    salary = job.get("salary") or {}
    value = salary.get(key) if _is_number(salary.get(key)) else salary.get(fallback)
    return round(value) if _is_number(value) else None


def _csp(script: str, style: str) -> str:
    def digest(text: str) -> str:
        return "'sha256-" + b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    return (
        f"default-src 'none'; script-src {digest(script)}; style-src {digest(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


@dataclass(slots=True)  # not frozen, as PageRow
class FeedEntry:
    """One Atom entry, every value as printed (the template escapes them)."""

    id: str
    title: str
    updated: str
    published: str | None
    href: str | None
    author: str
    author_uri: str | None
    skills: tuple[str, ...]
    summary: str
    content: str

    @classmethod
    def of(cls, job: Mapping[str, Any], description: str) -> FeedEntry:
        first_seen = job.get("first_seen") or job["posted_at"]
        company = clip(job.get("company"), 80)
        summary = _summary(job)
        return cls(
            id=entry_id(job["id"]),
            title=clip(job.get("title")) + (f" at {company}" if company else ""),
            updated=_rfc3339(first_seen),
            # A date before we first saw the job is when it was published; a later one is not.
            published=_rfc3339(job["posted_at"]) if job["posted_at"] <= first_seen else None,
            href=http_url(job.get("url")),
            author=company or "unknown",
            author_uri=http_url(job.get("company_url")),
            skills=tuple(job.get("skills") or ()),
            summary=summary,
            content=clip(description, FEED_CONTENT_MAX_CHARS) or summary,
        )


def render_feed(
    env: jinja2.Environment,
    context: Mapping[str, Any],
    config: JobsConfig,
    store: JobStore,
    cache: FragmentFile | None = None,
) -> Iterator[bytes]:
    """The Atom feed of the jobs first seen in the last ``JOBS_MAX_AGE_DAYS`` days, newest first, in pieces.

    Entry ids are ``urn:uuid:`` UUIDv5s of the job id, so a job keeps its id in every crawl and every
    list; ``updated`` is when we first saw the job, so a reader shows it once. ``env`` is a
    `streaming_environment`; the pieces are UTF-8. ``cache``: entries rendered before for the same
    records.
    """
    since = _since(config)
    fresh = [job for job in context["jobs"] if (job.get("first_seen") or job["posted_at"]) >= since]
    fresh.sort(key=lambda job: (job.get("first_seen") or job["posted_at"], job["id"]), reverse=True)
    macro = env.get_template("feed-entry.atom.j2").module.feed_entry  # type: ignore[attr-defined]

    def render(doc: Mapping[str, Any]) -> tuple[bytes]:
        return (clean_markup(macro(FeedEntry.of(doc, doc["description"]))),)

    if cache is None:
        entries: Iterable[bytes] = (render(doc)[0] for doc in _documents(store, fresh, descriptions=True))
    else:
        # Found by what the record is made of (the entry does not show `SEEN`): a job whose entry is in
        # the cache is not parsed at all.
        stored = _stored(store, fresh, cache, merged=config.dedup == "role")
        rendered = cache.rendered(stored, lambda pair: render(_stored_record(pair)))
        entries = (texts[0] for _, texts in rendered)  # type: ignore[misc]  # rendered as bytes (`render`)
    feed_id = f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, 'feed:' + context['profile'].name)}"
    return _around(env.get_template("feed.atom.j2"), {**context, "feed_id": feed_id}, "entries", entries)


_CANONICAL_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _rfc3339(value: str) -> str:
    """An RFC 3339 UTC instant; the store's own form (`to_iso`) already is one."""
    return value if _CANONICAL_INSTANT.fullmatch(value) else to_iso(_parse_iso(value))


def entry_id(job_id: str) -> str:
    """The stable Atom entry id of a job: ``urn:uuid:`` and the UUIDv5 of ``"job:" + job_id`` in
    `FEED_NAMESPACE` (what `uuid.uuid5` gives, without building UUID objects: a fifth of its time)."""
    name = _FEED_NAMESPACE_BYTES + b"job:" + job_id.encode("utf-8")
    digest = bytearray(hashlib.sha1(name).digest()[:16])  # noqa: S324 - RFC 4122 names SHA-1
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _summary(job: Mapping[str, Any]) -> str:
    parts = [
        job.get("company"),
        job.get("location"),
        WORKPLACE_LABELS.get(job.get("workplace") or ""),
        (job.get("seniority") or "").capitalize() or None,
        salary_label(job.get("salary")) or None,
        ", ".join(job.get("skills") or ()) or None,
    ]
    return " · ".join(" ".join(str(p).split()) for p in parts if p)


_CSV_AT = {column: at for at, column in enumerate(CSV_COLUMNS)}
_CSV_LOCATION_AT = tuple(
    (_CSV_AT[f"location_{plural}"], key)
    for plural, key in (("cities", "city"), ("regions", "region"), ("countries", "country"))
)
_CSV_SALARY_AT = tuple((_CSV_AT["salary_" + key], key) for key in SALARY_KEYS)
_CSV_LISTS_AT = tuple((_CSV_AT[key], key) for key in ("skills", "profiles"))


def _csv_values(job: Mapping[str, Any]) -> list[Any]:
    """One jobs.csv row's values (`_csv_text` prints them): jobs.json's columns, flattened (salary fields
    and locations get their own). Every column is read from the record in one C-level pass, then the
    flattened ones are put in."""
    values = list(map(job.get, CSV_COLUMNS))
    locations = [loc for loc in job.get("locations") or () if isinstance(loc, Mapping)]
    for at, key in _CSV_LOCATION_AT:
        values[at] = _joined([loc.get(key) for loc in locations])
    salary = job.get("salary") or {}
    for at, key in _CSV_SALARY_AT:
        values[at] = salary.get(key)
    for at, key in _CSV_LISTS_AT:
        values[at] = _joined(job.get(key) or ())
    return values


def _joined(values: Iterable[Any]) -> str:
    """Aligned list cells: the i-th city, region and country belong to the same location."""
    return CSV_LIST_SEPARATOR.join(["" if v is None else str(v) for v in values])


# A text cell starting like a formula would run in a spreadsheet (CSV injection): jobs.csv quotes it.
_FORMULA_STARTS = frozenset("=+-@\t\r")


def csv_line(cells: Iterable[Any]) -> str:
    """A CSV record of two or more cells as `csv.writer` writes it (comma, minimal quoting, CRLF), three
    times as fast: the module looks at every character of a 3 KB description, this searches for four."""
    return ",".join([_csv_text(cell, ()) for cell in cells]) + "\r\n"


def _csv_text(value: Any, formula_starts: Collection[str] = _FORMULA_STARTS) -> str:
    """A cell as jobs.csv prints it: None empty, text starting with one of ``formula_starts`` after a
    ``'``, quoted (``"``, doubled inside) when it holds a quote, comma or line break."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value[:1] in formula_starts:
            value = "'" + value
    else:
        value = str(value)
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = (
    0o666 & ~_umask()
)  # what open() would give; mkstemp's 0600 would hide the lists from a web server


@contextmanager
def atomic_writer(path: Path, *, binary: bool = False) -> Iterator[Any]:
    """A file (text, UTF-8; ``binary``: bytes) that appears whole at ``path`` when the block ends, or not
    at all when it raises: readers never see a half-written list."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, _FILE_MODE)
        # Lists are tens of MB written a line at a time: a big buffer makes few system calls. Written
        # once and not read again here: their pages leave the cache as they are written (`writeonce`).
        written = open_written_once(fd, buffering=WRITE_BUFFER)
        opened = written if binary else io.TextIOWrapper(written, encoding="utf-8", newline="\n")
        with opened as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing."""
    with atomic_writer(path) as handle:
        handle.write(text)


def link_atomic(source: Path, path: Path) -> None:
    """Put a file we wrote at ``path`` too, whole or not at all: a hard link (no copy of an 80 MB list;
    every publish replaces both names with new files, so the two never change in place), a copy where
    the file system has no hard links."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        Path(tmp).unlink()
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
