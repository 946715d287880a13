"""End to end: real `scrapy` processes crawl boards served by the stand-in on 127.0.0.1, then publish."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from jobspiders.standin import Route, StandinServer, load_routes
from jobspiders.store import SqliteStore
from tests.conftest import DEMO, FIXTURES, NOW_ISO, ROOT

GH = "https://boards-api.greenhouse.io/v1/boards/{}/jobs?content=true&pay_transparency=true"
LEVER = "https://api.lever.co/v0/postings/{}?mode=json"
SR = "https://api.smartrecruiters.com/v1/companies/Acme/postings"

REGISTRY = """
- {name: Northwind, website: https://northwind.example/, ats: greenhouse, token: northwind}
- {name: Northwind, website: https://northwind.example/, ats: greenhouse, token: northwindreferral}
- {name: Broken Co, ats: greenhouse, token: broken}
- {name: Garbage Co, ats: greenhouse, token: garbage}
- {name: Gone Co, ats: greenhouse, token: gone}
- {name: Acme Lever, website: https://acme-lever.example/, ats: lever, token: acme}
- {name: Acme, website: https://acme.example/, ats: smartrecruiters, token: Acme}
"""


def fixture(ats: str, name: str) -> bytes:
    return (FIXTURES / ats / name).read_bytes()


def routes() -> list[Route]:
    referral = json.loads(fixture("greenhouse", "ugly.json"))
    # the referral board lists the same job under another id, posted later: one published row
    referral["jobs"] = [dict(referral["jobs"][1], id=6660002, first_published="2026-11-12T08:00:00Z")]
    return [
        Route(url=GH.format("northwind"), body=fixture("greenhouse", "ugly.json")),
        Route(url=GH.format("northwindreferral"), body=json.dumps(referral).encode()),
        Route(url=GH.format("broken"), status=500, body=b'{"status": 500}'),
        Route(
            url=GH.format("garbage"),
            body=b"<html><h1>We'll be right back</h1></html>",
            content_type="text/html",
        ),
        Route(url=LEVER.format("acme"), body=fixture("lever", "ugly.json")),
        Route(url=f"{SR}?limit=100&offset=0", body=fixture("smartrecruiters", "page1.json")),
        Route(url=f"{SR}?limit=100&offset=2", body=fixture("smartrecruiters", "page2.json")),
        Route(url=f"{SR}/744000000000001", body=fixture("smartrecruiters", "detail-744000000000001.json")),
        Route(url=f"{SR}/744000000000003", body=b'{"jobAd": {"sections": {}}}'),
        # 744000000000002 has no recorded detail (404): published from the list data
    ]


def offline_settings(server: StandinServer, tmp: Path, **overrides: str) -> dict[str, str]:
    """Settings of a crawl against the stand-in: frozen clock, store and outputs in ``tmp``, no delays."""
    return {
        "ATS_MIRROR": server.base_url,
        "JOBS_NOW": NOW_ISO,
        "JOBS_DB": str(tmp / "jobs.db"),
        "OUTPUT_DIR": str(tmp / "out"),
        "DOWNLOAD_DELAY": "0",
        "RETRY_TIMES": "1",
        "RETRY_BACKOFF_BASE": "0.05",
        **overrides,
    }


def scrapy(*args: str, settings: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    options = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args, *options],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def server():
    with StandinServer(routes()) as running:
        yield running


@pytest.fixture
def crawl_settings(server, tmp_path):
    return offline_settings(server, tmp_path, AUTOTHROTTLE_ENABLED="False")


def published(settings):
    out = Path(settings["OUTPUT_DIR"])
    return json.loads((out / "jobs.json").read_text()), (out / "README.md").read_text()


def test_crawl_each_ats_then_publish(server, crawl_settings, tmp_path):
    registry = tmp_path / "companies.yml"
    registry.write_text(REGISTRY)
    for ats in ("greenhouse", "lever", "smartrecruiters"):
        result = scrapy("crawl", ats, "-a", f"companies={registry}", settings=crawl_settings)
        assert result.returncode == 0, result.stderr[-3000:]
    gh_log = scrapy(
        "crawl",
        "greenhouse",
        "-a",
        f"companies={registry}",
        "-a",
        "company=broken,garbage",
        settings=crawl_settings,
    ).stderr
    assert "greenhouse:broken: HTTP 500" in gh_log
    assert "greenhouse:garbage: expected JSON, got an HTML page" in gh_log
    # the 500 board was retried, then given up; the others published
    assert server.count(GH.format("broken")) >= 2

    data, readme = published(crawl_settings)
    ids = [job["id"] for job in data["jobs"]]
    # Lever's Node.js job is a year old (stale); the referral copy collapses into the original;
    # the iOS/frontend style titles of the fixtures are not backend.
    assert "lever:acme:4c1ebdec-1111-4bcf-82d4-000000000001" not in ids
    assert "greenhouse:northwindreferral:6660002" not in ids
    assert {
        "greenhouse:northwind:5550001",
        "greenhouse:northwind:5550002",
        "smartrecruiters:Acme:744000000000001",
        "smartrecruiters:Acme:744000000000002",
        "smartrecruiters:Acme:744000000000003",
    } <= set(ids)
    assert data["count"] == len(ids) == len(set(ids))
    assert [job["posted_at"] for job in data["jobs"]] == sorted(
        (job["posted_at"] for job in data["jobs"]), reverse=True
    )
    by_id = {job["id"]: job for job in data["jobs"]}
    payments = by_id["greenhouse:northwind:5550001"]
    assert payments["title"] == "Senior Backend Engineer & SRE | Payments [Go]"
    assert payments["url"] == "https://job-boards.greenhouse.io/northwind/jobs/5550001"
    assert payments["workplace"] == "hybrid"
    assert payments["posted_at"] == "2026-11-18T13:30:00Z"
    assert payments["salary"]["currency"] == "EUR"
    assert (payments["salary"]["min"], payments["salary"]["max"]) == (70000, 110000)
    assert {"go", "postgresql"} <= set(payments["skills"])
    assert payments["location"] == "Berlin, Germany"
    assert by_id["smartrecruiters:Acme:744000000000002"]["workplace"] == "remote"
    assert by_id["smartrecruiters:Acme:744000000000001"]["salary"]["period"] == "year"
    assert "javascript" not in readme
    assert r"Senior Backend Engineer & SRE \| Payments \[Go\]" not in readme  # & is escaped too
    assert r"Senior Backend Engineer &amp; SRE \| Payments \[Go\]" in readme
    assert f"**Current Stats:** {data['count']} jobs" in readme


def test_closing_and_failed_boards(server, crawl_settings, tmp_path):
    registry = tmp_path / "companies.yml"
    registry.write_text(REGISTRY)
    args = ("crawl", "greenhouse", "-a", f"companies={registry}", "-a", "company=northwind")
    assert scrapy(*args, settings=crawl_settings).returncode == 0
    assert "greenhouse:northwind:5550002" in [job["id"] for job in published(crawl_settings)[0]["jobs"]]

    # the board breaks: nothing is closed, nothing lost
    server.add(Route(url=GH.format("northwind"), status=503, body=b"down"))
    assert scrapy(*args, settings=crawl_settings).returncode == 0
    assert "greenhouse:northwind:5550002" in [job["id"] for job in published(crawl_settings)[0]["jobs"]]

    # the board answers without job 5550002: it is closed
    board = json.loads(fixture("greenhouse", "ugly.json"))
    board["jobs"] = [job for job in board["jobs"] if not isinstance(job, dict) or job.get("id") != 5550002]
    server.add(Route(url=GH.format("northwind"), body=json.dumps(board).encode()))
    assert scrapy(*args, settings=crawl_settings).returncode == 0
    ids = [job["id"] for job in published(crawl_settings)[0]["jobs"]]
    assert "greenhouse:northwind:5550002" not in ids
    assert "greenhouse:northwind:5550001" in ids


def test_crawlall_demo(tmp_path):
    """The offline demo publishes, per ATS, what demo/responses/<ats>/expected.yml says."""
    manifests = sorted(DEMO.glob("responses/*/manifest.yml"))
    expected = {m.parent.name: yaml.safe_load((m.parent / "expected.yml").read_text()) for m in manifests}
    with StandinServer([route for manifest in manifests for route in load_routes(manifest)]) as server:
        settings = offline_settings(server, tmp_path)
        result = scrapy("crawlall", "-a", f"companies={DEMO / 'companies'}", settings=settings)
    assert result.returncode == 0, result.stderr[-3000:]
    data, readme = published(settings)
    assert data["count"] >= 20
    assert Counter(job["ats"] for job in data["jobs"]) == {ats: e["published"] for ats, e in expected.items()}
    summary = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.split()}
    for ats, values in expected.items():
        assert int(summary[ats][6]) == values["postings"], ats  # the "postings" column of the summary
    assert readme.count("\n| **") == data["count"]


@pytest.mark.parametrize(
    ("args", "settings", "message"),
    [
        (("crawlall",), {"JOBS_NOW": "yesterday"}, "JOBS_NOW must be an ISO 8601 instant"),
        (("crawlall", "-a", "companies=/nonexistent.yml"), {}, "cannot read registry"),
        (("publish",), {"JOBS_MAX_AGE_DAYS": "soon"}, "JOBS_MAX_AGE_DAYS must be a whole number"),
        (("publish",), {"JOBS_DB": "postgresql://db/jobs"}, "PostgreSQL store is not available"),
        (("publish", "--profile", "astrology"), {}, "unknown profile 'astrology'"),
        (("publish",), {"JOBS_DEDUP": "fuzzy"}, "JOBS_DEDUP must be role or location"),
    ],
)
def test_bad_configuration_exit_code(args, settings, message, tmp_path):
    defaults = {"OUTPUT_DIR": str(tmp_path / "out"), "JOBS_DB": str(tmp_path / "j.db")}
    result = scrapy(*args, settings={**defaults, **settings})
    assert result.returncode == 3, result.stderr[-2000:]
    assert message in result.stderr


def test_a_board_corrects_an_inventory_name(server, crawl_settings, tmp_path):
    """Greenhouse states its company name: the next crawl publishes it instead of the inventory's slug."""
    registry = tmp_path / "companies.yml"
    registry.write_text(
        "- {name: northwind-inc, ats: greenhouse, token: northwind, source: stapply/greenhouse.csv}\n"
        "- {name: Curated Name, ats: greenhouse, token: northwindreferral, source: curated}\n"
    )
    args = ("crawl", "greenhouse", "-a", f"companies={registry}")
    assert scrapy(*args, settings=crawl_settings).returncode == 0
    assert {job["company"] for job in published(crawl_settings)[0]["jobs"]} == {
        "northwind-inc",
        "Curated Name",
    }
    assert scrapy(*args, settings=crawl_settings).returncode == 0
    companies = {job["board"]: job["company"] for job in published(crawl_settings)[0]["jobs"]}
    assert companies == {"northwind": "Northwind", "northwindreferral": "Curated Name"}


def test_boards_in_flight_are_capped_and_every_board_still_finishes(server, crawl_settings, tmp_path):
    """JOBS_BOARDS_IN_FLIGHT=1: one board at a time (its retries included), and every board ends."""
    registry = tmp_path / "companies.yml"
    registry.write_text(
        "".join(
            f"- {{name: {token}, ats: greenhouse, token: {token}}}\n"
            for token in ("broken", "northwind", "garbage", "northwindreferral")
        )
    )
    settings = {**crawl_settings, "JOBS_BOARDS_IN_FLIGHT": "1", "CONCURRENT_REQUESTS": "8"}
    result = scrapy("crawl", "greenhouse", "-a", f"companies={registry}", settings=settings)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "'jobspiders/boards/done': 4" in result.stderr
    assert "'gc/collections/young': " in result.stderr  # GcThreshold ran (its stats are dumped)
    boards = [url.split("/boards/")[1].split("/")[0] for _, url in server.requests]
    assert boards == ["broken", "broken", "northwind", "garbage", "northwindreferral"]  # one retry of 500
    bad = scrapy("crawlall", settings={**settings, "JOBS_BOARDS_IN_FLIGHT": "many"})
    assert bad.returncode == 3
    assert "JOBS_BOARDS_IN_FLIGHT must be a whole number" in bad.stderr


def test_jobs_the_store_refuses_are_reported_and_the_crawl_finishes(server, crawl_settings, tmp_path):
    registry = tmp_path / "companies.yml"
    registry.write_text(REGISTRY)
    SqliteStore(crawl_settings["JOBS_DB"]).close()  # the schema, then a store that takes no new job
    with sqlite3.connect(crawl_settings["JOBS_DB"]) as db:
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    args = ("crawlall", "--ats", "greenhouse", "-a", f"companies={registry}", "-a", "company=northwind")
    result = scrapy(*args, settings=crawl_settings)
    assert result.returncode == 0, result.stderr[-3000:]  # the crawl finished; the lists are published
    summary = json.loads((Path(crawl_settings["OUTPUT_DIR"]) / "crawl-summary.json").read_text())
    unstored = summary["totals"]["jobs"]["not_stored"]
    assert unstored > 0
    assert summary["totals"]["jobs"]["new"] == 0
    assert f"{unstored} jobs were not written to the store" in result.stderr
    assert re.search(
        r"ERROR: Store .*: a batch of \d+ jobs \(greenhouse:northwind\) was not written", result.stderr
    )
    assert "disk full" in result.stderr
    assert published(crawl_settings)[0]["count"] == 0


def test_a_board_answering_the_same_is_replayed_and_publishes_the_same(server, crawl_settings, tmp_path):
    """The second crawl replays the clean board's answer (the ugly one, with broken postings, is read
    again): the same feed lines and the same published list; a changed answer is read again."""
    registry = tmp_path / "companies.yml"
    registry.write_text(REGISTRY)
    args = ("crawl", "greenhouse", "-a", f"companies={registry}", "-a", "company=northwind,northwindreferral")
    feeds = Path(crawl_settings["OUTPUT_DIR"]) / "feeds"

    def crawl() -> tuple[str, list[dict], bytes]:
        for old in feeds.glob("*.jsonl"):
            old.unlink()
        result = scrapy(*args, settings=crawl_settings)
        assert result.returncode == 0, result.stderr[-3000:]
        (feed,) = feeds.glob("greenhouse-*.jsonl")
        lines = sorted((json.loads(line) for line in feed.read_text().splitlines()), key=lambda j: j["id"])
        return result.stderr, lines, (Path(crawl_settings["OUTPUT_DIR"]) / "jobs.json").read_bytes()

    log1, feed1, list1 = crawl()
    assert "jobspiders/boards/replayed" not in log1
    log2, feed2, list2 = crawl()
    assert "'jobspiders/boards/replayed': 1" in log2
    assert "'jobspiders/incremental/unchanged': 3" in log2  # two from northwind, read and found unchanged
    assert (feed2, list2) == (feed1, list1)
    assert "greenhouse:northwindreferral:6660002" in {line["id"] for line in feed2}

    referral = json.loads(fixture("greenhouse", "ugly.json"))
    referral["jobs"] = [dict(referral["jobs"][1], id=6660002, title="Backend Developer (Kotlin)")]
    server.add(Route(url=GH.format("northwindreferral"), body=json.dumps(referral).encode()))
    log3, feed3, _ = crawl()
    assert "jobspiders/boards/replayed" not in log3
    assert "Backend Developer (Kotlin)" in {line["title"] for line in feed3}
