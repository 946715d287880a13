"""Normalization quality against the labeled sets in tests/data/, and skill-tagging throughput.

Run from anywhere in a checkout::

    .venv/bin/python benchmarks/quality.py

Every labeled record goes through the real ``scrapy normalize`` command (a subprocess in the repo
root, ``JOBS_NOW`` fixed), so the figures are what a crawl would produce. Each set has a ``dev``
part (used while tuning the normalizers) and a ``heldout`` part (never tuned on); both are printed
next to the targets of issue 5 (locations and dates have no target; they are printed to follow).
The throughput figure times ``tag_skills`` in this process on one
core (CPU time, best of three runs) over 10,000 synthetic descriptions of 3 KB built from the labeled
skill texts and filler prose.
Exit status: 0 when every held-out figure meets its target, 1 otherwise.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
NOW = "2026-11-20T12:00:00Z"
PARTS = ("dev", "heldout")
SALARY_FIELDS = ("min", "max", "currency", "period")
PROFILES = ("backend", "frontend", "fullstack", "devops", "data", "mobile")

Metric = tuple[
    str, Callable[[list[dict[str, Any]], list[dict[str, Any]]], float], str, Callable[[float], bool]
]


def load(name: str) -> dict[str, list[Any]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def normalize(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records through ``scrapy normalize``, one output per input, in order."""
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "normalize", "-s", f"JOBS_NOW={NOW}"],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"scrapy normalize failed ({result.returncode}):\n{result.stderr}")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    if len(out) != len(records):
        raise SystemExit(f"scrapy normalize gave {len(out)} lines for {len(records)} records")
    return out


# --- the four sets as scrapy normalize input ----------------------------------------------------


def skill_records(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"title": "Software Engineer", "description": case["text"]} for case in cases]


