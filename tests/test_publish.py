from __future__ import annotations

import dataclasses
import json
import re

import pytest
from scrapy.settings import Settings

from jobspiders.config import JobsConfig
from jobspiders.publish import (
    PageRow,
    PublishRefused,
    collapse_duplicates,
    compute_stats,
    countries_by_name,
    md,
    md_link,
    publish,
    skills_by_count,
    write_atomic,
)
from jobspiders.store import SqliteStore

NOW = "2026-11-20T12:00:00Z"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Backend Engineer | Payments", r"Backend Engineer \| Payments"),
        ("[Go] Engineer", r"\[Go\] Engineer"),
        ("<script>alert(1)</script>", r"&lt;script&gt;alert\(1\)&lt;/script&gt;"),
        ("`rm -rf` dev", r"\`rm -rf\` dev"),
        ("line one\nline two\r\n\tthree", "line one line two three"),
        ("R&D Engineer", "R&amp;D Engineer"),
        ("![img](https://x.example/a.png)", r"\!\[img\]\(https&#8203;://x.example/a.png\)"),
        ("see www.evil.example", "see www&#8203;.evil.example"),
        ("mail bob@evil.example", "mail bob&#8203;@evil.example"),
        ("zero\u200bwidth\x00nul", "zero width nul"),
        ("*bold* _it_ ~strike~ # head", r"\*bold\* \_it\_ \~strike\~ \# head"),
        (None, ""),
        (42, "42"),
    ],
)
def test_md_escapes_board_text(text, escaped):
    assert md(text) == escaped


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://jobs.lever.co/acme/1", "[Job](https://jobs.lever.co/acme/1)"),
        ("https://x.example/a(b)|c<d>", "[Job](https://x.example/a%28b%29%7Cc%3Cd%3E)"),
        ("https://x.example/a b", "Job"),
        ("javascript:alert(1)", "Job"),
        ("JavaScript:alert(1)", "Job"),
        ("data:text/html,hi", "Job"),
        ("/relative/path", "Job"),
        (None, "Job"),
    ],
)
def test_links_only_for_http_urls(url, expected):
    assert md_link("Job", url) == expected


def record(job_id, **fields):
    base = {
        "id": f"greenhouse:acme:{job_id}",
        "ats": "greenhouse",
        "board": "acme",
        "job_id": job_id,
        "company": "Acme",
        "company_url": "https://acme.example/",
        "title": "Backend Engineer",
        "url": f"https://job-boards.greenhouse.io/acme/jobs/{job_id}",
        "location": "Berlin, Germany",
        "locations": [{"city": "Berlin", "region": None, "country": "DE"}],
        "workplace": "onsite",
        "employment_type": "full-time",
        "seniority": None,
        "posted_at": "2026-11-15T09:00:00Z",
        "date_source": "ats",
        "salary": None,
        "skills": ["go"],
        "profiles": ["backend"],
        "description": "text",
        "dedup_key": f"acme|backend engineer|{job_id}",
    }
    return {**base, **fields}


def test_collapse_keeps_earliest_then_smallest_id():
    rows = [
        record("b", dedup_key="k", posted_at="2026-11-15T00:00:00Z"),
        record("a", dedup_key="k", posted_at="2026-11-15T00:00:00Z"),
        record("c", dedup_key="k", posted_at="2026-11-14T00:00:00Z"),
        record("d", dedup_key="other"),
    ]
    assert sorted(job["id"] for job in collapse_duplicates(rows)) == [
        "greenhouse:acme:c",
        "greenhouse:acme:d",
    ]
    assert [job["id"] for job in collapse_duplicates(rows[:2])] == ["greenhouse:acme:a"]


def test_collapse_by_role_merges_cities():
    berlin = record(
        "1",
        location="Berlin, Germany",
        posted_at="2026-11-16T00:00:00Z",
        locations=[{"city": "Berlin", "region": None, "country": "DE"}],
    )
    munich = record(
        "2",
        location="Munich, Germany",
        posted_at="2026-11-15T00:00:00Z",
        title="Backend Engineer (m/w/d)",
        locations=[{"city": "Munich", "region": None, "country": "DE"}],
    )
    other = record("3", title="Data Engineer")
    rows = collapse_duplicates([berlin, munich, other], by="role")
    assert [job["id"] for job in rows] == ["greenhouse:acme:2", "greenhouse:acme:3"]
    assert rows[0]["location"] == "Munich, Germany; Berlin, Germany"
    assert [place["city"] for place in rows[0]["locations"]] == ["Munich", "Berlin"]
    assert len(collapse_duplicates([berlin, munich])) == 2  # DESIGN.md's key keeps cities apart


