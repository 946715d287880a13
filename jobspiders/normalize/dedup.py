"""Keys that tell when two postings are the same job, and the merge of such postings into one row.

DESIGN.md ("Lifecycle of a posting"): one published row per job. Three levels, all pure functions:

- ``dedup_key(company, title, location)``: the same job on whichever board (stored per job).
- ``role_key(company, title)``: the same *role*, whatever its location: the same opening posted on
  two boards, or posted once per city ("Backend Engineer" in Berlin, Munich and Hamburg).
- ``merge_rows(rows)``: one row from the rows of a role. The row kept is the one with the earliest
  ``posted_at``, then the smallest ``id`` (string order); its ``locations`` become the union of all
  rows' ``locations`` (kept row first, then the others in the same order, duplicates dropped) and its
  ``location`` the matching display text ("Berlin, Germany; Munich, Germany")::

      >>> merge_rows([
      ...     {"id": "lever:a:2", "posted_at": "2026-11-18T00:00:00Z", "location": "Munich, Germany",
      ...      "locations": [{"city": "Munich", "region": None, "country": "DE"}]},
      ...     {"id": "greenhouse:a:1", "posted_at": "2026-11-17T00:00:00Z", "location": "Berlin, Germany",
      ...      "locations": [{"city": "Berlin", "region": None, "country": "DE"}]},
      ... ])["location"]
      'Berlin, Germany; Munich, Germany'

- ``collapse_roles(rows)``: ``merge_rows`` over the rows grouped by ``role_key``, in first-seen order.

Rows are plain dicts shaped like jobs.json entries; nothing is modified in place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

_NON_WORD = re.compile(r"[\W_]+")
# Gender and diversity markers that some countries' boards add to every title: "(m/w/d)", "(h/f)",
# "(f/m/x)", "M/F", "(all genders)". They do not make a different role.
_GENDER = re.compile(
    r"[(\[]\s*(?:[mwfdhxi*]\s*[/|,]\s*){1,3}[mwfdhxi*]\s*[)\]]"
    r"|(?<!\w)(?:[mwfhd]\s*/\s*){1,3}[mwfhd](?!\w)"
    r"|[(\[]\s*(?:all\s+genders?|gn\*?|alle\s+geschlechter)\s*[)\]]",
    re.I,
)


def fold(text: str | None) -> str:
    """Case-, accent-, punctuation- and spacing-insensitive form of a text."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def dedup_key(company: str | None, title: str | None, location: str | None) -> str:
    """Same company, same normalized title and location: the same job, on whichever board."""
    return "|".join((fold(company), fold(title), fold(location)))


def role_key(company: str | None, title: str | None) -> str:
    """Same company and same normalized title (gender markers ignored): the same role, any location."""
    title = _GENDER.sub(" ", title if isinstance(title, str) else "")
    return "|".join((fold(company if isinstance(company, str) else ""), fold(title)))


def merge_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One row for the rows of one role (see the module docstring); ``ValueError`` when empty."""
    ordered = sorted((dict(r) for r in rows), key=_order)
    if not ordered:
        raise ValueError("merge_rows needs at least one row")
    kept = ordered[0]
    locations: list[Any] = []
    displays: list[str] = []
    for row in ordered:
        for entry in row.get("locations") or ():
            if entry not in locations:
                locations.append(entry)
        for part in str(row.get("location") or "").split("; "):
            if part.strip() and fold(part) not in {fold(d) for d in displays}:
                displays.append(part.strip())
    kept["locations"] = locations
    kept["location"] = "; ".join(displays)
    return kept


def collapse_roles(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One merged row per ``role_key(company, title)``, groups in the order they first appear."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(role_key(row.get("company"), row.get("title")), []).append(row)
    return [merge_rows(group) for group in groups.values()]


def _order(row: Mapping[str, Any]) -> tuple[str, str]:
    # Earliest posted_at first (ISO 8601 UTC strings sort as instants; a missing date sorts last),
    # then the smallest id.
    posted = row.get("posted_at")
    return (posted if isinstance(posted, str) and posted else "\uffff", str(row.get("id") or ""))
