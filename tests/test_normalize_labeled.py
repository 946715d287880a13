"""The labeled sets of tests/data/ as tables: every dev case must pass; held-out parts must meet the
targets of issue 5 as a whole (they hold known misses, listed by benchmarks/quality.py --misses).
Locations and dates have no target in the issue; their held-out parts must reach 0.9.

Records go through ``normalize_record``, the function behind ``scrapy normalize``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from jobspiders.commands.normalize import normalize_record
from tests.conftest import NOW

DATA = Path(__file__).resolve().parent / "data"
FIELDS = ("min", "max", "currency", "period")


def cases(name: str, part: str) -> list[Any]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))[part]


def skills_of(case: dict[str, Any]) -> list[str]:
    return normalize_record({"title": "Software Engineer", "description": case["text"]}, NOW)["skills"]


def workplace_of(case: dict[str, Any]) -> str:
    raw = {"title": case["title"], "location": case.get("location", "")}
    if "remote" in case:
        raw["remote"] = case["remote"]
    return normalize_record(raw, NOW)["workplace"]


def salary_of(case: dict[str, Any]) -> dict[str, Any] | None:
    raw = {"title": "Software Engineer", "description": case.get("description", "")}
    if "salary" in case:
        raw["salary"] = case["salary"]
    salary = normalize_record(raw, NOW)["salary"]
    return None if salary is None else {field: salary[field] for field in FIELDS}


def profiles_of(title: str) -> list[str]:
    return normalize_record({"title": title}, NOW)["profiles"]


def location_of(case: dict[str, Any]) -> tuple[str, list[list[Any]]]:
    raw = {"title": "Software Engineer", "location": case["value"], "country": case.get("hint")}
    record = normalize_record(raw, NOW)
    return record["location"], [[e["city"], e["region"], e["country"]] for e in record["locations"]]


def date_of(value: Any) -> str | None:
    return normalize_record({"title": "Software Engineer", "posted_at": value}, NOW)["posted_at"]


def test_sets_are_big_enough_and_split():
    sizes = {
        name: {part: len(cases(name, part)) for part in ("dev", "heldout")}
        for name in ("skills.yml", "workplace.yml", "salary.yml", "profiles.yml")
    }
    minimum = {"skills.yml": 150, "workplace.yml": 150, "salary.yml": 60, "profiles.yml": 200}
    for name, parts in sizes.items():
        assert parts["dev"], name
        assert parts["heldout"], name
        assert sum(parts.values()) >= minimum[name], (name, parts)


@pytest.mark.parametrize("case", cases("skills.yml", "dev"), ids=lambda c: c["text"][:50])
def test_skills_dev(case):
    tagged = skills_of(case)
    assert [s for s in case["tags"] if s not in tagged] == []
    assert [s for s in case["not"] if s in tagged] == []


@pytest.mark.parametrize(
    "case", cases("workplace.yml", "dev"), ids=lambda c: f"{c['title']}|{c.get('location')}"
)
def test_workplace_dev(case):
    assert workplace_of(case) == case["expect"]


@pytest.mark.parametrize(
    "case", cases("salary.yml", "dev"), ids=lambda c: str(c.get("description") or c["salary"])[:50]
)
def test_salary_dev(case):
    assert salary_of(case) == case["expect"]


@pytest.mark.parametrize(("title", "expected"), cases("profiles.yml", "dev"))
def test_profiles_dev(title, expected):
    assert sorted(profiles_of(title)) == sorted(expected)


@pytest.mark.parametrize("case", cases("locations.yml", "dev"), ids=lambda c: str(c["value"]))
def test_locations_dev(case):
    assert location_of(case) == (case["display"], case["expect"])


@pytest.mark.parametrize(("value", "expected"), cases("dates.yml", "dev"))
def test_dates_dev(value, expected):
    assert date_of(value) == expected


def test_skills_heldout_targets():
    data = cases("skills.yml", "heldout")
    results = [skills_of(c) for c in data]
    must = [s in r for c, r in zip(data, results, strict=True) for s in c["tags"]]
    decoys = [s in r for c, r in zip(data, results, strict=True) for s in c["not"]]
    assert sum(must) / len(must) >= 0.95
    assert sum(decoys) / len(decoys) <= 0.05


def test_workplace_heldout_target():
    data = cases("workplace.yml", "heldout")
    assert sum(workplace_of(c) == c["expect"] for c in data) / len(data) >= 0.97


def test_salary_heldout_target():
    data = cases("salary.yml", "heldout")
    assert sum(salary_of(c) == c["expect"] for c in data) / len(data) >= 0.90


def test_profiles_heldout_targets():
    data = cases("profiles.yml", "heldout")
    backend = [("backend" in profiles_of(t)) for t, expected in data if "backend" in expected]
    others = [("backend" not in profiles_of(t)) for t, expected in data if "backend" not in expected]
    assert sum(backend) / len(backend) >= 0.99
    assert sum(others) / len(others) >= 0.95


def test_locations_and_dates_heldout():
    # No target in the issue for these two; 0.9 is this project's floor.
    places = cases("locations.yml", "heldout")
    assert sum(location_of(c) == (c["display"], c["expect"]) for c in places) / len(places) >= 0.9
    dates = cases("dates.yml", "heldout")
    assert sum(date_of(value) == expected for value, expected in dates) / len(dates) >= 0.9