def test_stats():
    salary = {"annual_usd_min": 100000, "annual_usd_max": 140000}
    jobs = [
        record("1", workplace="remote", salary=salary, skills=["go", "aws"]),
        record("2", workplace="remote", company="Beta", skills=["go", "python"]),
        record(
            "3", workplace="hybrid", salary={"annual_usd_min": 60000, "annual_usd_max": None}, skills=["aws"]
        ),
        record("4", skills=["go"]),
    ]
    stats = compute_stats(jobs)
    assert stats == {
        "jobs": 4,
        "remote_share": 50,
        "companies": 2,
        "avg_salary_usd": 90000,
        "salary_postings": 2,
        "trending_skills": ["go", "aws", "python"],
    }
    assert compute_stats([])["remote_share"] == 0
    assert compute_stats(jobs, ["x", "y"])["trending_skills"] == ["x", "y"]  # counted by the caller


@pytest.mark.parametrize(
    ("skills", "ordered"),
    [
        ([], []),
        ([["go", "aws"], None, ["aws"], ["python", "go", "aws"]], ["aws", "go", "python"]),
        ([["b"], ["a"], ["c", "a"], ["b"]], ["a", "b", "c"]),  # ties by name
    ],
)
def test_skills_by_count(skills, ordered):
    assert skills_by_count([{"skills": each} for each in skills]) == ordered


def test_countries_by_name_keeps_valid_codes_once_in_name_order():
    jobs = [
        {"locations": [{"country": "DE"}, {"country": "AT"}, "Berlin", {"country": None}]},
        {"locations": None},
        {},
        {"locations": [{"country": "de"}, {"country": ["DE"]}, {"country": "GBR"}, {"country": "DE"}]},
        {"locations": [{"country": "GB"}, {"city": "Paris"}, {"country": "ZZ"}]},
    ]
    # Austria, Germany, United Kingdom; ZZ has no name and is printed as its code
    assert countries_by_name(jobs) == ["AT", "DE", "GB", "ZZ"]


@pytest.mark.parametrize(
    ("locations", "codes"),
    [
        ([{"country": "DE"}, {"country": "AT"}, {"country": "DE"}], ["DE", "AT"]),  # once, in order
        ([{"country": "de"}, {"country": ["DE"]}, {"country": "GBR"}, {"country": None}], []),
        (["Berlin", {"city": "Paris"}, {"country": "GB"}], ["GB"]),
        (None, []),
    ],
)
def test_a_page_rows_countries_are_its_valid_codes_once(locations, codes):
    job = {"id": "greenhouse:acme:1", "posted_at": "2026-11-20T00:00:00Z", "locations": locations}
    assert PageRow.of(job).countries == " ".join(codes)


def fill(tmp_path, rows, runs=()):
    store = SqliteStore(tmp_path / "jobs.db")
    for row in rows:
        store.upsert(row, NOW)
    for ats, board, outcome in runs:
        store.finish_board(ats, board, outcome, None, [r["job_id"] for r in rows if r["board"] == board], NOW)
    store.close()
    return JobsConfig.from_settings(
        Settings(
            {
                "JOBS_NOW": NOW,
                "JOBS_DB": str(tmp_path / "jobs.db"),
                "OUTPUT_DIR": str(tmp_path / "out"),
            }
        )
    )


