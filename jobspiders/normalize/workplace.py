"""Workplace type (remote / hybrid / onsite) from the ATS flag, else from title and location text.

``parse_workplace(flag, title, location)``: the ATS's own field decides when it carries a signal
(Lever/Ashby ``workplaceType``, Workable ``workplace``/``telecommuting``, Teamtailor ``remoteStatus``,
a spider's ``True`` for a remote boolean). ``False``, ``None``, ``"unspecified"`` and unknown values
carry none, and the title and location are read for cues in several languages (remote, remoto,
télétravail, teletrabajo, Homeoffice, zdalna, distans, etätyö, smart working…; hybrid, híbrido,
hybride, hybrydowa, "3 days in office", "télétravail partiel"…). Negations ("no remote", "remote not
possible", "kein Homeoffice") and look-alikes ("Hybrid App Developer", "Remote Sensing Engineer",
"Hybrid Cloud") are not cues. Hybrid beats remote when both appear; no signal means onsite::

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
    "temporary": WorkplaceType.REMOTE,  # Teamtailor remoteStatus: remote for now
    "remotefirst": WorkplaceType.REMOTE,
    "workfromhome": WorkplaceType.REMOTE,
    "telecommute": WorkplaceType.REMOTE,
    "true": WorkplaceType.REMOTE,
    "hybrid": WorkplaceType.HYBRID,
    "hybridremote": WorkplaceType.HYBRID,
    "partially": WorkplaceType.HYBRID,  # Teamtailor remoteStatus
    "partiallyremote": WorkplaceType.HYBRID,
    "flexibleremote": WorkplaceType.REMOTE,
    "onsite": WorkplaceType.ONSITE,
    "inoffice": WorkplaceType.ONSITE,
    "office": WorkplaceType.ONSITE,
    "officebased": WorkplaceType.ONSITE,
    "presencial": WorkplaceType.ONSITE,
    "none": WorkplaceType.ONSITE,  # Teamtailor remoteStatus: not remote
}

_REMOTE = re.compile(
    r"\b(?:(?:fully|100\s?%)\s+)?remote(?:[\s-](?:first|friendly|ok))?\b"
    r"(?!\s+(?:sensing|sensors?|controls?|controlled|monitoring|pilots?|patient|desktop|access|"
    r"diagnostics|vehicles?|operated|operations\s+center|support\s+tools?)\b)"
    r"|\bremot[oa]s?\b|\bremotamente\b|\ben\s+remoto\b|\bt[ée]l[ée]travail\b|\bteletrabajo\b"
    r"|\bteletrabalho\b|\bhome[\s-]?office\b|\bzdaln(?:a|ie|y)\b|\bwork(?:ing)?\s+from\s+home\b"
    r"|\bwfh\b|\btelecommut\w*|\bthuis\s?werk\w*|\bdistans\w*|\bhjemmefra\b|\bhjemmekontor\b"
    r"|\bet[äa]ty[öo]\w*|\bsmart[\s-]working\b|\blavoro\s+(?:da|in)\s+remoto\b|\bmobile[sn]?\s+arbeiten\b"
    r"|\bfull[\s-]remote\b|\b(?:anywhere|worldwide)\b(?!\s+(?:in|within)\s+(?:the\s+)?(?:city|office|building))",
    re.I,
)
_HYBRID = re.compile(
    r"\b(?:hybrid|hybride[ns]?|hybrides|h[ií]brid[oa]s?|ibrid[oa]|hybrydow[aey]|hybrydowo|telework\w*)\b"
    r"(?!\s+(?:apps?|applications?|mobile|cloud|vehicles?|cars?|electric|energy|infrastructure|"
    r"integration|environments?|systems?|powertrains?|security|networks?|solutions?|storage|"
    r"platforms?|it|multi[\s-]?cloud|frameworks?|engines?)\b)"
    # Partial remote work, or a number of office days a week, is hybrid.
    r"|\b(?:partial(?:ly)?|part[\s-]time)\s+remote\b|\bt[ée]l[ée]travail\s+partiel\b"
    r"|\bteletrabajo\s+parcial\b|\bremote\s+partiel\b"
    r"|\b\d(?:\s*-\s*\d)?\s*(?:x\s*)?days?(?:\s*(?:/|a|per)\s*week)?\s+(?:in(?:\s+the)?\s+office|on[\s-]?site|onsite|in[\s-]person)\b",
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
