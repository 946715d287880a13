"""Publishing: store → published jobs → Jinja2 (templates/) → README.md and jobs.json.

`publish(config)` reads the open jobs of the store, keeps those of the profile that are young enough
(``JOBS_MAX_AGE_DAYS``), collapses duplicates (one row per job: earliest ``posted_at``, then smallest
id), sorts newest first, computes the stats, and writes both files atomically (temp file + rename).

Every value a template prints goes through Markdown escaping (`md`) unless it is `MdSafe`, which only
our own filters produce; only http(s) URLs become links.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from jobspiders.config import JobsConfig
from jobspiders.normalize.dates import to_iso
from jobspiders.normalize.profiles import load_profiles
from jobspiders.normalize.urls import is_http_url
from jobspiders.store import open_store

logger = logging.getLogger(__name__)

WORKPLACE_LABELS = {"remote": "Remote", "hybrid": "Hybrid", "onsite": "On Site"}
TOP_SKILLS = 5
BOARD_OUTCOMES = ("ok", "empty", "missing", "failed")


class PublishRefused(RuntimeError):
    """Publishing would replace a good list with one that boards' failures emptied or left stale."""


class MdSafe(str):
    """Markdown we produced ourselves; printed as is."""

    __slots__ = ()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_AUTOLINK = re.compile(r"(?i)(?=://)|(?<=www)(?=\.)|(?=@)")


def md(value: Any) -> str:
    """Escape board text for a Markdown table cell: no links, images, HTML, code or broken cells."""
    if value is None:
        return ""
    if isinstance(value, MdSafe):
        return value
    text = _CONTROL.sub(" ", str(value))
    text = " ".join(text.split())  # newlines and tabs would end the table row
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # GitHub turns bare "http://…", "www.…" and e-mail addresses into links: break them up.
    return _AUTOLINK.sub("&#8203;", text)


def md_url(url: Any) -> str | None:
    """A URL safe inside ``(...)`` of a Markdown link, or None when it is not http(s)."""
    if not is_http_url(url):
        return None
    return quote(url.strip(), safe=":/?#@!$&'*+,;=%-._~")


def md_link(text: Any, url: Any) -> MdSafe:
    """``[text](url)`` when the URL is http(s); the escaped text alone otherwise."""
    target = md_url(url)
    label = md(text) or md(url)
    return MdSafe(f"[{label}]({target})" if target else label)


def money(amount: float | None) -> str:
    if amount is None:
        return "n/a"
    return f"${round(amount / 1000):,}k" if amount >= 1000 else f"${round(amount):,}"