def test_publish_renders_the_design_shape(tmp_path):
    hostile = "Senior Backend | Engineer [Go] <img src=x> `x`\nnext"
    config = fill(
        tmp_path,
        [
            record(
                "1",
                title=hostile,
                posted_at="2026-11-19T08:00:00Z",
                workplace="remote",
                salary={"annual_usd_min": 120000, "annual_usd_max": 140000},
                skills=["go", "kubernetes"],
            ),
            record(
                "2",
                url="javascript:alert(1)",
                company_url="javascript:evil()",
                posted_at="2026-11-18T08:00:00Z",
            ),
            record("3", workplace="hybrid", posted_at="2026-11-17T08:00:00Z", location="Lisboa, Portugal"),
            record("stale", posted_at="2026-10-01T08:00:00Z"),
            record("frontend", profiles=["frontend"]),
            record("dup", dedup_key="acme|backend engineer|3", posted_at="2026-11-17T09:00:00Z"),
        ],
    )
    result = publish(config)
    readme = result.readme.read_text(encoding="utf-8")
    lines = readme.splitlines()
    assert lines[:8] == [
        "# Backend developer Jobs 2026",
        "<sub><small>Last updated: Nov 20, 2026 at 12:00 UTC</small></sub>",
        "",
        "## Current Openings",
        "",
        "| Company | Position | Location | Type | Date |",
        "| ------- | -------- | -------- | ---- | ------ |",
        "| **[Acme](https://acme.example/)** | **[Senior Backend \\| Engineer \\[Go\\] &lt;img src=x&gt; "
        "\\`x\\` next](https://job-boards.greenhouse.io/acme/jobs/1)** | Berlin, Germany | Remote | Nov 19 |",
    ]
    assert lines[8] == "| **Acme** | **Backend Engineer** | Berlin, Germany | On Site | Nov 18 |"
    assert lines[9] == (
        "| **[Acme](https://acme.example/)** | **[Backend Engineer]"
        "(https://job-boards.greenhouse.io/acme/jobs/3)** | Lisboa, Portugal | Hybrid | Nov 17 |"
    )
    assert lines[10:15] == [
        "",
        "---",
        "",
        "**Current Stats:** 3 jobs | 33% remote | 1 companies | Avg salary: $130k (1 postings)",
        "**Trending Skills:** go, kubernetes",
    ]
    assert lines[15:18] == [
        "",
        "**Also as:** [web page with filters](backend/index.html) · [JSON](jobs.json) · "
        "[CSV](backend/jobs.csv) · [Atom feed](backend/feed.atom)",
        "",
    ]
    # every table row has exactly five cells
    for line in lines[5:10]:
        assert len(re.findall(r"(?<!\\)\|", line)) == 6
    assert "javascript" not in readme
    data = json.loads(result.jobs_json.read_text(encoding="utf-8"))
    assert data["generated_at"] == NOW
    assert data["count"] == 3
    assert [job["job_id"] for job in data["jobs"]] == ["1", "2", "3"]
    assert data["jobs"][0]["title"] == hostile
    assert data["stats"]["avg_salary_usd"] == 130000
    assert "dedup_key" not in data["jobs"][0]


def test_publish_refuses_when_most_boards_failed_and_keeps_the_old_list(tmp_path):
    rows = [record("1"), record("2", board="b2"), record("3", board="b3")]
    healthy = fill(
        tmp_path,
        rows,
        runs=[("greenhouse", "acme", "ok"), ("greenhouse", "b2", "ok"), ("greenhouse", "b3", "failed")],
    )
    assert "\n**Sources:** 3 boards, latest crawl: 2 ok, 1 failed\n" in publish(healthy).readme.read_text()
    config = fill(
        tmp_path,
        rows,
        runs=[("greenhouse", "acme", "ok"), ("greenhouse", "b2", "failed"), ("greenhouse", "b3", "failed")],
    )
    old = config.output_dir / "README.md"
    write_atomic(old, "the last good list\n")
    with pytest.raises(PublishRefused, match="2 of 3 boards failed"):
        publish(config)
    assert old.read_text() == "the last good list\n"


def test_write_atomic_leaves_no_temp_files(tmp_path):
    target = tmp_path / "out" / "jobs.json"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["jobs.json"]


def test_publish_refuses_a_collapsed_list_and_force_overrides(tmp_path):
    config = fill(tmp_path, [record(str(i), dedup_key=f"k{i}") for i in range(3)])
    write_atomic(config.output_dir / "jobs.json", json.dumps({"count": 10, "jobs": []}))
    write_atomic(config.output_dir / "README.md", "the last good list\n")
    with pytest.raises(PublishRefused, match="would fall from 10 to 3 jobs"):
        publish(config)
    assert (config.output_dir / "README.md").read_text() == "the last good list\n"
    assert publish(config, force=True).count == 3
    assert json.loads((config.output_dir / "jobs.json").read_text())["count"] == 3


@pytest.mark.parametrize(
    ("previous", "count", "refused"),
    [(None, 0, False), (0, 0, False), (10, 5, False), (10, 4, True), (1, 0, True), (100, 51, False)],
)
def test_check_drop(previous, count, refused):
    from jobspiders.publish import check_drop

    if refused:
        with pytest.raises(PublishRefused):
            check_drop(previous, count, 0.5)
    else:
        check_drop(previous, count, 0.5)


def test_unreadable_previous_list_does_not_block(tmp_path):
    config = fill(tmp_path, [record("1")])
    write_atomic(config.output_dir / "jobs.json", "{truncated")
    assert publish(config).count == 1


