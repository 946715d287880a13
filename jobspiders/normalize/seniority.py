"""Seniority level from a job title: intern, junior, mid, senior, lead or principal.

``parse_seniority(title)`` looks for level words in several languages, with word boundaries
("Senior" but not "Seniority"). Decisions, for users of the data:

- Staff → senior (the common ladder puts Staff right above Senior, below Principal).
- Principal, Distinguished, Fellow → principal; Architect → principal only when the title has no
  other level word ("Senior Architect" is senior).
- Lead, Tech Lead, Team Lead, Head of, Engineering Manager → lead.
- Mid, Mid-level, Intermediate, "II", Pleno (pt-BR), Semi-Senior/SSr (es), Regular (pl), Medior → mid.
- Junior, Jr, Júnior, Entry(-level), Graduate, Associate → junior; Intern, Praktikant, Trainee,
  Werkstudent, Estagiário, Becario → intern.
- When a title names several levels ("Mid/Senior", "Senior/Lead") the highest wins, except that
  an intern title is always intern.

    >>> parse_seniority("Sr. Backend Engineer")
    'senior'
"""

from __future__ import annotations

import re

LEVELS = ("intern", "junior", "mid", "senior", "lead", "principal")

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "intern",
        re.compile(
            r"\b(?:intern|internship|praktikant\w*|praktikum|trainee|werkstudent\w*|working\s+student"
            r"|est[aá]gi[aá]ri[oa]|becari[oa]|stagiaire|apprentice)\b",
            re.I,
        ),
    ),
    (
        "junior",
        re.compile(r"\b(?:junior|j[uú]nior|jr|entry[\s-]level|entry|graduate|grad|associate)\b\.?", re.I),
    ),
    (
        "mid",
        re.compile(
            r"\b(?:mid|mid[\s-]level|mid[\s-]senior|intermediate|pleno|medior|regular|semi[\s-]?s[eêé]nior|ssr)\b"
            r"|(?-i:\bII\b)",
            re.I,
        ),
    ),
    # Roman numerals only in capitals ("Engineer III"); the words in any case.
    ("senior", re.compile(r"(?i:\b(?:senior|s[eêé]nior|sr|staff)\b)|\bIII\b|\bIV\b")),
    (
        "lead",
        re.compile(
            r"\b(?:lead|tech[\s-]?lead|team[\s-]?lead|teamleiter\w*|l[ií]der|leader|head\s+of|engineering\s+manager)\b"
            r"(?!\s+generation)",
            re.I,
        ),
    ),
    ("principal", re.compile(r"\b(?:principal|distinguished|fellow)\b", re.I)),
)
_ARCHITECT = re.compile(r"\b(?:architect|architekt\w*|arquitet[oa]|arquitecto|architecte)\b", re.I)
_SEMI_SENIOR = re.compile(r"\bsemi[\s-]?s[eêé]nior\b|\bmid[\s-]senior\b", re.I)


def parse_seniority(title: str) -> str | None:
    """Highest level named in the title, or ``None`` when it names none."""
    if not isinstance(title, str) or not title:
        return None
    found: set[str] = set()
    # "Semi Senior" and "Mid-Senior" are one level each, not also "senior".
    if _SEMI_SENIOR.search(title):
        found.add("mid")
        title = _SEMI_SENIOR.sub(" ", title)
    for level, pattern in _RULES:
        if pattern.search(title):
            found.add(level)
    if "intern" in found:  # an internship is never "senior", whatever else the title says
        return "intern"
    if not found and _ARCHITECT.search(title):
        return "principal"
    return max(found, key=LEVELS.index) if found else None
