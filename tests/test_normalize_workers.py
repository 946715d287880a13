"""Normalizing in worker processes (jobspiders/workers.py): the same fields as in-process, nothing lost
when a worker dies or a batch fails, small crawls never start a worker, and a real crawl publishes the
same list with and without workers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from jobspiders import workers
from jobspiders.config import ConfigError
from jobspiders.items import JobItem, RawPosting
from jobspiders.normalize.posting import normalize_posting
from jobspiders.pipelines.normalize import NormalizePipeline
from jobspiders.spiders.greenhouse import GreenhouseSpider
from jobspiders.workers import NormalizeWorkers
from tests.conftest import NOW, NOW_ISO, ROOT
from tests.test_crawl_offline import scrapy

sys.path.insert(0, str(ROOT / "benchmarks"))

import normalize as normalize_bench
import workload as wl
from _server import FastServer

UGLY: list[Any] = [
    {},
    {"title": "Sr. Backend Engineer (Go) &amp;amp; SRE", "location": ["Berlin, Berlin, Germany", "Remote"]},
    {"title": None, "description": "<p>Python &lt;3 &nbsp; Django</p><script>x()</script>", "posted_at": 0},
    {"title": 12345, "salary": {"min": "90000", "max": None, "currency": "usd"}, "remote": "hybrid"},
    {"title": "Ingeniero Backend", "posted_at": "Publicado hace 3 días", "salary": "45.000 € - 55.000 €"},
    {"title": "Backend\u200b Developer\x00", "description": "\ud800 lone surrogate", "posted_at": 1.7e12},
]


def realistic(count: int) -> list[dict[str, Any]]:
    return [*normalize_bench.inputs(count, seed=3), *UGLY]


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, outcome: str, n: int) -> None:
        self.counts[outcome] += n


@pytest.fixture
def tally() -> Tally:
    return Tally()


@pytest.fixture(autouse=True)
def no_pool_left() -> Iterator[None]:
    yield
    assert workers._shared == [None, 0], "a pool outlived its users"


async def normalize_all(pool: NormalizeWorkers, raws: list[Any]) -> list[Any]:
    # a lost posting would wait for ever: fail instead
    return await asyncio.wait_for(
        asyncio.gather(*(pool.normalize(raw) for raw in raws), return_exceptions=True), timeout=60
    )


def test_workers_give_the_fields_normalize_posting_gives(tally):
    raws = realistic(150)

    async def run() -> list[Any]:
        pool = NormalizeWorkers(1, NOW, tally, batch_size=16)
        assert pool.active
        try:
            return await normalize_all(pool, raws)
        finally:
            pool.close()

    assert asyncio.run(run()) == [normalize_posting(raw, NOW) for raw in raws]
    assert tally.counts == {"in_worker": len(raws)}


def test_a_partial_batch_goes_after_the_delay(tally):
    async def run() -> dict[str, Any]:
        pool = NormalizeWorkers(1, NOW, tally, batch_size=1000, batch_delay=0.01)
        try:
            return await asyncio.wait_for(pool.normalize(UGLY[1]), timeout=60)
        finally:
            pool.close()

    assert asyncio.run(run()) == normalize_posting(UGLY[1], NOW)
    assert tally.counts == {"in_worker": 1}


def test_a_dead_worker_loses_nothing_and_the_rest_is_normalized_here(tally, caplog):
    raws = realistic(60)

    async def run() -> tuple[list[Any], list[Any]]:
        pool = NormalizeWorkers(1, NOW, tally, batch_size=8)
        try:
            first = await normalize_all(pool, raws[:8])
            for process in list(pool.pool._processes.values()):  # the OOM killer, say
                os.kill(process.pid, signal.SIGKILL)
                process.join(10)
            rest = await normalize_all(pool, raws[8:])
            assert not pool.active
            return first, rest
        finally:
            pool.close()

    with caplog.at_level(logging.WARNING, logger="jobspiders.workers"):
        first, rest = asyncio.run(run())
    assert first + rest == [normalize_posting(raw, NOW) for raw in raws]
    assert tally.counts["in_worker"] == 8
    assert caplog.text.count("The normalize worker died or cannot start") == 1
    assert "failed on a batch" not in caplog.text  # a dead worker is not a bad batch


def test_a_worker_that_cannot_start_loses_nothing(tally, caplog, monkeypatch):
    raws = realistic(40)

    async def run() -> list[Any]:
        # one partial batch: sent by the timer, where an exception would have reached no posting
        pool = NormalizeWorkers(1, NOW, tally, batch_size=1000, batch_delay=0.01)

        def cannot_start(*args: Any) -> None:
            raise OSError("[Errno 12] Cannot allocate memory")  # e.g. fork/exec of the worker failed

        monkeypatch.setattr(pool.pool, "submit", cannot_start)
        try:
            return await normalize_all(pool, raws)
        finally:
            pool.close()

    with caplog.at_level(logging.WARNING, logger="jobspiders.workers"):
        assert asyncio.run(run()) == [normalize_posting(raw, NOW) for raw in raws]
    assert caplog.text.count("cannot start") == 1
    assert not tally.counts


class Exploding(Mapping):
    """A raw posting that cannot be sent to a worker (a local class) and raises when read."""

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def get(self, key: str, default: Any = None) -> Any:
        raise RuntimeError(f"unreadable {key}")


def test_a_failed_batch_is_redone_here_posting_by_posting(tally, caplog):
    raws = [UGLY[1], Exploding(), UGLY[4]]

    async def run() -> list[Any]:
        pool = NormalizeWorkers(1, NOW, tally, batch_size=3)
        try:
            return await normalize_all(pool, raws)
        finally:
            pool.close()

    with caplog.at_level(logging.WARNING, logger="jobspiders.workers"):
        good, bad, other = asyncio.run(run())
    # the other postings of the batch are normalized; the bad one raises what it raises without workers
    assert good == normalize_posting(UGLY[1], NOW)
    assert other == normalize_posting(UGLY[4], NOW)
    assert isinstance(bad, RuntimeError)
    assert str(bad) == "unreadable title"
    assert tally.counts == {"worker_failed": 3}
    assert "A normalize worker failed on a batch of 3 postings" in caplog.text


def test_without_a_pool_normalizes_here(tally, monkeypatch, caplog):
    def no_semaphores(processes: int) -> None:
        raise OSError("[Errno 38] Function not implemented")

    monkeypatch.setattr(workers, "_acquire_pool", no_semaphores)

    async def run() -> dict[str, Any]:
        pool = NormalizeWorkers(1, NOW, tally)
        assert not pool.active
        return await pool.normalize(UGLY[2])

    with caplog.at_level(logging.WARNING, logger="jobspiders.workers"):
        assert asyncio.run(run()) == normalize_posting(UGLY[2], NOW)
    assert "Cannot start normalize workers" in caplog.text
    assert not tally.counts


AFFINITY = len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        (None, AFFINITY),  # no cgroup v2
        ("max 100000\n", AFFINITY),  # no quota
        ("100000 100000\n", 1),  # --cpus=1
        ("150000 100000\n", 1),  # --cpus=1.5: one whole CPU
        ("50000 100000\n", 1),  # a Kubernetes limit of 500m
        ("400000 100000\n", min(AFFINITY, 4)),
        ("garbage\n", AFFINITY),
    ],
)
def test_usable_cpus(cpu_max, expected, tmp_path):
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    assert workers.usable_cpus(path) == expected


@pytest.mark.parametrize(
    ("value", "cpus", "expected"),
    [
        ("0", 4, 0),
        ("2", 1, 2),
        (3, 4, 3),
        ("auto", 2, 1),
        ("auto", 8, 1),
        ("AUTO", 1, 0),
        (None, 2, 1),
        (None, 1, 0),
    ],
)
def test_worker_count(value, cpus, expected, monkeypatch):
    monkeypatch.setattr(workers, "usable_cpus", lambda: cpus)
    crawler = get_crawler(settings_dict={} if value is None else {"JOBS_NORMALIZE_WORKERS": value})
    assert workers.worker_count(crawler.settings) == expected


@pytest.mark.parametrize("value", ["-1", "many", "1.5"])
def test_bad_worker_count_is_a_configuration_error(value):
    crawler = get_crawler(settings_dict={"JOBS_NORMALIZE_WORKERS": value})
    with pytest.raises(ConfigError, match="JOBS_NORMALIZE_WORKERS must be auto or a whole number"):
        workers.worker_count(crawler.settings)


def posting(n: int, values: Mapping[str, Any]) -> JobItem:
    raw = RawPosting(**{k: v for k, v in values.items() if k in RawPosting.__annotations__})
    return JobItem(
        id=f"greenhouse:acme:{n}",
        ats="greenhouse",
        board="acme",
        job_id=str(n),
        company="Acme",
        title="x",
        url=f"https://boards.greenhouse.io/acme/jobs/{n}",
        raw=raw,
    )


def test_the_pipeline_starts_workers_after_so_many_postings():
    crawler = get_crawler(
        GreenhouseSpider,
        settings_dict={
            "JOBS_NOW": NOW_ISO,
            "JOBS_NORMALIZE_WORKERS": "1",
            "JOBS_NORMALIZE_WORKERS_AFTER": "5",
        },
    )
    crawler.stats.open_spider()
    pipe = NormalizePipeline(crawler)
    raws = realistic(6)
    items = [posting(n, raw) for n, raw in enumerate(raws)]

    async def run() -> list[JobItem]:
        try:
            return [await pipe.process_item(item) for item in items[:5]] + list(
                await asyncio.gather(*(pipe.process_item(item) for item in items[5:]))
            )
        finally:
            pipe.close_spider()

    done = asyncio.run(run())
    stats = crawler.stats.get_stats()
    assert stats["jobspiders/normalize/ok"] == 12
    assert stats["jobspiders/normalize/in_worker"] == 7  # the first five in-process
    in_process = NormalizePipeline(get_crawler(GreenhouseSpider, settings_dict={"JOBS_NOW": NOW_ISO}))
    for item, expected in zip(done, [posting(n, raw) for n, raw in enumerate(raws)], strict=True):
        expected = asyncio.run(in_process.process_item(expected))
        assert (item.title, item.location, item.salary, item.description, item.posted_at) == (
            expected.title,
            expected.location,
            expected.salary,
            expected.description,
            expected.posted_at,
        )


def crawlall(server: FastServer, registry: Path, out: Path, **settings: str) -> tuple[dict, str]:
    values = {
        "ATS_MIRROR": server.base_url,
        "JOBS_NOW": wl.NOW_ISO,
        "JOBS_DB": str(out / "jobs.db"),
        "OUTPUT_DIR": str(out),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_SLOTS": json.dumps({"apply.workable.com": {"concurrency": 8, "delay": 0}}),
        **settings,
    }
    result = scrapy("crawlall", "--ats", ",".join(wl.ATS), "-a", f"companies={registry}", settings=values)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((out / "jobs.json").read_text()), result.stderr


def stat(log: str, name: str) -> int:
    return sum(int(n) for n in re.findall(rf"'jobspiders/normalize/{name}': (\d+)", log))


def test_a_crawl_with_workers_publishes_what_a_crawl_without_them_does(tmp_path):
    load = wl.build(14, 12, seed=5, registry=tmp_path / "companies.yml")
    with FastServer(load.lookup) as server:
        with_workers, log = crawlall(
            server,
            tmp_path / "companies.yml",
            tmp_path / "workers",
            JOBS_NORMALIZE_WORKERS="1",
            JOBS_NORMALIZE_WORKERS_AFTER="0",
        )
        without, plain_log = crawlall(
            server, tmp_path / "companies.yml", tmp_path / "plain", JOBS_NORMALIZE_WORKERS="0"
        )
        small, small_log = crawlall(server, tmp_path / "companies.yml", tmp_path / "small")  # the defaults
    assert stat(log, "ok") > 100
    assert stat(log, "in_worker") == stat(log, "ok")
    # the defaults: under 200 postings a spider, no worker
    assert stat(plain_log, "in_worker") == stat(small_log, "in_worker") == 0
    assert with_workers["count"] == without["count"] == small["count"] > 0
    assert with_workers["jobs"] == without["jobs"] == small["jobs"]
