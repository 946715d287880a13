"""Employment type: full-time, part-time, contract, internship or temporary.

``parse_employment_type(value, title)`` reads the ATS's own value first (Lever ``commitment``,
Workable ``type``, SmartRecruiters ``typeOfEmployment.id``, Ashby ``employmentType``, Recruitee
``employment_type_code``, Personio ``employmentType``/``schedule``, Rippling ``SALARIED_FT``…), then
words in the title ("Contract", "Werkstudent", "Becario"). ``None`` when neither says::

    >>> parse_employment_type("fulltime_permanent")
    'full-time'
    >>> parse_employment_type(None, "Backend Developer (Werkstudent)")
    'internship'
"""

from __future__ import annotations

import re

# Checked in this order: the more specific kind wins ("Full-time internship" is an internship,
# "Temporary full-time" is temporary).
_VALUE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("internship", r"\b(?:intern|internship|werkstudent\w*|working\s+student|praktik\w*|trainee\w*"
         r"|stage|stagiaire|becari[oa]|pr[aá]cticas|est[aá]gi\w*|tirocin\w*|sta[zż]\w*|apprentic\w*"
         r"|student)\b"),
        ("contract", r"\b(?:contract\w*|freelanc\w*|1099|b2b|werkvertrag|aut[oó]nom[oa]|pj|consultant)\b"),
        ("temporary", r"\b(?:temporary|temp|fixed\s*term|befristet|seasonal|cdd|temporal|tempor[aá]ri[oa]"
         r"|determinato|tempo\s+determinado|interim)\b"),
        ("part-time", r"\b(?:part\s*time|part|parttime\w*|pt|teilzeit|medio\s+tiempo|media\s+jornada"
         r"|temps\s+partiel|meio\s+per[ií]odo|tempo\s+parziale|niepełny\s+etat)\b"),
        ("full-time", r"\b(?:full\s*time|full|fulltime\w*|ft|regular|permanent|vollzeit|unbefristet"
         r"|festanstellung|tiempo\s+completo|jornada\s+completa|indefinido|temps\s+plein|cdi"
         r"|tempo\s+integral|tempo\s+pieno|pełny\s+etat|salaried|employee)\b"),
    )
)  # fmt: skip
# Titles only carry the marked cases; "Stage" is French for internship but English for "early stage".
_TITLE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.I))
    for kind, pattern in (
        ("internship", r"\b(?:intern|internship|werkstudent\w*|working\s+student|praktikant\w*|praktikum"
         r"|stagiaire|becari[oa]|est[aá]gi[aá]ri[oa]|est[aá]gio|tirocinante|sta[zż]ysta)\b"
         r"|^stage\b|\(stage\)|\bstage\s+(?:de|en|d['’])"),
        ("contract", r"\b(?:contract|contractor|freelance|freelancer|1099)\b"),
        ("temporary", r"\b(?:temporary|fixed[\s-]term|befristet)\b"),
        ("part-time", r"\b(?:part[\s-]?time|teilzeit|tiempo\s+parcial|temps\s+partiel)\b"),
        ("full-time", r"\b(?:full[\s-]?time|vollzeit)\b"),
    )
)  # fmt: skip


def parse_employment_type(value: str | None, title: str = "") -> str | None:
    """Canonical employment type from the ATS value, else from the title; ``None`` when unknown."""
    if isinstance(value, str) and value.strip():
        # "SALARIED_FT", "fulltime_permanent", "FullTime", "full-or-part-time" → words.
        words = re.sub(r"[_/-]+", " ", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", value))
        words = words.replace("full or part", "full")
        for kind, pattern in _VALUE_RULES:
            if pattern.search(words):
                return kind
    if isinstance(title, str) and title:
        for kind, pattern in _TITLE_RULES:
            if pattern.search(title):
                return kind
    return None
