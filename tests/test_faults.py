"""Misbehaving boards, crawled for real against a fault-injecting stand-in: each ends as a per-board
outcome, none stops the others, nothing good is lost, and publishing refuses to collapse the list."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jobspiders.standin import Route, StandinServer
from tests.conftest import FIXTURES, ROOT
from tests.test_crawl_offline import GH, SR, offline_settings, published, scrapy

GOOD = (FIXTURES / "greenhouse" / "ugly.json").read_bytes()
HUGE = b'{"jobs": [' + b",".join([b'{"id": 1, "title": "' + b"x" * 1000 + b'"}'] * 30_000) + b"]}"
LATIN1 = json.dumps(
    {
        "jobs": [
            {
                "id": 77,
                "title": "Backend-Entwickler für Zahlungen",
                "absolute_url": "https://job-boards.greenhouse.io/latin1/jobs/77",
                "first_published": "2026-11-18T09:00:00Z",
            }
        ]
    },
    ensure_ascii=False,
).encode("latin-1")

# board token: (routes, expected outcome, expected reason start)
FAULTS: dict[str, tuple[list[Route], str, str | None]] = {
    "good": ([Route(url=GH.format("good"), body=GOOD)], "ok", None),
    "flaky": (
        [
            Route(url=GH.format("flaky"), body=GOOD),
            Route(url=GH.format("flaky"), status=503, body=b"busy", times=1),
        ],
        "ok",
        None,
    ),
    "ratelimited": (
        [
            Route(url=GH.format("ratelimited"), body=GOOD),
            Route(url=GH.format("ratelimited"), status=429, headers={"Retry-After": "2"}, body=b"", times=1),
        ],
        "ok",
        None,
    ),
    "ratelimitedlong": (
        [Route(url=GH.format("ratelimitedlong"), status=429, headers={"Retry-After": "3600"})],
        "failed",
        "HTTP 429",
    ),
    "down": ([Route(url=GH.format("down"), status=500, body=b"<h1>oops</h1>")], "failed", "HTTP 500"),
    "gone": ([], "missing", "HTTP 404"),
    "empty": ([Route(url=GH.format("empty"), body=b'{"jobs": [], "meta": {"total": 0}}')], "empty", None),
    "errorpage": (
        [
            Route(
                url=GH.format("errorpage"),
                body=b"<!DOCTYPE html><title>Error</title>",
                content_type="text/html",
            )
        ],
        "failed",
        "expected JSON, got an HTML page",
    ),
    "truncatedjson": (
        [Route(url=GH.format("truncatedjson"), body=GOOD[: len(GOOD) // 2])],
        "failed",
        "expected JSON, got invalid JSON",
    ),
    "wrongshape": ([Route(url=GH.format("wrongshape"), body=b'[{"id": 1}]')], "failed", "unexpected shape"),
    "jobsobject": (
        [Route(url=GH.format("jobsobject"), body=b'{"jobs": {"id": 1, "title": "x"}}')],
        "failed",
        "expected a list of postings, got dict",
    ),
    "allinvalid": (
        [Route(url=GH.format("allinvalid"), body=b'{"jobs": [{"name": "x"}, {"name": "y"}]}')],
        "failed",
        "all 2 postings invalid",
    ),
    "huge": ([Route(url=GH.format("huge"), body=HUGE)], "failed", "DownloadCancelledError"),
    "loop": (
        [Route(url=GH.format("loop"), status=302, headers={"Location": GH.format("loop")})],
        "failed",
        "IgnoreRequest: max redirections reached",
    ),
    "latin1": ([Route(url=GH.format("latin1"), body=LATIN1)], "ok", None),
    "slow": (
        [Route(url=GH.format("slow"), body=GOOD, delay=6)],
        "failed",
        "DownloadTimeoutError: Getting https://boards-api",
    ),
    "dropped": ([Route(url=GH.format("dropped"), fault="drop")], "failed", "DownloadFailedError"),
    "cut": ([Route(url=GH.format("cut"), body=GOOD, fault="truncate")], "failed", "ResponseDataLossError"),
}


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    registry = tmp / "companies.yml"
    registry.write_text(
        "".join(f"- {{name: {token.title()}, ats: greenhouse, token: {token}}}\n" for token in FAULTS)
    )
    with StandinServer([route for routes, _, _ in FAULTS.values() for route in routes]) as server:
        settings = offline_settings(
            server,
            tmp,
            AUTOTHROTTLE_ENABLED="False",
            RETRY_BACKOFF_MAX="5",
            DOWNLOAD_TIMEOUT="2",
            # most of these boards fail on purpose: publish anyway, the refusal has its own test
            JOBS_PUBLISH_MAX_FAILED_SHARE="1",
        )
        started = time.monotonic()
        result = scrapy("crawl", "greenhouse", "-a", f"companies={registry}", settings=settings)
        elapsed = time.monotonic() - started
        requests = list(zip(server.times, server.requests, strict=True))
    health = json.loads((tmp / "out" / "health.json").read_text())
    return result, health["ats"]["greenhouse"], requests, settings, elapsed


@pytest.mark.parametrize("token", sorted(FAULTS))
def test_each_fault_ends_as_a_board_outcome(fault_crawl, token):
    result, health, _, _, _ = fault_crawl
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    _, outcome, reason = FAULTS[token]
    board = health["boards"][token]
    assert board["outcome"] == outcome, board
    if reason:
        assert board["reason"].startswith(reason), board
    if outcome != "ok":
        assert f"greenhouse:{token}: board {outcome}" in result.stderr


def test_good_boards_still_publish(fault_crawl):
    _, health, _, settings, _ = fault_crawl
    assert health["finish_reason"] == "finished"
    data, _ = published(settings)
    boards = {job["board"] for job in data["jobs"]}
    assert boards == {"good", "flaky", "ratelimited", "latin1"}
    latin1 = next(job for job in data["jobs"] if job["board"] == "latin1")
    assert latin1["title"].startswith("Backend-Entwickler f")  # the bad byte is replaced, not fatal
    assert json.loads(json.dumps(data)) == data


def test_retries_wait_and_honour_retry_after(fault_crawl):
    _, _, requests, _, _ = fault_crawl

    def times(token):
        return [at for at, (_, url) in requests if url == GH.format(token)]

    first, second = times("ratelimited")
    assert second - first >= 1.9  # Retry-After: 2
    assert len(times("ratelimitedlong")) == 1  # an hour is not waited for
    assert len(times("down")) == 2  # RETRY_TIMES=1
    assert len(times("good")) == 1


def test_huge_response_is_cancelled_not_loaded(fault_crawl):
    result, health, _, _, _ = fault_crawl
    assert len(HUGE) > 30_000_000
    assert "larger than download max size" in health["boards"]["huge"]["reason"]
    assert "MemoryError" not in result.stderr


def test_partial_board_closes_nothing(tmp_path):
    page_1 = (FIXTURES / "smartrecruiters" / "page1.json").read_bytes()
    detail = (FIXTURES / "smartrecruiters" / "detail-744000000000001.json").read_bytes()
    registry = tmp_path / "companies.yml"
    registry.write_text("- {name: Acme, ats: smartrecruiters, token: Acme}\n")
    routes = [
        Route(url=f"{SR}?limit=100&offset=0", body=page_1),
        Route(
            url=f"{SR}?limit=100&offset=2", body=(FIXTURES / "smartrecruiters" / "page2.json").read_bytes()
        ),
        Route(url=f"{SR}/744000000000001", body=detail),
        Route(url=f"{SR}/744000000000002", body=b"{}"),
        Route(url=f"{SR}/744000000000003", body=b"{}"),
    ]
    with StandinServer(routes) as server:
        settings = offline_settings(server, tmp_path, RETRY_TIMES="0")
        args = ("crawl", "smartrecruiters", "-a", f"companies={registry}")
        assert scrapy(*args, settings=settings).returncode == 0
        assert published(settings)[0]["count"] == 3
        # page 2 breaks: the board failed half way; the jobs of page 2 stay open, page 1 is refreshed
        server.add(Route(url=f"{SR}?limit=100&offset=2", status=502, body=b"bad gateway"))
        result = scrapy(*args, settings={**settings, "JOBS_PUBLISH_MAX_FAILED_SHARE": "1"})
        assert "smartrecruiters:Acme: board failed" in result.stderr
    data, _ = published(settings)
    assert data["count"] == 3
    with sqlite3.connect(settings["JOBS_DB"]) as db:
        assert db.execute("SELECT COUNT(*) FROM jobs WHERE closed_at IS NOT NULL").fetchone() == (0,)


def test_publish_refuses_when_most_boards_fail_and_keeps_the_last_good_list(tmp_path):
    registry = tmp_path / "companies.yml"
    registry.write_text("".join(f"- {{name: B{i}, ats: greenhouse, token: b{i}}}\n" for i in range(3)))
    routes = [
        Route(url=GH.format(f"b{i}"), body=GOOD.replace(b"555000", f"55{i}00".encode())) for i in range(3)
    ]
    with StandinServer(routes) as server:
        settings = offline_settings(server, tmp_path, RETRY_TIMES="0")
        assert (
            scrapy(
                "crawlall", "--ats", "greenhouse", "-a", f"companies={registry}", settings=settings
            ).returncode
            == 0
        )
        good_readme = (tmp_path / "out" / "README.md").read_text()
        for i in (1, 2):
            server.add(Route(url=GH.format(f"b{i}"), status=500))
        result = scrapy("crawlall", "--ats", "greenhouse", "-a", f"companies={registry}", settings=settings)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "2 of 3 boards failed" in result.stderr
    assert (tmp_path / "out" / "README.md").read_text() == good_readme
    forced = scrapy("publish", "--force", settings=settings)
    assert forced.returncode == 0


def test_sigkill_mid_crawl_leaves_a_consistent_store(tmp_path):
    """Kill a crawl while it writes; the store stays consistent and the next crawl and publish work."""
    tokens = [f"k{i}" for i in range(40)]
    registry = tmp_path / "companies.yml"
    registry.write_text(
        "".join(f"- {{name: K{i}, ats: greenhouse, token: {t}}}\n" for i, t in enumerate(tokens))
    )
    routes = [
        Route(url=GH.format(t), body=GOOD.replace(b"555000", f"{i + 10:02d}000".encode()), delay=0.05)
        for i, t in enumerate(tokens)
    ]
    with StandinServer(routes) as server:
        settings = offline_settings(server, tmp_path, CONCURRENT_REQUESTS_PER_DOMAIN="1")
        options = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
        crawl = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "greenhouse", "-a", f"companies={registry}", *options],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while len(server.requests) < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=30)
        assert crawl.returncode == -signal.SIGKILL
        with sqlite3.connect(settings["JOBS_DB"]) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            stored_before = db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
        assert stored_before > 0  # what was committed before the kill is there
        again = scrapy("crawl", "greenhouse", "-a", f"companies={registry}", settings=settings)
        assert again.returncode == 0, again.stderr[-2000:]
    data, _ = published(settings)
    assert data["count"] == 2 * len(tokens)
    with sqlite3.connect(settings["JOBS_DB"]) as db:
        assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] >= stored_before
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_no_feed_is_left_behind_as_invalid_json(fault_crawl):
    _, _, _, settings, _ = fault_crawl
    for feed in Path(settings["OUTPUT_DIR"], "feeds").glob("*.jsonl"):
        for line in feed.read_text().splitlines():
            json.loads(line)
