"""Skill tags from free text, by the taxonomy in ``data/skills.yml``.

``tag_skills(text)`` returns the sorted canonical names the text mentions::

    >>> tag_skills("We use Go and Kubernetes (k8s), Postgres and C/C++.")
    ['c', 'cpp', 'go', 'kubernetes', 'postgresql']

All aliases go into one Aho-Corasick automaton (pyahocorasick), so a description is scanned once
whatever the size of the taxonomy (10,000 descriptions of 3 KB take about a second on one core:
``benchmarks/quality.py``). Word boundaries are part of the automaton's keys, so only whole-word hits
come out of it; overlapping hits keep the longest ("Spring Boot" over "Spring", "C++" over "C").
A compound names several skills ("Ruby on Rails": rails and ruby; "GitHub Actions": github too).
Words that are also ordinary English ("Go", "React", "Swift", "Rust", "R", "C", "Spring", "Express",
"REST", "Helm", "Chef") are declared ambiguous in the YAML with the evidence they need: their accepted
casing, words after them that rule them out ("React to incidents", "Spring 2026") and context that
confirms them (another skill nearby, "experience with Go", "Go developer"); a confirmed ambiguous word
confirms its neighbours in turn. Use ``SkillTagger(taxonomy)`` directly to test another taxonomy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import ahocorasick

from jobspiders.data import load_yaml

_EVIDENCE_KINDS = frozenset({"near", "before", "after"})
# How much text around a hit the before/after rules look at.
_CONTEXT = 40


@dataclass(frozen=True, slots=True)
class _Rule:
    """Evidence an ambiguous spelling needs (see the header of skills.yml)."""

    case: frozenset[str] | None
    reject_after: re.Pattern[str] | None
    needs_evidence: bool
    evidence: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Term:
    skill: str
    alias: str
    rule: _Rule | None
    also: tuple[str, ...] = ()  # compounds name several skills ("GitHub Actions": github too)


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int  # exclusive
    term: _Term


class SkillTagger:
    """One-pass skill matcher built from a taxonomy mapping shaped like ``skills.yml``."""

    def __init__(self, taxonomy: Mapping[str, Any]) -> None:
        evidence = taxonomy.get("evidence") or {}
        self._near = int(evidence.get("near", 80))
        self._before = re.compile(evidence["before"], re.I) if evidence.get("before") else None
        self._after = re.compile(evidence["after"], re.I) if evidence.get("after") else None
        terms: list[_Term] = []
        for skill, entry in (taxonomy.get("skills") or {}).items():
            for alias in (entry or {}).get("aliases") or []:
                terms.append(_Term(str(skill), str(alias).lower(), None))
            for alias, rule in ((entry or {}).get("ambiguous") or {}).items():
                terms.append(_Term(str(skill), str(alias).lower(), _rule(rule or {})))
        for alias, skills in (taxonomy.get("compounds") or {}).items():
            names = tuple(str(s) for s in skills)
            terms.append(_Term(names[0], str(alias).lower(), None, names[1:]))
        seen: set[str] = set()
        for term in terms:
            if term.alias in seen:
                raise ValueError(f"skills taxonomy: alias {term.alias!r} is declared twice")
            seen.add(term.alias)
        # Whole-word matching inside the automaton (profiled: a Python boundary check per raw hit
        # cost 85% of the time, as "c", "r" and "go" occur inside most words). The text is scanned
        # in a same-length form where every non-word character that no alias uses becomes a space,
        # and each alias is stored once per boundary character it may touch (" go,", "/go ").
        symbols = sorted({c for t in terms for c in t.alias if not _is_word(c)} | {" "})
        self._blank = re.compile(rf"[^\w{re.escape(''.join(symbols))}]")
        self._automaton = ahocorasick.Automaton()
        # Shorter aliases first: where two keys coincide (" c#" is "c" + "#" and "c#" after a
        # space) the longer alias is stored last and wins, as a longest hit would.
        for term in sorted(terms, key=lambda t: len(t.alias)):
            heads = symbols if _is_word(term.alias[0]) else [""]
            tails = symbols if _is_word(term.alias[-1]) else [""]
            for head in heads:
                for tail in tails:
                    # Value: the term and how far its first character lies before the key's last.
                    key = f"{head}{term.alias}{tail}"
                    self._automaton.add_word(key, (len(term.alias) + len(tail), -len(term.alias), term))
        self._automaton.make_automaton()

    def tag(self, text: str) -> list[str]:
        """Sorted unique canonical names of the skills ``text`` mentions."""
        if not isinstance(text, str) or not text or not len(self._automaton):
            return []
        hits = self._longest_hits(text)
        anchors = [hit for hit in hits if hit.term.rule is None]
        found = {skill for hit in anchors for skill in (hit.term.skill, *hit.term.also)}
        pending = [hit for hit in hits if hit.term.rule is not None and hit.term.skill not in found]
        # An ambiguous word confirmed by evidence is evidence for its neighbours too ("Echo
        # framework in Go, plus Fiber"): repeat until nothing new is confirmed (rarely twice).
        while pending:
            before = len(found)
            for hit in pending:  # once a skill is confirmed its other mentions need no check
                if hit.term.skill not in found and self._confirmed(hit, text, anchors):
                    found.add(hit.term.skill)
                    anchors.append(hit)
            if len(found) == before:
                break
            pending = [hit for hit in pending if hit.term.skill not in found]
        return sorted(found)

    def _longest_hits(self, text: str) -> list[_Hit]:
        # The padding spaces make the first and last word bounded; positions shift back by one.
        key = f" {self._blank.sub(' ', _lower_same_length(text))} "
        raw = sorted(
            (last - back, negative_length, term)
            for last, (back, negative_length, term) in self._automaton.iter(key)
        )
        kept: list[_Hit] = []
        for start, negative_length, term in raw:
            if not kept or start >= kept[-1].end:  # the longest hit at a start comes first
                kept.append(_Hit(start, start - negative_length, term))
        return kept

    def _confirmed(self, hit: _Hit, text: str, anchors: list[_Hit]) -> bool:
        rule = hit.term.rule
        assert rule is not None
        if rule.case is not None and text[hit.start : hit.end] not in rule.case:
            return False
        after = text[hit.end : hit.end + _CONTEXT]
        if rule.reject_after is not None and rule.reject_after.search(after):
            return False
        if not rule.needs_evidence:
            return True
        if "near" in rule.evidence and any(
            a.start - self._near <= hit.end and hit.start <= a.end + self._near for a in anchors
        ):
            return True
        before = text[max(0, hit.start - _CONTEXT) : hit.start]
        if "before" in rule.evidence and self._before is not None and self._before.search(before):
            return True
        return "after" in rule.evidence and self._after is not None and bool(self._after.search(after))


def _rule(spec: Mapping[str, Any]) -> _Rule:
    case = spec.get("case")
    evidence = frozenset(spec.get("evidence") or _EVIDENCE_KINDS)
    if unknown := evidence - _EVIDENCE_KINDS:
        raise ValueError(f"skills taxonomy: unknown evidence kinds {sorted(unknown)}")
    return _Rule(
        case=frozenset(str(c) for c in case) if case else None,
        reject_after=re.compile(spec["reject_after"]) if spec.get("reject_after") else None,
        needs_evidence=bool(spec.get("needs_evidence", True)),
        evidence=evidence,
    )


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _lower_same_length(text: str) -> str:
    # Hit positions index the original text, so lower-casing must not change its length ("İ" does).
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@cache
def default_tagger() -> SkillTagger:
    """The tagger for the bundled taxonomy, built once per process."""
    return SkillTagger(load_yaml("skills.yml"))


def tag_skills(text: str) -> list[str]:
    """Sorted unique canonical skill names mentioned in ``text`` (bundled taxonomy)."""
    return default_tagger().tag(text)
