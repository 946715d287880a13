"""Keys that tell when two postings are the same job (DESIGN.md, "Lifecycle of a posting")."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str | None) -> str:
    """Case-, accent-, punctuation- and spacing-insensitive form of a text."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def dedup_key(company: str | None, title: str | None, location: str | None) -> str:
    """Same company, same normalized title and location: the same job, on whichever board."""
    return "|".join((fold(company), fold(title), fold(location)))
