"""Workplace type (remote / hybrid / onsite) from the ATS flag, else from title and location text.

``parse_workplace(flag, title, location)``: the ATS's own field decides when it carries a signal
(Lever/Ashby ``workplaceType``, Workable ``workplace``/``telecommuting``, Teamtailor ``remoteStatus``,
a spider's ``True`` for a remote boolean). ``False``, ``None``, ``"unspecified"`` and unknown values
carry none, and the title and location are read for cues in several languages. Hybrid beats remote
when both appear; no signal means onsite::

    >>> parse_workplace(None, "Backend Engineer (Remote - LATAM)")
    <WorkplaceType.REMOTE: 'remote'>
    >>> parse_workplace("unspecified", "Hybrid App Developer", "Berlin")
    <WorkplaceType.ONSITE: 'onsite'>
"""

from __future__ import annotations

import re
from enum import StrEnum


class WorkplaceType(StrEnum):
    REMOTE = "remote"
    HYBRID = "hybrid"
    ONSITE = "onsite"


# ATS flag values, compared after lower-casing and removing spaces, "-" and "_".
_FLAGS = {
    "remote": WorkplaceType.REMOTE,
    "fullyremote": WorkplaceType.REMOTE,
    "fully": WorkplaceType.REMOTE,  # Teamtailor remoteStatus
    "telecommute": WorkplaceType.REMOTE,
    "true": WorkplaceType.REMOTE,
    "hybrid": WorkplaceType.HYBRID,
    "onsite": WorkplaceType.ONSITE,
    "inoffice": WorkplaceType.ONSITE,
    "office": WorkplaceType.ONSITE,
    "none": WorkplaceType.ONSITE,  # Teamtailor remoteStatus: not remote
}

_REMOTE = re.compile(
    r"\b(?:(?:fully|100\s?%)\s+)?remote(?:[\s-]first)?\b"
    r"(?!\s+(?:sensing|sensors?|controls?|controlled|monitoring|pilots?|patient|desktop|access|"
    r"diagnostics|vehicles?|operated|operations\s+center)\b)"
    r"|\bremot[oa]\b|\bt[ée]l[ée]travail\b|\bteletrabajo\b|\bhome[\s-]?office\b|\bzdaln(?:a|ie|y)\b"
    r"|\bwork(?:ing)?\s+from\s+home\b|\bwfh\b|\btelecommut\w*|\bthuiswerk\w*|\bdistans\b",
    re.I,
)
_HYBRID = re.compile(
    r"\b(?:hybrid|hybride|h[ií]brid[oa]|ibrid[oa]|hybrydow[aey]|hybrydowo|telework\w*)\b"
    r"(?!\s+(?:apps?|applications?|mobile|cloud|vehicles?|cars?|electric|energy|infrastructure|"
    r"integration|environments?|systems?|powertrains?|security|networks?|solutions?|storage)\b)",
    re.I,
)
# A cue right after one of these is negated: "no remote", "non-remote", "kein Homeoffice".
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:no|not|non|kein|keine|keinen|nicht|without|ohne|sin|pas\s+de|nie|sem|senza)\b[\s-]*)$", re.I
)
# …or followed by one of these: "remote not possible", "Homeoffice nicht möglich".
_NEGATION_AFTER = re.compile(
    r"^\W*(?:(?:work\s+)?(?:is\s+)?(?:not|no\s+longer)\s+(?:possible|available|an\s+option|offered|allowed)"
    r"|nicht\s+m[öo]glich|no\s+(?:es\s+)?posible|non\s+possible|impossible)",
    re.I,
)


def parse_workplace(flag: str | bool | None, title: str = "", location: str = "") -> WorkplaceType:
    """Workplace type of a posting; see the module docstring for the order of evidence."""
    if flag is True:
        return WorkplaceType.REMOTE
    if isinstance(flag, str):
        key = re.sub(r"[\s_-]+", "", flag.casefold())
        if key in _FLAGS:
            return _FLAGS[key]
    texts = [t for t in (title, location, flag) if isinstance(t, str) and t]
    hybrid = any(_has_cue(_HYBRID, t) for t in texts)
    if hybrid:
        return WorkplaceType.HYBRID
    if any(_has_cue(_REMOTE, t) for t in texts):
        return WorkplaceType.REMOTE
    return WorkplaceType.ONSITE


def _has_cue(pattern: re.Pattern[str], text: str) -> bool:
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 20) : match.start()]
        after = text[match.end() : match.end() + 40]
        if not _NEGATION_BEFORE.search(before) and not _NEGATION_AFTER.match(after):
            return True
    return False
