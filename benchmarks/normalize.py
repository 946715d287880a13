"""Normalizer benchmark (issue 8): µs per call of each `jobspiders.normalize` function, and skill tagging.

One command, from the checkout (about a minute)::

    .venv/bin/python benchmarks/normalize.py

Inputs are the raw postings of the crawl benchmark's workload (benchmarks/workload.py: every ATS's date
formats, multi-language titles and locations, structured and textual salaries, ~3 KB HTML descriptions).
Each function runs over ``--inputs`` distinct inputs, ``--repeat`` times; the best pass gives µs per call
(single core, this process). The first call of each function after import is timed too (lookups and
regexes built lazily show up there). Then ``tag_skills`` over ``--docs`` descriptions of >= 3 KB of text:
descriptions/s and the time for 10,000 (target: < 2 s on one core).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workload as wl
from _common import machine, table, verdict

TARGET_SKILLS_S = 2.0  # 10,000 descriptions of 3 KB, one core


def inputs(count: int, seed: int) -> list[dict[str, Any]]:
    boards = wl.make_boards(max(len(wl.ATS), -(-count // 20)), 20, seed)
    raws = list(wl.iter_raw_postings(boards))
    return raws[:count]


def bench(fn: Callable[..., Any], args: list[tuple[Any, ...]], repeat: int) -> float:
    """Best µs per call over ``repeat`` passes of ``fn(*a)`` for every ``a`` in ``args``."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for a in args:
            fn(*a)
        best = min(best, time.perf_counter() - started)
    return best / len(args) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--inputs", type=int, default=2000, help="distinct inputs per function (default 2000)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="passes per function, best counts (default 3)")
    parser.add_argument("--docs", type=int, default=10_000, help="descriptions to tag (default 10000)")
    parser.add_argument("--seed", type=int, default=8, help="workload seed (default 8)")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")

    started = time.perf_counter()
    import jobspiders.normalize as nz

    import_s = time.perf_counter() - started
    now = wl.NOW
    raws = inputs(args.inputs, args.seed)
    # Cold passes first, before anything else touched the normalizers: lookups and regexes built lazily
    # (once per process) show up as the difference between the cold pass and the best warm pass.
    cold: dict[str, float] = {}

    def cold_pass(name: str, fn: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
        started = time.perf_counter()
        out = [fn(*a) for a in calls]
        cold[name] = time.perf_counter() - started
        return out

    descriptions = [r["description"] for r in raws]
    texts = cold_pass("html_to_text", nz.html_to_text, [(d,) for d in descriptions])
    found = cold_pass("parse_locations", nz.parse_locations, [(r["location"], r["country"]) for r in raws])
    locations = [display for display, _ in found]
    titles = [r["title"] for r in raws]
    print(
        f"{len(raws)} inputs from the crawl workload (seed {args.seed}); description HTML "
        f"{sum(map(len, descriptions)) / len(raws) / 1024:.1f} KB, "
        f"text {sum(map(len, texts)) / len(raws) / 1024:.1f} KB on average; "
        f"import jobspiders.normalize {import_s * 1000:.0f} ms"
    )
    cases: list[tuple[str, Callable[..., Any], list[tuple[Any, ...]]]] = [
        ("parse_date", nz.parse_date, [(r["posted_at"], now) for r in raws]),
        ("parse_locations", nz.parse_locations, [(r["location"], r["country"]) for r in raws]),
        (
            "parse_workplace",
            nz.parse_workplace,
            [(r["remote"], t, loc) for r, t, loc in zip(raws, titles, locations, strict=True)],
        ),
        (
            "parse_salary",
            lambda v, t: nz.parse_salary(v, text=t),
            [(r["salary"], x) for r, x in zip(raws, texts, strict=True)],
        ),
        (
            "parse_employment_type",
            nz.parse_employment_type,
            [(r["employment_type"], r["title"]) for r in raws],
        ),
        ("parse_seniority", nz.parse_seniority, [(t,) for t in titles]),
        ("tag_skills", nz.tag_skills, [(f"{t}\n{x}",) for t, x in zip(titles, texts, strict=True)]),
        ("match_profiles", nz.match_profiles, [(t,) for t in titles]),
        ("html_to_text", nz.html_to_text, [(d,) for d in descriptions]),
        ("normalize_posting", nz.normalize_posting, [(r, now) for r in raws]),
    ]
    for name, fn, calls in cases:
        if name not in cold:
            cold_pass(name, fn, calls)
    rows = []
    for name, fn, calls in cases:
        us = bench(fn, calls, args.repeat)
        once = cold[name] - us * len(calls) / 1e6
        rows.append(
            [
                name,
                f"{us:,.1f}",
                f"{1e6 / us:,.0f}",
                f"{cold[name] * 1000:,.0f}",
                f"{max(once, 0) * 1000:,.0f}",
            ]
        )
    print(
        table(
            ["normalizer", "µs/call", "calls/s", f"cold pass ms ({len(raws)} calls)", "one-time cost ms"],
            rows,
        )
    )

    # Skill tagging: descriptions of at least 3 KB of text, as the pipeline gives them (title + text).
    docs = []
    pool = texts * (args.docs // len(texts) + 1)
    for i in range(args.docs):
        text = f"{titles[i % len(titles)]}\n{pool[i]}"
        j = i + 1
        while len(text) < 3072:
            text += "\n" + pool[j % len(pool)]
            j += 1
        docs.append(text[:3072])
    size = sum(map(len, docs)) / len(docs)
    started = time.perf_counter()
    for doc in docs:
        nz.tag_skills(doc)
    elapsed = time.perf_counter() - started
    per_10k = elapsed / len(docs) * 10_000
    print(
        f"\nskill tagging: {len(docs)} descriptions of {size / 1024:.1f} KB on average in {elapsed:.2f}s = "
        f"{len(docs) / elapsed:,.0f} descriptions/s; 10,000 in {per_10k:.2f}s on one core "
        f"(target < {TARGET_SKILLS_S:.0f} s: {verdict(per_10k < TARGET_SKILLS_S)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
