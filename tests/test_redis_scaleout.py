"""Scale-out on Redis: `scrapy enqueue`, then two worker processes share 42 boards of the stand-in and
write into one PostgreSQL store; the published list equals a single-process crawl's.

Needs Redis (``JOBS_TEST_REDIS_URL``) and PostgreSQL (``JOBS_TEST_POSTGRES_URL``); ``source .ci/services``
starts both. Without them the tests skip, except with ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import jobspiders.settings as project_settings
from jobspiders.redis_queue import boards_key, seen_key
from jobspiders.standin import Route, StandinServer
from tests.conftest import FIXTURES, NOW_ISO, ROOT
from tests.test_crawl_offline import GH, published, scrapy
from tests.test_store import fresh_postgres, require_server  # noqa: F401 (fixture)

EXTENSION = "jobspiders.redis_queue.RedisBoardQueue"
GOOD = (FIXTURES / "greenhouse" / "ugly.json").read_bytes()
TOKENS = [f"r{i:02d}" for i in range(42)]


def redis_server() -> str:
    def probe(url: str) -> None:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=5).ping()

    return require_server("Redis", "JOBS_TEST_REDIS_URL", probe)


def extension_settings() -> dict[str, str]:
    """EXTENSIONS with the Redis board queue, only while settings.py does not list it yet."""
    extensions = dict(project_settings.EXTENSIONS)
    if EXTENSION in extensions:
        return {}
    return {"EXTENSIONS": json.dumps({**extensions, EXTENSION: 550})}


def stat(log: str, name: str) -> int:
    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(found.group(1)) if found else 0


@pytest.fixture
def redis_client():
    import redis

    return redis.Redis.from_url(redis_server())


@pytest.fixture
def postgres_db(request):
    return request.getfixturevalue("fresh_postgres")


@pytest.fixture
def boards(tmp_path):
    registry = tmp_path / "companies.yml"
    registry.write_text(
        "".join(f"- {{name: R{i}, ats: greenhouse, token: {t}}}\n" for i, t in enumerate(TOKENS))
    )
    routes = [
        Route(url=GH.format(t), body=GOOD.replace(b"555000", f"{i + 10:02d}000".encode()), delay=0.1)
        for i, t in enumerate(TOKENS)
    ]
    with StandinServer(routes) as server:
        yield registry, server


def base_settings(server: StandinServer, out: Path, db: str) -> dict[str, str]:
    return {
        "ATS_MIRROR": server.base_url,
        "JOBS_NOW": NOW_ISO,
        "JOBS_DB": db,
        "OUTPUT_DIR": str(out),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": "2",
        "JOBS_PROGRESS_INTERVAL": "0",
    }


def start_worker(settings: dict[str, str]) -> subprocess.Popen[str]:
    options = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    return subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "greenhouse", *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_share_the_boards_and_publish_what_one_process_publishes(
    boards, redis_client, postgres_db, tmp_path
):
    registry, server = boards
    url = redis_server()
    prefix = f"test-{uuid.uuid4().hex[:8]}"

    # the reference: one process, the whole registry, SQLite
    single = base_settings(server, tmp_path / "single", str(tmp_path / "single.db"))
    started = time.monotonic()
    result = scrapy("crawl", "greenhouse", "-a", f"companies={registry}", settings=single)
    single_time = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-3000:]
    assert all(server.count(GH.format(t)) == 1 for t in TOKENS)

    redis_settings = {"REDIS_URL": url, "JOBS_REDIS_PREFIX": prefix, **extension_settings()}
    queued = scrapy(
        "enqueue",
        "--ats",
        "greenhouse",
        "-a",
        f"companies={registry}",
        settings={**redis_settings, "JOBS_DB": postgres_db, "JOBS_NOW": NOW_ISO},
    )
    assert queued.returncode == 0, queued.stderr[-3000:]
    assert f"greenhouse: {len(TOKENS)} boards" in queued.stdout
    assert redis_client.llen(boards_key(prefix, "greenhouse")) == len(TOKENS)

    worker_settings = {
        **base_settings(server, tmp_path / "workers", postgres_db),
        **redis_settings,
        "JOBS_PUBLISH_ON_CLOSE": "False",  # publish once, after every worker
    }
    started = time.monotonic()
    workers = [start_worker(worker_settings) for _ in range(2)]
    logs = [worker.communicate(timeout=300) for worker in workers]
    workers_time = time.monotonic() - started
    assert [worker.returncode for worker in workers] == [0, 0], [err[-3000:] for _, err in logs]
    done = [stat(err, "jobspiders/boards/done") for _, err in logs]
    new = [stat(err, "jobspiders/store/new") for _, err in logs]
    print(f"single process: {single_time:.1f}s; two workers: {workers_time:.1f}s, boards {done}, new {new}")

    # every board crawled exactly once, by one of the two workers, and both took part
    assert sum(done) == len(TOKENS)
    assert min(done) > 0
    assert all(server.count(GH.format(t)) == 2 for t in TOKENS), "once by the reference, once by a worker"
    assert redis_client.llen(boards_key(prefix, "greenhouse")) == 0
    # every job stored exactly once: new for exactly one worker, one row each
    import psycopg

    with psycopg.connect(postgres_db) as db:
        (jobs,) = db.execute("SELECT COUNT(*) FROM jobs").fetchone()
        (runs,) = db.execute("SELECT COUNT(*) FROM board_runs").fetchone()
    assert sum(new) == jobs == 2 * len(TOKENS)
    assert runs == len(TOKENS)

    publish_settings = {**worker_settings, "OUTPUT_DIR": str(tmp_path / "workers")}
    result = scrapy("publish", settings=publish_settings)
    assert result.returncode == 0, result.stderr[-3000:]
    assert published(publish_settings) == published(single)
    assert published(single)[0]["count"] == 2 * len(TOKENS)


def test_a_new_run_is_not_blocked_by_the_last_and_a_seed_is_taken_once_per_run(
    boards, redis_client, postgres_db, tmp_path
):
    registry, server = boards
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings = {
        **base_settings(server, tmp_path / "out", postgres_db),
        "REDIS_URL": redis_server(),
        "JOBS_REDIS_PREFIX": prefix,
        "JOBS_PUBLISH_ON_CLOSE": "False",
        **extension_settings(),
    }
    enqueue = ("enqueue", "--ats", "greenhouse", "-a", f"companies={registry}", "-a", "company=r00,r01,r02")
    for day in range(2):  # yesterday's run, then today's: the same boards are crawled again
        assert scrapy(*enqueue, settings=settings).returncode == 0
        key = boards_key(prefix, "greenhouse")
        redis_client.rpush(key, redis_client.lindex(key, 0))  # the same seed twice in one run
        worker = start_worker(settings)
        _, log = worker.communicate(timeout=300)
        assert worker.returncode == 0, log[-3000:]
        assert stat(log, "jobspiders/boards/done") == 3, day
        assert stat(log, "jobspiders/redis/duplicate") == 1
        assert server.count(GH.format("r00")) == day + 1
    seen = [k.decode() for k in redis_client.keys(seen_key(prefix, "greenhouse", "*"))]
    assert len(seen) == 2  # one dupefilter set per run
    assert all(0 < redis_client.ttl(k) <= 7 * 24 * 3600 for k in seen)  # and each expires


def test_enqueue_without_redis_exits_non_zero(tmp_path):
    result = scrapy(
        "enqueue",
        "--ats",
        "greenhouse",
        settings={
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "OUTPUT_DIR": str(tmp_path),
            "JOBS_DB": str(tmp_path / "j.db"),
        },
    )
    assert result.returncode == 3, result.stderr[-2000:]
    assert "Redis cannot be reached" in result.stderr


def test_worker_without_redis_fails_instead_of_crawling_everything(tmp_path):
    result = scrapy(
        "crawl",
        "greenhouse",
        settings={
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "OUTPUT_DIR": str(tmp_path),
            "JOBS_DB": str(tmp_path / "j.db"),
            **extension_settings(),
        },
    )
    assert result.returncode != 0
    assert "Redis cannot be reached" in result.stderr
