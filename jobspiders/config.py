"""Project settings (DESIGN.md "Settings") read and validated in one place.

Components call these from ``from_crawler`` once; a bad value raises ``ConfigError`` with the setting's
name, which the commands turn into exit code 3.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scrapy.settings import BaseSettings

from jobspiders.gc_tuning import YOUNG_THRESHOLD


class ConfigError(ValueError):
    """A project setting with a value we cannot use."""


def parse_now(value: str | None) -> datetime:
    """``JOBS_NOW`` as an aware UTC datetime; the real clock when unset."""
    if not value:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        instant = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"JOBS_NOW must be an ISO 8601 instant, got {value!r}") from None
    if instant.tzinfo is None:  # a bare local time would depend on the machine: read it as UTC
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class JobsConfig:
    now: datetime
    db: str
    max_age_days: int
    output_dir: Path
    mirror: str | None
    companies: str | None
    publish_on_close: bool
    max_failed_share: float
    max_drop: float
    # Rows in a README table; the rest are in jobs.json and the web page (docs/outputs.md).
    readme_max_rows: int = 500
    # "location": DESIGN.md's key (company, title, location); "role": one row per company and role with
    # all its locations.
    dedup: str = "location"
    # Processes that render a big publish (JOBS_PUBLISH_WORKERS; 0 there: one per CPU, at most 4).
    publish_workers: int = 1
    # The rendered rows and feed entries kept between publishes (JOBS_PUBLISH_CACHE_ENABLED,
    # JOBS_PUBLISH_CACHE; see jobspiders/publish_cache.py); None: render every one.
    publish_cache: Path | None = None
    # Boards a spider crawls at once (JOBS_BOARDS_IN_FLIGHT; 0: 4 x CONCURRENT_REQUESTS).
    boards_in_flight: int = 64
    # Young-generation threshold of the garbage collector during crawls and publishes (JOBS_GC_THRESHOLD;
    # 0: Python's own); see jobspiders/gc_tuning.py.
    gc_threshold: int = YOUNG_THRESHOLD

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> JobsConfig:
        try:
            max_age = settings.getint("JOBS_MAX_AGE_DAYS", 15)
        except ValueError:
            raise ConfigError(
                f"JOBS_MAX_AGE_DAYS must be a whole number of days, got {settings.get('JOBS_MAX_AGE_DAYS')!r}"
            ) from None
        if max_age < 1:
            raise ConfigError(f"JOBS_MAX_AGE_DAYS must be at least 1, got {max_age}")
        max_failed = _share(settings, "JOBS_PUBLISH_MAX_FAILED_SHARE", 0.5)
        max_drop = _share(settings, "JOBS_PUBLISH_MAX_DROP", 0.5)
        max_rows = count_setting(settings, "JOBS_README_MAX_ROWS", 500, "rows (0 or more)")
        dedup = str(settings.get("JOBS_DEDUP") or "location")
        if dedup not in ("role", "location"):
            raise ConfigError(f"JOBS_DEDUP must be role or location, got {dedup!r}")
        workers = count_setting(settings, "JOBS_PUBLISH_WORKERS", 0, "processes (0: one per CPU)")
        in_flight = count_setting(settings, "JOBS_BOARDS_IN_FLIGHT", 0, "boards (0: 4 x CONCURRENT_REQUESTS)")
        gc_threshold = count_setting(
            settings, "JOBS_GC_THRESHOLD", YOUNG_THRESHOLD, "allocations (0: Python's own)"
        )
        output_dir = Path(settings.get("OUTPUT_DIR") or "output")
        publish_cache = None
        if settings.getbool("JOBS_PUBLISH_CACHE_ENABLED", True):
            publish_cache = Path(settings.get("JOBS_PUBLISH_CACHE") or output_dir / ".publish-cache")
        mirror = (settings.get("ATS_MIRROR") or "").strip().rstrip("/") or None
        if mirror and not mirror.startswith(("http://", "https://")):
            raise ConfigError(f"ATS_MIRROR must be an http(s) URL, got {mirror!r}")
        return cls(
            now=parse_now(settings.get("JOBS_NOW")),
            db=str(settings.get("JOBS_DB") or "output/jobs.db"),
            max_age_days=max_age,
            output_dir=output_dir,
            mirror=mirror,
            companies=settings.get("JOBS_COMPANIES") or None,
            publish_on_close=settings.getbool("JOBS_PUBLISH_ON_CLOSE", True),
            max_failed_share=max_failed,
            max_drop=max_drop,
            readme_max_rows=max_rows,
            dedup=dedup,
            publish_workers=workers or min(4, len(os.sched_getaffinity(0))),
            publish_cache=publish_cache,
            boards_in_flight=in_flight or 4 * max(1, settings.getint("CONCURRENT_REQUESTS", 16)),
            gc_threshold=gc_threshold,
        )


def count_setting(settings: BaseSettings, name: str, default: int, what: str) -> int:
    """A setting that is a whole number, 0 or more."""
    try:
        value = settings.getint(name, default)
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigError(f"{name} must be a whole number of {what}, got {settings.get(name)!r}")
    return value


def _share(settings: BaseSettings, name: str, default: float) -> float:
    try:
        value = settings.getfloat(name, default)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {settings.get(name)!r}")
    return value
