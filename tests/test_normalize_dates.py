from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.dates import parse_date, to_iso

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-07-16T11:55:32-04:00", "2026-07-16T15:55:32Z"),  # Greenhouse, offset honoured
        # Relative texts without digits, in several languages ("Ago" alone is not one: see below).
        ("vor einer Woche", "2026-11-13T12:00:00Z"),
        ("il y a un mois", "2026-10-20T12:00:00Z"),
        ("hace un mes", "2026-10-20T12:00:00Z"),
        ("há uma semana", "2026-11-13T12:00:00Z"),
        ("2026-12-31", "2026-11-20T12:00:00Z"),  # never in the future
        ("2026-08-21T09:12:00.000Z", "2026-08-21T09:12:00Z"),  # SmartRecruiters
        ("2025-09-22T20:57:32.244+00:00", "2025-09-22T20:57:32Z"),  # Ashby
        ("2025-06-20T15:46:41.749000-07:00", "2025-06-20T22:46:41Z"),  # Rippling, microseconds
        ("2026-01-10T09:00:00+0200", "2026-01-10T07:00:00Z"),  # Personio, offset without colon
        ("2026-01-10", "2026-01-10T00:00:00Z"),  # Workday startDate
        ("2026-01-10 09:00:00 UTC", "2026-01-10T09:00:00Z"),  # Recruitee
        ("Tue, 10 Nov 2026 09:00:00 +0100", "2026-11-10T08:00:00Z"),  # Teamtailor RSS
        ("Fri, 04 Sep 2026 14:50:13 +0300", "2026-09-04T11:50:13Z"),
        (1768000000000, "2026-01-09T23:06:40Z"),  # Lever epoch ms
        (1768000000, "2026-01-09T23:06:40Z"),  # epoch seconds
        ("1768000000000", "2026-01-09T23:06:40Z"),
        (1768000000.5, "2026-01-09T23:06:40Z"),
        ("Posted Today", "2026-11-20T12:00:00Z"),
        ("Posted Yesterday", "2026-11-19T12:00:00Z"),
        ("Posted 3 Days Ago", "2026-11-17T12:00:00Z"),
        ("Posted 30+ Days Ago", "2026-10-21T12:00:00Z"),
        ("2 weeks ago", "2026-11-06T12:00:00Z"),
        ("hace 3 días", "2026-11-17T12:00:00Z"),
        ("vor 2 Tagen", "2026-11-18T12:00:00Z"),
        ("10.01.2026", "2026-01-10T00:00:00Z"),  # day first
        ("  Posted on 2026-01-10 ", "2026-01-10T00:00:00Z"),
        ("2030-01-01T00:00:00Z", "2026-11-20T12:00:00Z"),  # clamped to now
    ],
)
def test_parse_date(value, expected):
    parsed = parse_date(value, NOW)
    assert parsed is not None
    assert parsed.tzinfo is not None
    assert to_iso(parsed) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "soon",
        "N/A",
        "Posted",
        "Ago",
        True,
        False,
        0,
        "0",
        -5,
        float("nan"),
        float("inf"),
        1e300,
    ],
)
def test_unusable_dates_give_none(value):
    assert parse_date(value, NOW) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 1, 19, 12, 30, 15, 999, tzinfo=UTC), "2026-01-19T12:30:15Z"),
        (datetime(2026, 1, 19, 14, 30, tzinfo=timezone(timedelta(hours=2))), "2026-01-19T12:30:00Z"),
        (datetime(2026, 1, 19, 12, 30), "2026-01-19T12:30:00Z"),  # noqa: DTZ001 - naive means UTC
    ],
)
def test_to_iso(value, expected):
    assert to_iso(value) == expected


@settings(deadline=None, max_examples=200)
@given(st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.booleans()))
def test_random_values_never_raise_and_never_pass_now(value):
    parsed = parse_date(value, NOW)
    assert parsed is None or (parsed.tzinfo is not None and parsed <= NOW)
