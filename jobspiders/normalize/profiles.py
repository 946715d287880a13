"""List profiles: which job titles belong to which published list (``data/profiles.yml``).

``match_profiles(title)`` gives the names of the profiles a title belongs to, in file order::

    >>> match_profiles("Senior Backend-Entwickler (m/w/d)")
    ['backend']
    >>> match_profiles("Backend Recruiter")
    []

``load_profiles()`` gives the ``Profile`` objects (README heading and intro for publishing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from jobspiders.data import load_yaml
from jobspiders.normalize.text import clean_text


@dataclass(frozen=True)
class Profile:
    """One list: its name, README heading template ("… {year}"), intro and title matchers."""

    name: str
    title: str
    intro: str
    include: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]

    def matches(self, title: str) -> bool:
        """Whether a (raw or cleaned) job title belongs to this list."""
        text = clean_text(title)
        return any(p.search(text) for p in self.include) and not any(p.search(text) for p in self.exclude)

    def heading(self, year: int) -> str:
        """The README heading for a given year, e.g. "Backend developer Jobs 2026"."""
        return self.title.format(year=year)


def _profile(spec: dict[str, Any]) -> Profile:
    name = spec["name"]
    try:
        return Profile(
            name=name,
            title=spec["title"],
            intro=" ".join(str(spec.get("intro") or "").split()),
            include=tuple(re.compile(p, re.I) for p in spec.get("include") or ()),
            exclude=tuple(re.compile(p, re.I) for p in spec.get("exclude") or ()),
        )
    except re.error as error:
        raise ValueError(f"profiles.yml: profile {name!r}: bad pattern: {error}") from error


@cache
def load_profiles() -> dict[str, Profile]:
    """All profiles of ``data/profiles.yml`` by name, in file order."""
    return {p.name: p for p in map(_profile, load_yaml("profiles.yml")["profiles"])}


def match_profiles(title: str) -> list[str]:
    """Names of the profiles ``title`` belongs to, in file order."""
    if not isinstance(title, str) or not title:
        return []
    return [name for name, profile in load_profiles().items() if profile.matches(title)]
