"""`scrapy detect`, `scrapy normalize` and `scrapy publish` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import NOW_ISO, ROOT


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_detect_prints_one_json_line_per_url():
    result = run(
        "detect",
        "https://job-boards.greenhouse.io/capitalrx/jobs/4012345006",
        "https://jobs.eu.lever.co/acme/4c1ebdec-0000-4bcf-82d4-000000000000",
        "not a url",
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {
        "url": "https://job-boards.greenhouse.io/capitalrx/jobs/4012345006",
        "ats": "greenhouse",
        "token": "capitalrx",
        "host": "job-boards.greenhouse.io",
        "site": None,
        "job_id": "4012345006",
    }
    assert (lines[1]["ats"], lines[1]["token"], lines[1]["host"]) == ("lever", "acme", "jobs.eu.lever.co")
    assert lines[2] == {
        "url": "not a url",
        "ats": None,
        "token": None,
        "host": None,
        "site": None,
        "job_id": None,
    }


def test_detect_reads_stdin():
    result = run("detect", "-", stdin="https://careers.smartrecruiters.com/BoschGroup\n\n")
    assert [json.loads(line)["token"] for line in result.stdout.splitlines()] == ["BoschGroup"]


def test_normalize_one_output_line_per_input_line_in_order():
    lines = [
        {
            "title": "Senior Backend-Entwickler (m/w/d) &amp; DevOps",
            "location": "München, Deutschland",
            "posted_at": "Posted 3 Days Ago",
            "remote": "hybrid",
            "employment_type": "Vollzeit",
            "description": "&lt;p&gt;Go &amp;amp; Kubernetes, 70.000 € – 85.000 € pro Jahr&lt;/p&gt;",
        },
        "this is not json",
        {"company": "no title"},
        {"title": "Account Executive", "posted_at": 1763510400000},
    ]
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    result = run("normalize", "-s", f"JOBS_NOW={NOW_ISO}", stdin=stdin)
    assert result.returncode == 0, result.stderr
    first, bad_json, no_title, last = (json.loads(line) for line in result.stdout.splitlines())
    assert first["title"] == "Senior Backend-Entwickler (m/w/d) & DevOps"
    assert first["workplace"] == "hybrid"
    assert first["posted_at"] == "2026-11-17T12:00:00Z"
    assert first["locations"][0]["country"] == "DE"
    assert first["salary"]["currency"] == "EUR"
    assert (first["salary"]["min"], first["salary"]["max"], first["salary"]["period"]) == (
        70000,
        85000,
        "year",
    )
    assert first["description"] == "Go & Kubernetes, 70.000 € – 85.000 € pro Jahr"
    assert {"go", "kubernetes"} <= set(first["skills"])
    assert "backend" in first["profiles"]
    assert first["seniority"] == "senior"
    assert "invalid JSON" in bad_json["error"]
    assert no_title == {"error": "line 3: missing title"}
    assert last["posted_at"] == "2025-11-19T00:00:00Z"
    assert last["profiles"] == []


def test_publish_with_an_empty_store_writes_an_empty_list(tmp_path):
    result = run(
        "publish",
        "-s",
        f"JOBS_DB={tmp_path / 'jobs.db'}",
        "-s",
        f"OUTPUT_DIR={tmp_path}",
        "-s",
        f"JOBS_NOW={NOW_ISO}",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "jobs.json").read_text())
    assert (data["count"], data["jobs"], data["generated_at"]) == (0, [], NOW_ISO)
    assert (
        "**Current Stats:** 0 jobs | 0% remote | 0 companies | Avg salary: n/a (0 postings)"
        in (tmp_path / "README.md").read_text()
    )


@pytest.mark.parametrize(
    ("command", "settings"),
    [("crawlall", []), ("enqueue", ["-s", "REDIS_URL=redis://127.0.0.1:1/0"])],  # names checked first
)
def test_unknown_ats_is_a_usage_error(command, settings, tmp_path):
    store = ["-s", f"JOBS_DB={tmp_path / 'jobs.db'}", "-s", f"OUTPUT_DIR={tmp_path}"]
    result = run(command, "--ats", "greenhouse,nope", *settings, *store)
    assert result.returncode != 0
    assert "unknown spider(s): nope; known: ashby, bamboohr" in result.stderr
    assert not (tmp_path / "jobs.json").exists()


def test_the_crawl_summary_counts_jobs_the_store_did_not_take():
    from jobspiders.commands.crawlall import summary_document

    stats = {
        "greenhouse": {"finish_reason": "finished", "jobspiders/postings/ok": 5, "jobspiders/store/new": 3},
        "lever": {"finish_reason": "finished", "jobspiders/store/new": 1, "jobspiders/store/failed": 2},
    }
    document = summary_document(stats, now=NOW_ISO, elapsed=1.0)
    assert document["ats"]["lever"]["jobs"]["not_stored"] == 2
    assert document["ats"]["greenhouse"]["jobs"]["not_stored"] == 0
    assert document["totals"]["jobs"]["not_stored"] == 2
    assert document["totals"]["jobs"]["new"] == 4
