"""Posting dates in every shape an ATS gives, as aware UTC datetimes.

``parse_date(value, now)`` takes ISO 8601 (offsets honoured), epoch seconds or milliseconds, RFC 2822
(RSS ``pubDate``), Recruitee's ``"2026-01-10 09:00:00 UTC"``, ``"10.01.2026"`` and relative text
("Posted 3 Days Ago", "Posted Yesterday", "hace 3 días"). ``now`` is the crawl's clock (``JOBS_NOW``),
never read here: relative text is resolved against it and no result is later than it.
Unparseable input gives ``None``; nothing raises. ``to_iso`` gives the stored form
``"2026-01-19T12:30:00Z"``::

    >>> to_iso(parse_date("Posted 3 Days Ago", now=datetime(2026, 11, 20, 12, tzinfo=UTC)))
    '2026-11-17T12:00:00Z'
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

# Nothing older is a real posting date: such values are zeros or placeholders from the ATS.
_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
# Epoch values above this are milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
_MS_THRESHOLD = 1e11

_NUMERIC = re.compile(r"[+-]?\d+(?:\.\d+)?")
_UTC_SUFFIX = re.compile(r"(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:UTC|GMT|Z)", re.I)
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_POSTED_PREFIX = re.compile(
    r"^(?:posted|published|updated|publié|publicado|veröffentlicht)(?:\s+on)?\s*:?\s*", re.I
)
_TODAY = re.compile(r"^(?:today|just now|just posted|now|heute|hoy|aujourd'hui|hoje|oggi|dzisiaj)$", re.I)
_YESTERDAY = re.compile(r"^(?:yesterday|gestern|ayer|hier|ontem|ieri|wczoraj)$", re.I)
_AGO = re.compile(
    r"^(?:about\s+|over\s+)?(\d+|an?|one)\+?\s*(minute|min|hour|hr|day|week|month|year)s?\s+ago$", re.I
)
# Relative texts without digits ("vor einer Woche", "il y a un mois", "hace un mes") go to dateparser
# when they have both a relative marker and a unit ("Ago" alone is Spanish for August).
_RELATIVE_WORDS = re.compile(
    r"\b(?:ago|vor|hace|il\s+y\s+a|h[áa]|fa|temu|geleden|sedan|siden|sitten)\b", re.I
)
_RELATIVE_UNITS = re.compile(
    r"\b(?:minut|hour|hr|day|week|month|year|stunde|tag|woche|monat|jahr|hora|d[ií]a|semana|mes|año|ano"
    r"|heure|jour|semaine|mois|an|giorn|settiman|mese|ann|godzin|dzie|dni|tydzie|tygodni|miesi|rok|lat"
    r"|uur|dag|we(?:e)?k|maand|jaar|timm|vecka|veckor|månad|år|uge|måned)",
    re.I,
)
_UNIT_SECONDS = {"minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86400, "week": 604800}
_UNIT_MONTHS = {"month": 1, "year": 12}


def to_iso(dt: datetime) -> str:
    """UTC, seconds precision, ``Z`` suffix; a naive datetime is taken to be UTC already."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(value: str | int | float | None, now: datetime) -> datetime | None:
    """The instant ``value`` denotes, in UTC, clamped to ``now``; ``None`` when there is none."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    try:
        parsed = _parse(value, now)
    except (ValueError, TypeError, OverflowError, OSError, IndexError, KeyError):
        return None
    if parsed is None:
        return None
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if parsed < _EARLIEST:
        return None
    return min(parsed, now)


def _parse(value: object, now: datetime) -> datetime | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = _POSTED_PREFIX.sub("", " ".join(value.split()))
    if not text:
        return None
    if _NUMERIC.fullmatch(text):
        return _from_epoch(float(text))
    return (
        _iso(text)
        or _rfc2822(text)
        or _dotted(text)
        or _relative(text.replace("+", ""), now)
        or _dateparser(text, now)
    )


def _from_epoch(seconds: float) -> datetime | None:
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    if seconds > _MS_THRESHOLD:
        seconds /= 1000
    return datetime.fromtimestamp(seconds, tz=UTC)


def _iso(text: str) -> datetime | None:
    if match := _UTC_SUFFIX.fullmatch(text):
        return datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
    if not text[:4].isdigit():
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _rfc2822(text: str) -> datetime | None:
    if not re.match(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError):
        return None


def _dotted(text: str) -> datetime | None:
    # "10.01.2026" is day-first everywhere it is written with dots (dateparser guesses month-first).
    if match := _DOTTED_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        return datetime(year, month, day, tzinfo=UTC)
    return None


def _relative(text: str, now: datetime) -> datetime | None:
    # Workday's English forms are by far the most common; dateparser handles the rest, slowly.
    if _TODAY.match(text):
        return now
    if _YESTERDAY.match(text):
        return now - timedelta(days=1)
    if match := _AGO.match(text):
        count_text, unit = match.group(1).lower(), match.group(2).lower()
        count = 1 if count_text in {"a", "an", "one"} else int(count_text)
        if unit in _UNIT_SECONDS:
            return now - timedelta(seconds=count * _UNIT_SECONDS[unit])
        # Calendar months and years, as dateparser counts them for the other languages.
        return _months_before(now, count * _UNIT_MONTHS[unit])
    return None


def _months_before(now: datetime, months: int) -> datetime:
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    if year < 1:
        raise ValueError("before year 1")
    for day in (now.day, 30, 29, 28):  # the 31st of a shorter month is its last day
        try:
            return now.replace(year=year, month=month + 1, day=min(now.day, day))
        except ValueError:
            continue
    raise ValueError("no such day")


def _dateparser(text: str, now: datetime) -> datetime | None:
    # dateparser reads a date into almost anything ("N/A" is a day): only texts with digits or a
    # relative marker ("vor einer Woche") get there, and long texts are descriptions, not dates.
    if len(text) > 80 or not (
        any(c.isdigit() for c in text) or (_RELATIVE_WORDS.search(text) and _RELATIVE_UNITS.search(text))
    ):
        return None
    import dateparser  # slow import, only needed for the rare odd format

    settings = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "TIMEZONE": "UTC",
        "TO_TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past",
    }
    return dateparser.parse(text, settings=settings)