def make_environment(template_dir: str | Path | None = None) -> jinja2.Environment:
    """The one Jinja2 environment: templates/ of the checkout, else the copy bundled in the package."""
    if template_dir is None:
        checkout = Path(__file__).resolve().parent.parent / "templates"
        if checkout.is_dir():
            loader: jinja2.BaseLoader = jinja2.FileSystemLoader(checkout)
        else:
            loader = jinja2.FunctionLoader(
                lambda name: resources.files("jobspiders").joinpath("templates", name).read_text("utf-8")
            )
    else:
        loader = jinja2.FileSystemLoader(template_dir)
    env = jinja2.Environment(
        loader=loader,
        # Markdown, not HTML: `finalize` applies `md` to every printed value instead.
        autoescape=False,  # noqa: S701
        finalize=md,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(md=lambda v: MdSafe(md(v)), link=md_link, money=lambda v: MdSafe(money(v)))
    env.filters["date"] = lambda value, fmt="%b %d": MdSafe(_parse_iso(value).strftime(fmt))
    return env


def _parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def collapse_duplicates(jobs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per job (DESIGN.md): per dedup key the earliest ``posted_at``, then the smallest id."""
    kept: dict[str, dict[str, Any]] = {}
    for job in jobs:
        key = job.get("dedup_key") or job["id"]
        best = kept.get(key)
        if best is None or (job["posted_at"], job["id"]) < (best["posted_at"], best["id"]):
            kept[key] = dict(job)
    return list(kept.values())


def compute_stats(jobs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The README's stats line, over the published jobs."""
    salaries = [mid for job in jobs if (mid := _annual_usd_mid(job.get("salary"))) is not None]
    skills = Counter(skill for job in jobs for skill in job.get("skills") or ())
    remote = sum(job["workplace"] == "remote" for job in jobs)
    return {
        "jobs": len(jobs),
        "remote_share": round(100 * remote / len(jobs)) if jobs else 0,
        "companies": len({job["company"] for job in jobs}),
        "avg_salary_usd": round(sum(salaries) / len(salaries)) if salaries else None,
        "salary_postings": len(salaries),
        "trending_skills": [name for name, _ in sorted(skills.items(), key=lambda kv: (-kv[1], kv[0]))][
            :TOP_SKILLS
        ],
    }


def _annual_usd_mid(salary: Mapping[str, Any] | None) -> float | None:
    if not salary:
        return None
    low, high = salary.get("annual_usd_min"), salary.get("annual_usd_max")
    values = [v for v in (low, high) if isinstance(v, int | float)]
    return sum(values) / len(values) if values else None


@dataclass(frozen=True, slots=True)
class PublishResult:
    count: int
    readme: Path
    jobs_json: Path


def check_boards(outcomes: Mapping[tuple[str, str], str], max_failed_share: float) -> None:
    """Refuse when more than ``max_failed_share`` of the boards failed in their latest crawl."""
    if not outcomes:
        return
    failed = sum(outcome == "failed" for outcome in outcomes.values())
    if failed / len(outcomes) > max_failed_share:
        raise PublishRefused(
            f"{failed} of {len(outcomes)} boards failed in their latest crawl "
            f"(more than {max_failed_share:.0%}); the list would not be up to date"
        )


def check_drop(previous: int | None, count: int, max_drop: float) -> None:
    """Refuse when the list would shrink by more than ``max_drop`` of the last published one."""
    if previous and count < previous * (1 - max_drop):
        raise PublishRefused(
            f"the list would fall from {previous} to {count} jobs (more than {max_drop:.0%} fewer); "
            "boards probably failed or changed shape"
        )


def previous_count(jobs_json: Path) -> int | None:
    """The job count of the last list we published, when there is a readable one."""
    try:
        count = json.loads(jobs_json.read_text(encoding="utf-8")).get("count")
    except (OSError, ValueError, AttributeError):
        return None
    return count if isinstance(count, int) else None


def published_jobs(
    config: JobsConfig, profile: str, *, force: bool = False
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """The jobs to publish, newest first, and how many boards had each outcome in their latest crawl."""
    store = open_store(config.db)
    try:
        since = to_iso(config.now - timedelta(days=config.max_age_days))
        outcomes = store.latest_board_outcomes()
        if not force:
            check_boards(outcomes, config.max_failed_share)
        jobs = [job for job in store.open_jobs(since) if profile in (job.get("profiles") or ())]
    finally:
        store.close()
    jobs = collapse_duplicates(jobs)
    jobs.sort(key=lambda job: (job["posted_at"], job["id"]), reverse=True)
    return jobs, Counter(outcomes.values())


def publish(config: JobsConfig, profile: str = "backend", *, force: bool = False) -> PublishResult:
    """Render README.md and jobs.json of ``profile`` into ``OUTPUT_DIR``.

    PublishRefused (the last good files untouched) when more than ``JOBS_PUBLISH_MAX_FAILED_SHARE`` of the
    boards failed in their latest crawl, or the list would shrink by more than ``JOBS_PUBLISH_MAX_DROP``;
    ``force`` publishes anyway.
    """
    profiles = load_profiles()
    if profile not in profiles:
        raise ValueError(f"unknown profile {profile!r}; profiles.yml has {', '.join(profiles)}")
    jobs, boards = published_jobs(config, profile, force=force)
    if not force:
        check_drop(previous_count(config.output_dir / "jobs.json"), len(jobs), config.max_drop)
    for job in jobs:
        job.pop("dedup_key", None)
    stats = compute_stats(jobs)
    generated_at = to_iso(config.now)
    context = {
        "profile": profiles[profile],
        "title": profiles[profile].title.format(year=config.now.year),
        "updated": MdSafe(config.now.strftime("%b %d, %Y at %H:%M UTC")),
        "jobs": jobs,
        "stats": stats,
        "workplace_labels": WORKPLACE_LABELS,
        "boards": {outcome: boards[outcome] for outcome in BOARD_OUTCOMES if boards[outcome]},
    }
    readme = make_environment().get_template("README.md.j2").render(context)
    payload = {"generated_at": generated_at, "count": len(jobs), "stats": stats, "jobs": jobs}
    out = config.output_dir
    write_atomic(out / "README.md", readme)
    write_atomic(out / "jobs.json", json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    logger.info("Published %d %s jobs to %s", len(jobs), profile, out)
    return PublishResult(len(jobs), out / "README.md", out / "jobs.json")


def write_atomic(path: Path, text: str) -> None:
    """Write a whole file or nothing: readers never see a half-written list."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
