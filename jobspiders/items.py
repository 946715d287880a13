"""The item we emit (JobItem) and the raw ATS values it starts from (RawPosting).

Field meanings are the contract of DESIGN.md ("JobItem and jobs.json").
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(slots=True, kw_only=True)
class RawPosting:
    """An ATS's own values for one posting, uncleaned, in the keys of `scrapy normalize`'s input.

    - ``title``, ``company``: text as the board gives it (may carry entities and odd whitespace).
    - ``location``: one location text, or a list of them (multi-location postings).
    - ``country``: ISO 3166-1 alpha-2 hint when the ATS gives one (Lever ``country``, SmartRecruiters).
    - ``description``: HTML (possibly entity-escaped) or plain text.
    - ``url``: the public job page.
    - ``posted_at``: any date form an ATS uses (ISO 8601, epoch seconds/ms, "Posted 3 Days Ago").
    - ``salary``: salary text, or structured ATS data: a mapping or a list of them (pay zones) with
      keys such as min/max, min_cents/max_cents, currency/currency_type, period/interval.
    - ``remote``: the ATS's workplace flag or text (True/False, "hybrid", "on-site", "remote").
    - ``employment_type``: the ATS's employment type text ("Full-time", "permanent", "Contract").
    """

    title: str | None = None
    company: str | None = None
    location: str | list[str] | None = None
    country: str | None = None
    description: str | None = None
    url: str | None = None
    posted_at: str | int | float | None = None
    salary: Any = None
    remote: str | bool | None = None
    employment_type: str | None = None


@dataclass(slots=True, kw_only=True)
class JobItem:
    """One job posting; the fields of jobs.json (DESIGN.md) plus the raw values it came from.

    Spiders fill the identity fields and ``raw``; the pipelines fill the rest.
    """

    id: str  # "<ats>:<token>:<job id in the ATS>"
    ats: str
    board: str
    job_id: str
    company: str
    company_url: str | None = None
    title: str = ""
    url: str = ""
    location: str = ""
    locations: list[dict[str, str | None]] = field(default_factory=list)
    workplace: str = "onsite"
    employment_type: str | None = None
    seniority: str | None = None
    posted_at: str | None = None
    date_source: str = "ats"
    first_seen: str | None = None
    last_seen: str | None = None
    salary: dict[str, Any] | None = None
    skills: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    description: str = ""
    raw: RawPosting | None = None
    # Incremental re-crawls (pipelines/incremental.py); not exported (FEEDS fields) nor stored in the record.
    raw_hash: str | None = None  # hash of the raw posting, as the store keeps it
    unchanged: bool = False  # the same raw posting as the stored job: its fields come from the store


# What a crawl's feed (FEEDS ``fields``) and jobs.csv print, in this order: the fields of jobs.json but the
# ATS's own job id (it is part of ``id``) and the bookkeeping ones.
EXPORTED_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(JobItem) if f.name not in ("job_id", "raw", "raw_hash", "unchanged")
)


def job_record(item: JobItem) -> dict[str, Any]:
    """The item as a store/jobs.json record: every field but the raw values.

    Shallow (``asdict`` deep-copied the whole item, raw included, to drop raw): the record shares
    the item's lists and dicts, which the store serialises at once.
    """
    return {f.name: getattr(item, f.name) for f in fields(item) if f.name != "raw"}