def workplace_records(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    records = []
    for case in cases:
        record = {"title": case["title"], "location": case.get("location", "")}
        if "remote" in case:
            record["remote"] = case["remote"]
        records.append(record)
    return records


def salary_records(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    records = []
    for case in cases:
        record: dict[str, Any] = {"title": "Software Engineer", "description": case.get("description", "")}
        if "salary" in case:
            record["salary"] = case["salary"]
        records.append(record)
    return records


def profile_records(cases: list[list[Any]]) -> list[dict[str, Any]]:
    return [{"title": title} for title, _ in cases]


def location_records(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"title": "Software Engineer", "location": c["value"], "country": c.get("hint")} for c in cases]


def date_records(cases: list[list[Any]]) -> list[dict[str, Any]]:
    return [{"title": "Software Engineer", "posted_at": value} for value, _ in cases]


# --- metrics ------------------------------------------------------------------------------------


def ratio(hits: int, total: int) -> float:
    return hits / total if total else float("nan")


def skill_recall(cases: list[dict[str, Any]], out: list[dict[str, Any]]) -> float:
    pairs = [(s, o) for c, o in zip(cases, out, strict=True) for s in c["tags"]]
    return ratio(sum(s in o["skills"] for s, o in pairs), len(pairs))


def skill_decoys(cases: list[dict[str, Any]], out: list[dict[str, Any]]) -> float:
    pairs = [(s, o) for c, o in zip(cases, out, strict=True) for s in c["not"]]
    return ratio(sum(s in o["skills"] for s, o in pairs), len(pairs))


def skill_precision(cases: list[dict[str, Any]], out: list[dict[str, Any]]) -> float:
    # Over the skills a case is labeled for (must-tag and decoys): tags outside the labels are unscored.
    tagged = [(s in c["tags"]) for c, o in zip(cases, out, strict=True) for s in o["skills"]
              if s in c["tags"] or s in c["not"]]  # fmt: skip
    return ratio(sum(tagged), len(tagged))


def workplace_accuracy(cases: list[dict[str, Any]], out: list[dict[str, Any]]) -> float:
    return ratio(sum(c["expect"] == o["workplace"] for c, o in zip(cases, out, strict=True)), len(cases))


def salary_key(salary: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    if salary is None:
        return None
    return tuple(
        float(v) if isinstance(v, int | float) else v for v in (salary.get(f) for f in SALARY_FIELDS)
    )


def salary_exact(cases: list[dict[str, Any]], out: list[dict[str, Any]]) -> float:
    same = sum(salary_key(c["expect"]) == salary_key(o["salary"]) for c, o in zip(cases, out, strict=True))
    return ratio(same, len(cases))


def entries(result: dict[str, Any]) -> list[list[Any]]:
    return [[e["city"], e["region"], e["country"]] for e in result["locations"]]


def location_exact(cases: list[dict[str, Any]], out: list[dict[str, Any]]) -> float:
    same = sum(
        c["display"] == o["location"] and c["expect"] == entries(o) for c, o in zip(cases, out, strict=True)
    )
    return ratio(same, len(cases))


def location_countries(cases: list[dict[str, Any]], out: list[dict[str, Any]]) -> float:
    """Share of expected entries whose country is right (entries compared in order, per case)."""
    pairs = [
        (e[2], g[2])
        for c, o in zip(cases, out, strict=True)
        for e, g in zip(c["expect"], entries(o), strict=False)  # a missing entry counts as wrong
    ]
    total = sum(len(c["expect"]) for c in cases)
    return ratio(sum(a == b for a, b in pairs), total)


def date_exact(cases: list[list[Any]], out: list[dict[str, Any]]) -> float:
    return ratio(sum(c[1] == o["posted_at"] for c, o in zip(cases, out, strict=True)), len(cases))


def profile_recall(name: str) -> Callable[[list[Any], list[dict[str, Any]]], float]:
    def metric(cases: list[Any], out: list[dict[str, Any]]) -> float:
        pairs = [(c, o) for c, o in zip(cases, out, strict=True) if name in c[1]]
        return ratio(sum(name in o["profiles"] for _, o in pairs), len(pairs))

    return metric


def profile_precision(name: str) -> Callable[[list[Any], list[dict[str, Any]]], float]:
    def metric(cases: list[Any], out: list[dict[str, Any]]) -> float:
        pairs = [(c, o) for c, o in zip(cases, out, strict=True) if name in o["profiles"]]
        return ratio(sum(name in c[1] for c, _ in pairs), len(pairs))

    return metric


def profile_rejected(name: str) -> Callable[[list[Any], list[dict[str, Any]]], float]:
    def metric(cases: list[Any], out: list[dict[str, Any]]) -> float:
        pairs = [(c, o) for c, o in zip(cases, out, strict=True) if name not in c[1]]
        return ratio(sum(name not in o["profiles"] for _, o in pairs), len(pairs))

    return metric


def at_least(target: float) -> Callable[[float], bool]:
    return lambda value: value >= target


def at_most(target: float) -> Callable[[float], bool]:
    return lambda value: value <= target


def info(_: float) -> bool:
    return True


SETS: list[tuple[str, str, Callable[[Any], list[dict[str, Any]]], list[Metric]]] = [
    (
        "skills",
        "skills.yml",
        skill_records,
        [
            ("recall (must-tag)", skill_recall, ">= 0.95", at_least(0.95)),
            ("decoys tagged", skill_decoys, "<= 0.05", at_most(0.05)),
            ("precision (labeled skills)", skill_precision, "-", info),
        ],
    ),
    (
        "workplace",
        "workplace.yml",
        workplace_records,
        [("accuracy", workplace_accuracy, ">= 0.97", at_least(0.97))],
    ),
    (
        "salary",
        "salary.yml",
        salary_records,
        [("exact (min, max, currency, period)", salary_exact, ">= 0.90", at_least(0.90))],
    ),
    (
        "locations",
        "locations.yml",
        location_records,
        [
            ("exact (display and entries)", location_exact, "-", info),
            ("country of each entry", location_countries, "-", info),
        ],
    ),
    ("dates", "dates.yml", date_records, [("exact posted_at", date_exact, "-", info)]),
    (
        "profiles",
        "profiles.yml",
        profile_records,
        [
            ("backend recall", profile_recall("backend"), ">= 0.99", at_least(0.99)),
            ("non-backend rejected", profile_rejected("backend"), ">= 0.95", at_least(0.95)),
            *[
                (f"{name} {kind}", make(name), "-", info)
                for name in PROFILES[1:]
                for kind, make in (("recall", profile_recall), ("precision", profile_precision))
            ],
        ],
    ),
]


def misses(name: str, cases: list[Any], out: list[dict[str, Any]]) -> Iterable[str]:
    """One line per wrong case, for tuning on dev (printed with --misses)."""
    for case, result in zip(cases, out, strict=True):
        if name == "skills":
            wrong = [s for s in case["tags"] if s not in result["skills"]]
            wrong += [f"!{s}" for s in case["not"] if s in result["skills"]]
            if wrong:
                yield f"{wrong} {case['text']!r} -> {result['skills']}"
        elif name == "workplace" and case["expect"] != result["workplace"]:
            yield f"{case} -> {result['workplace']}"
        elif name == "salary" and salary_key(case["expect"]) != salary_key(result["salary"]):
            yield f"{case} -> {result['salary']}"
        elif name == "profiles" and sorted(case[1]) != sorted(result["profiles"]):
            yield f"{case} -> {result['profiles']}"
        elif name == "locations" and (case["display"], case["expect"]) != (
            result["location"],
            entries(result),
        ):
            yield f"{case} -> {result['location']!r} {entries(result)}"
        elif name == "dates" and case[1] != result["posted_at"]:
            yield f"{case} -> {result['posted_at']}"


# --- throughput ---------------------------------------------------------------------------------

FILLER = (
    "We are a fast-growing company building software that thousands of teams rely on every day. "
    "You will work closely with product managers, designers and other engineers to ship features, "
    "review code, mentor colleagues and improve the reliability of our platform. "
    "We offer a competitive salary, 30 days of paid vacation, a learning budget and flexible hours. "
    "Our office is in the city centre, close to public transport, and we meet in person twice a year. "
    "You communicate clearly in English, take ownership of problems and go the extra mile for users. "
    "We are an equal opportunity employer and value diversity of backgrounds and perspectives. "
)


def descriptions(count: int, size: int, seed: int = 5) -> list[str]:
    """``count`` texts of ``size`` characters: labeled skill texts mixed with filler prose."""
    rng = random.Random(seed)
    data = load("skills.yml")
    snippets = [case["text"] for part in PARTS for case in data[part]]
    sentences = [s.strip() + "." for s in FILLER.split(".") if s.strip()]
    texts = []
    for _ in range(count):
        chunks: list[str] = []
        length = 0
        while length < size:
            chunk = rng.choice(snippets) if rng.random() < 0.35 else rng.choice(sentences)
            chunks.append(chunk)
            length += len(chunk) + 1
        texts.append(" ".join(chunks)[:size])
    return texts


def throughput(count: int = 10_000, size: int = 3_000, runs: int = 3) -> list[float]:
    """CPU seconds of this (single-threaded) process to tag ``count`` texts, once per run.

    CPU time rather than wall time, so that other processes on a shared machine do not count.
    """
    sys.path.insert(0, str(ROOT))
    from jobspiders.normalize.skills import tag_skills  # imported once the checkout is on sys.path

    texts = descriptions(count, size)
    tag_skills("warm-up: build the automaton before timing")
    seconds = []
    for _ in range(runs):
        start = time.process_time()
        for text in texts:
            tag_skills(text)
        seconds.append(time.process_time() - start)
    return seconds


# --- report -------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    show_misses = "--misses" in argv
    ok = True
    print(f"jobspiders normalization quality (scrapy normalize, JOBS_NOW={NOW})\n")
    print(f"{'set':<10} {'metric':<36} {'dev':>13} {'held-out':>13}  {'target (held-out)':<18}")
    for name, filename, to_records, metrics in SETS:
        data = load(filename)
        results = {part: normalize(to_records(data[part])) for part in PARTS}
        for label, metric, target, passes in metrics:
            values = {part: metric(data[part], results[part]) for part in PARTS}
            cells = [f"{values[p]:.3f} (n={len(data[p])})" for p in PARTS]
            verdict = "" if target == "-" else ("ok" if passes(values["heldout"]) else "MISSED")
            ok &= passes(values["heldout"])
            print(f"{name:<10} {label:<36} {cells[0]:>13} {cells[1]:>13}  {target:<9} {verdict}")
        if show_misses:
            for part in PARTS:
                for line in misses(name, data[part], results[part]):
                    print(f"    {part} miss: {line}")
    runs = throughput()
    best = min(runs)
    fast = best < 2.0
    ok &= fast
    print(
        f"\nskill tagging: 10,000 descriptions x 3 KB in {best:.2f} s CPU on one core, best of "
        f"{len(runs)} ({', '.join(f'{r:.2f}' for r in runs)}; {10_000 / best:,.0f} docs/s)  "
        f"target < 2 s  {'ok' if fast else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
