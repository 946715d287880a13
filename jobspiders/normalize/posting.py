"""One raw posting → the normalized fields of a JobItem.

``normalize_posting(raw, now)`` is the single entry point used by ``NormalizePipeline`` and by
``scrapy normalize``, so both produce the same record. ``raw`` has the keys of ``RawPosting``
(title, company, location, country, description, url, posted_at, salary, remote, employment_type),
all optional; values of the wrong type are treated as missing, and nothing raises::

    normalize_posting({"title": "Sr. Backend Engineer (Go) &amp; SRE", "location": "Berlin, Berlin, Germany",
                       "posted_at": "Posted 3 Days Ago"}, now=datetime(2026, 11, 20, 12, tzinfo=UTC))
    # → {"title": "Sr. Backend Engineer (Go) & SRE", "location": "Berlin, Germany",
    #    "locations": [{"city": "Berlin", "region": None, "country": "DE"}], "workplace": "onsite",
    #    "seniority": "senior", "posted_at": "2026-11-17T12:00:00Z", "salary": None, ...}

``posted_at`` is ``None`` when the ATS gave no usable date: the store then uses ``first_seen``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from jobspiders.normalize.dates import parse_date, to_iso
from jobspiders.normalize.employment import parse_employment_type
from jobspiders.normalize.locations import parse_locations
from jobspiders.normalize.salary import parse_salary
from jobspiders.normalize.seniority import parse_seniority
from jobspiders.normalize.text import clean_text, html_to_text
from jobspiders.normalize.workplace import parse_workplace


def normalize_posting(raw: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Normalized fields (title … salary) of one raw posting; see the module docstring."""
    if not isinstance(raw, Mapping):
        raw = {}
    title = posting_title(raw.get("title"))
    location_value = raw.get("location")
    places = list(location_value) if isinstance(location_value, list | tuple) else _text(location_value)
    location, locations = parse_locations(places, country_hint=_text(raw.get("country")) or None)
    description = html_to_text(_text(raw.get("description")))
    remote = raw.get("remote")
    posted = raw.get("posted_at")
    posted_at = parse_date(posted if isinstance(posted, str | int | float) else None, now)
    return {
        "title": title,
        "company": clean_text(_text(raw.get("company"))),
        "url": clean_text(_text(raw.get("url"))),
        "location": location,
        "locations": locations,
        "workplace": parse_workplace(
            remote if isinstance(remote, str | bool) else None, title, location
        ).value,
        "employment_type": parse_employment_type(_text(raw.get("employment_type")) or None, title),
        "seniority": parse_seniority(title),
        "posted_at": to_iso(posted_at) if posted_at else None,
        "description": description,
        "salary": parse_salary(raw.get("salary"), text=description),
    }


def posting_title(value: Any) -> str:
    """A raw title as `normalize_posting` gives it."""
    return clean_text(_text(value))


def _text(value: Any) -> str:
    """Strings as they are, numbers as their digits (a numeric title or country), anything else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""
