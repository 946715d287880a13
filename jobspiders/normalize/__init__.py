"""Pure normalizers: no Scrapy imports; the pipelines and `scrapy normalize` call them.

``normalize_posting(raw, now)`` turns one RawPosting-shaped mapping into the normalized JobItem
fields; the single-field functions below are what it is made of, and what the skills and profile
pipelines call (``tag_skills``, ``match_profiles``).
"""

from __future__ import annotations

import importlib
from typing import Any

# Each name's module, imported on first use (PEP 562): `scrapy publish` needs the dates and profiles,
# not the location and salary tables that the crawl's normalizers load (a tenth of the CLI's start).
_MODULES = {
    "parse_date": "dates",
    "to_iso": "dates",
    "parse_employment_type": "employment",
    "parse_locations": "locations",
    "normalize_posting": "posting",
    "Profile": "profiles",
    "load_profiles": "profiles",
    "match_profiles": "profiles",
    "parse_salary": "salary",
    "parse_seniority": "seniority",
    "SkillTagger": "skills",
    "tag_skills": "skills",
    "clean_text": "text",
    "html_to_text": "text",
    "WorkplaceType": "workplace",
    "parse_workplace": "workplace",
}

__all__ = sorted(_MODULES)


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