def published_files(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_worker_processes_publish_the_same_files_as_one_process(tmp_path, monkeypatch):
    import jobspiders.publish as publishing

    rows = [
        record(
            str(i),
            dedup_key=f"k{i}",
            title=f"Backend Engineer {i} <b>&</b>",
            description=f"Description {i}\n" + "Go and PostgreSQL. " * 40,
            profiles=["backend", "data"] if i % 3 == 0 else ["backend"],
            posted_at=f"2026-11-{10 + i % 9:02d}T09:00:00Z",
        )
        for i in range(60)
    ]
    config = fill(tmp_path, rows)
    monkeypatch.setattr(publishing, "PARALLEL_MIN_JOBS", 0)
    single = dataclasses.replace(config, output_dir=tmp_path / "one", publish_workers=1)
    forked = dataclasses.replace(config, output_dir=tmp_path / "two", publish_workers=2)
    calls = []
    real_pool = publishing.multiprocessing.get_context

    def spy(method):
        calls.append(method)
        return real_pool(method)

    monkeypatch.setattr(publishing.multiprocessing, "get_context", spy)
    publish(single, force=True)
    assert calls == []
    publish(forked, force=True)
    assert calls == ["fork"]
    one, two = published_files(tmp_path / "one"), published_files(tmp_path / "two")
    assert one == two
    data = json.loads(one["data/jobs.json"])
    assert data["count"] == 20
    assert all(job["description"].startswith("Description ") for job in data["jobs"])


def test_published_files_are_readable_like_any_other_file(tmp_path):
    import os

    config = fill(tmp_path, [record("1")])
    publish(config, force=True)
    mask = os.umask(0)
    os.umask(mask)
    for path in (config.output_dir / "README.md", config.output_dir / "backend" / "index.html"):
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path):
    from jobspiders.publish import atomic_writer

    target = tmp_path / "jobs.json"
    write_atomic(target, "the last good list\n")

    def write_half_then_fail():
        with atomic_writer(target) as handle:
            handle.write("half a li")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_half_then_fail()
    assert target.read_text() == "the last good list\n"
    assert [p.name for p in tmp_path.iterdir()] == ["jobs.json"]


def test_role_dedup_publishes_one_record_with_every_location(tmp_path):
    berlin = record(
        "1",
        posted_at="2026-11-16T00:00:00Z",
        description="Berlin text",
        dedup_key="acme|backend engineer|berlin",
    )
    munich = record(
        "2",
        location="Munich, Germany",
        locations=[{"city": "Munich", "region": None, "country": "DE"}],
        posted_at="2026-11-15T00:00:00Z",
        description="Munich text",
        dedup_key="acme|backend engineer|munich",
    )
    config = dataclasses.replace(fill(tmp_path, [berlin, munich]), dedup="role")
    publish(config, force=True)
    (job,) = json.loads((config.output_dir / "jobs.json").read_text())["jobs"]
    assert job["id"] == "greenhouse:acme:2"  # the earliest posting speaks for the role
    assert job["location"] == "Munich, Germany; Berlin, Germany"
    assert [place["city"] for place in job["locations"]] == ["Munich", "Berlin"]
    assert job["description"] == "Munich text"
    assert "dedup_key" not in job
    assert "| Munich, Germany; Berlin, Germany |" in (config.output_dir / "README.md").read_text()
    csv_text = (config.output_dir / "backend" / "jobs.csv").read_text()
    assert "Munich; Berlin" in csv_text


def test_a_failing_worker_fails_the_publish_and_keeps_the_last_files(tmp_path, monkeypatch):
    import jobspiders.publish as publishing

    config = fill(tmp_path, [record(str(i), dedup_key=f"k{i}") for i in range(30)])
    write_atomic(config.output_dir / "backend" / "feed.atom", "the last good feed\n")
    real = publishing.render_part

    def render_part(env, config, store, context, part, *cache):
        if part == "feed":
            raise OSError("disk full")
        real(env, config, store, context, part, *cache)

    monkeypatch.setattr(publishing, "render_part", render_part)  # the forked workers inherit it
    monkeypatch.setattr(publishing, "PARALLEL_MIN_JOBS", 0)
    with pytest.raises(OSError, match="disk full"):
        publish(dataclasses.replace(config, publish_workers=2), force=True)
    assert (config.output_dir / "backend" / "feed.atom").read_text() == "the last good feed\n"
    assert not list((config.output_dir / "backend").glob(".*.tmp"))
