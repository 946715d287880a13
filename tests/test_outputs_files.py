"""Every profile's outputs from one store read: README size guard and related lists, CSV, the static HTML
(without a browser), `scrapy publish --profile`, and refusals that leave every old file untouched."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import jinja2
import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scrapy.settings import Settings

import jobspiders.publish as publishing
from jobspiders.config import ConfigError, JobsConfig
from jobspiders.normalize.profiles import load_profiles
from jobspiders.publish import CSV_COLUMNS, PublishRefused, publish, write_atomic
from jobspiders.store import SqliteStore
from tests.conftest import ROOT
from tests.test_publish import NOW, fill, record

FILES = ("README.md", "jobs.json", "jobs.csv", "feed.atom", "index.html")
CELL = re.compile(r"(?<!\\)\|")

HOSTILE = [
    record(
        "pipe",
        title="Backend | Engineer [Go](https://evil.example) <script>alert(1)</script>",
        company='=HYPERLINK("https://evil.example","click")',
        location="Berlin | [DE]\x00\x1b",
        description='first line\nsecond, "quoted" line\r\n-third',
        posted_at="2026-11-19T08:00:00Z",
        salary={
            "min": 70000,
            "max": 110000,
            "currency": "EUR",
            "period": "year",
            "annual_min": 70000,
            "annual_max": 110000,
            "annual_usd_min": 76000,
            "annual_usd_max": 120000,
        },
        locations=[
            {"city": "Berlin", "region": None, "country": "DE"},
            {"city": None, "region": "Lisboa", "country": "PT"},
        ],
    ),
    record(
        "js", url="javascript:alert(1)", company_url="JavaScript:alert(2)", posted_at="2026-11-18T08:00:00Z"
    ),
    record("rtl", title="מפתח Backend \u202eevil\u202c", company="חברה", posted_at="2026-11-17T08:00:00Z"),
    record("long", title="Backend Engineer " + "very long " * 500, posted_at="2026-11-16T08:00:00Z"),
]


def settings_for(tmp_path: Path, **extra: str) -> JobsConfig:
    values = {"JOBS_NOW": NOW, "JOBS_DB": str(tmp_path / "jobs.db"), "OUTPUT_DIR": str(tmp_path / "out")}
    return JobsConfig.from_settings(Settings({**values, **extra}))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_profile_gets_every_file_and_backend_keeps_the_top_level(tmp_path):
    config = fill(tmp_path, [record("1", profiles=["backend", "fullstack"], dedup_key="a"), record("2")])
    result = publish(config)
    profiles = list(load_profiles())
    assert [o.profile for o in result.outputs] == profiles
    for name in profiles:
        for filename in FILES:
            assert (config.output_dir / name / filename).is_file(), (name, filename)
    counts = {o.profile: o.count for o in result.outputs}
    assert counts["backend"] == 2
    assert counts["fullstack"] == 1
    assert result.readme == config.output_dir / "README.md"
    top = json.loads((config.output_dir / "jobs.json").read_text())
    assert top == json.loads((config.output_dir / "backend" / "jobs.json").read_text())
    assert (top["count"], top["profile"], set(top)) == (
        2,
        "backend",
        {"generated_at", "profile", "count", "stats", "jobs"},
    )
    # the same table at the top and in backend/, with links relative to each copy
    top_readme = (config.output_dir / "README.md").read_text()
    inner = (config.output_dir / "backend" / "README.md").read_text()
    assert top_readme.split("\n---\n")[0] == inner.split("\n---\n")[0]
    assert "[Frontend developer Jobs 2026](frontend/README.md)" in top_readme
    assert "[Frontend developer Jobs 2026](../frontend/README.md)" in inner
    assert (
        "[Backend developer Jobs 2026](../backend/README.md)"
        in (config.output_dir / "frontend" / "README.md").read_text()
    )
    assert "(backend/README.md)" not in top_readme  # a list does not link itself


def test_the_top_level_jobs_json_is_replaced_by_a_link_or_a_copy(tmp_path, monkeypatch):
    config = fill(tmp_path, [record("1"), record("2")])
    publish(config)
    top, inner = config.output_dir / "jobs.json", config.output_dir / "backend" / "jobs.json"
    assert top.samefile(inner)  # a hard link: no second 80 MB write
    old = top.stat().st_ino
    publish(config, force=True)
    assert top.samefile(inner)
    assert top.stat().st_ino != old  # replaced, never changed in place (readers of the old one keep it)

    def no_links(source, target):
        raise OSError("hard links not supported")

    monkeypatch.setattr(publishing.os, "link", no_links)
    publish(config, force=True)
    assert not top.samefile(inner)
    assert top.read_bytes() == inner.read_bytes()
    assert not list(config.output_dir.glob(".*.tmp"))


def test_profiles_without_jobs_get_empty_outputs(tmp_path):
    config = fill(tmp_path, [record("1")])
    publish(config)
    folder = config.output_dir / "mobile"
    data = json.loads((folder / "jobs.json").read_text())
    assert (data["count"], data["jobs"], data["profile"]) == (0, [], "mobile")
    assert list(csv.reader(io.StringIO((folder / "jobs.csv").read_text()))) == [list(CSV_COLUMNS)]
    readme = (folder / "README.md").read_text()
    assert "_No open positions in the last 15 days._" in readme
    assert "**Current Stats:** 0 jobs" in readme
    page = lxml.html.fromstring((folder / "index.html").read_text())
    assert page.cssselect("#jobs tbody tr") == []
    assert "No open positions" in page.get_element_by_id("empty").text_content()


def test_one_profile_only(tmp_path):
    config = fill(tmp_path, [record("1", profiles=["backend", "fullstack"])])
    result = publish(config, "fullstack")
    assert [o.profile for o in result.outputs] == ["fullstack"]
    assert result.readme == config.output_dir / "fullstack" / "README.md"
    assert sorted(p.name for p in config.output_dir.iterdir()) == [".publish-cache", "fullstack"]
    with pytest.raises(ValueError, match="unknown profile 'astrology'"):
        publish(config, "astrology")


def test_readme_size_guard(tmp_path, monkeypatch):
    rows = [record(str(i), dedup_key=str(i), posted_at=f"2026-11-{10 + i:02d}T08:00:00Z") for i in range(6)]
    fill(tmp_path, rows)
    config = settings_for(tmp_path, JOBS_README_MAX_ROWS="2")
    result = publish(config)
    readme = (config.output_dir / "README.md").read_text()
    table = [line for line in readme.splitlines() if line.startswith("| **")]
    assert [re.search(r"jobs/(\d)\)", line).group(1) for line in table] == ["5", "4"]  # newest first
    assert "_4 more jobs are in [jobs.json](jobs.json) and on [the web page](backend/index.html)._" in readme
    assert (
        "_4 more jobs are in [jobs.json](jobs.json) and on [the web page](index.html)._"
        in (config.output_dir / "backend" / "README.md").read_text()
    )
    assert result.count == 6
    assert json.loads((config.output_dir / "jobs.json").read_text())["count"] == 6
    page = lxml.html.fromstring((config.output_dir / "backend" / "index.html").read_text())
    assert len(page.cssselect("#jobs tbody tr")) == 6  # the web page has them all
    assert {o.profile: o.readme_rows for o in result.outputs}["backend"] == 2

    # whatever the row limit, a README stays under the byte limit GitHub renders
    monkeypatch.setattr(publishing, "README_MAX_BYTES", 1600)
    result = publish(settings_for(tmp_path, JOBS_README_MAX_ROWS="100"))
    readme = (config.output_dir / "README.md").read_text()
    assert len(readme.encode()) <= 1600
    shown = {o.profile: o.readme_rows for o in result.outputs}["backend"]
    assert 0 < shown < 6
    more = 6 - shown
    assert f"_{more} more {'job is' if more == 1 else 'jobs are'} in [jobs.json]" in readme


@pytest.mark.parametrize("value", ["-1", "many"])
@pytest.mark.parametrize("name", ["JOBS_README_MAX_ROWS", "JOBS_PUBLISH_WORKERS", "JOBS_GC_THRESHOLD"])
def test_bad_counts(tmp_path, name, value):
    with pytest.raises(ConfigError, match=f"{name} must be a whole number"):
        settings_for(tmp_path, **{name: value})


def test_publish_workers_default_to_the_cpus_at_most_four(tmp_path):
    assert 1 <= settings_for(tmp_path).publish_workers <= 4
    assert settings_for(tmp_path, JOBS_PUBLISH_WORKERS="1").publish_workers == 1


def test_readme_escapes_hostile_board_text(tmp_path):
    config = fill(tmp_path, [dict(row, dedup_key=row["id"]) for row in HOSTILE])
    publish(config)
    readme = (config.output_dir / "backend" / "README.md").read_text()
    table = [line for line in readme.splitlines() if line.startswith("| **")]
    assert len(table) == 4
    for line in table:
        assert len(CELL.findall(line)) == 6  # five cells
        assert not re.search(r"[\x00-\x08\x0b-\x1f\u202a-\u202e]", line)
    assert "javascript" not in readme.lower()
    assert "<script>" not in readme
    assert r"Backend \| Engineer \[Go\]\(https&#8203;://evil.example\) &lt;script&gt;" in table[0]
    long_title = re.search(r"\*\*\[(Backend Engineer very long[^\]]*)\]", table[3]).group(1)
    assert len(long_title) <= 160
    assert long_title.endswith("…")
    assert "מפתח Backend" in table[2]


def test_csv_flattens_jobs_json(tmp_path):
    config = fill(tmp_path, [dict(row, dedup_key=row["id"]) for row in HOSTILE])
    publish(config)
    text = (config.output_dir / "backend" / "jobs.csv").read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    jobs = json.loads((config.output_dir / "backend" / "jobs.json").read_text())["jobs"]
    assert [row["id"] for row in rows] == [job["id"] for job in jobs]
    assert list(rows[0]) == list(CSV_COLUMNS)
    pipe = rows[0]
    assert pipe["company"] == '\'=HYPERLINK("https://evil.example","click")'  # no formula in a spreadsheet
    assert pipe["title"] == jobs[0]["title"]
    assert pipe["description"] == 'first line\nsecond, "quoted" line\r\n-third'
    assert (pipe["location_cities"], pipe["location_regions"], pipe["location_countries"]) == (
        "Berlin; ",
        "; Lisboa",
        "DE; PT",
    )
    assert (pipe["salary_min"], pipe["salary_max"], pipe["salary_currency"], pipe["salary_period"]) == (
        "70000",
        "110000",
        "EUR",
        "year",
    )
    assert (pipe["salary_annual_usd_min"], pipe["salary_annual_usd_max"]) == ("76000", "120000")
    assert (pipe["skills"], pipe["profiles"]) == ("go", "backend")
    assert rows[1]["salary_min"] == ""
    assert rows[1]["url"] == "javascript:alert(1)"  # data as in jobs.json; only the page and README link


def _csv_module_line(cells):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "cells",
    [
        ["plain", "text"],
        ["", ""],
        [None, "x", None],
        ['say "hi"', '"', '""'],
        ["a,b", "line\nbreak", "cr\rhere", "crlf\r\n"],
        ["ünïcødé — ✓", "tab\there", " leading and trailing "],
        [70000, 1.5, 1e20, -3, True, 0],
        ['\'=HYPERLINK("x")', "<p>html, &amp; more</p>"],
    ],
)
def test_csv_line_writes_what_the_csv_module_writes(cells):
    assert publishing.csv_line(cells) == _csv_module_line(cells)


@given(st.lists(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()), min_size=2))
def test_csv_line_matches_the_csv_module_on_any_cells(cells):
    line = publishing.csv_line(cells)
    assert line == _csv_module_line(cells)
    assert next(csv.reader(io.StringIO(line, newline=""))) == ["" if c is None else str(c) for c in cells]


def test_page_escapes_hostile_board_text_and_allows_only_its_own_script(tmp_path):
    config = fill(tmp_path, [dict(row, dedup_key=row["id"]) for row in HOSTILE])
    publish(config)
    html = (config.output_dir / "backend" / "index.html").read_text()
    page = lxml.html.fromstring(html)
    rows = page.cssselect("#jobs tbody tr")
    assert [row.get("data-id").split(":")[-1] for row in rows] == ["pipe", "js", "rtl", "long"]
    assert rows[0].cssselect("td.position")[0].text_content() == HOSTILE[0]["title"]
    assert rows[0].cssselect("td")[2].text_content() == "Berlin | [DE]"
    assert rows[1].cssselect("a") == []  # javascript: URLs are not linked
    assert "\u202e" not in html
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", html)
    assert rows[2].cssselect("td.position")[0].get("dir") == "auto"
    assert HOSTILE[3]["title"].strip() in rows[3].text_content()  # the page keeps the whole title
    scripts = page.xpath("//script")
    assert len(scripts) == 1
    assert "<script>alert(1)</script>" not in html
    hrefs = [h for h in page.xpath("//@href") if h != "data:,"]  # the empty favicon
    assert all(h.startswith(("https://", "http://")) or not re.match(r"^\w+:", h) for h in hrefs), hrefs
    assert not [h for h in hrefs if h.startswith("//")]  # no external resources
    assert not page.xpath("//*[@src]")
    csp = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    digest = base64.b64encode(hashlib.sha256(scripts[0].text.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp
    form = page.get_element_by_id("filters")
    assert form.get("hidden") is not None  # shown by the script; without it, the table alone
    assert sorted(o.get("value") for o in form.cssselect("select[name=country] option")) == ["", "DE", "PT"]


def test_refused_for_failed_boards_keeps_every_old_file(tmp_path):
    rows = [record("1"), record("2", board="b2"), record("3", board="b3")]
    healthy = fill(tmp_path, rows, runs=[("greenhouse", b, "ok") for b in ("acme", "b2", "b3")])
    publish(healthy)
    before = snapshot(healthy.output_dir)
    # each list's files, the top README.md and jobs.json, each list's two publish cache files
    assert len(before) == len(load_profiles()) * (len(FILES) + 2) + 2
    failing = fill(tmp_path, rows, runs=[("greenhouse", b, "failed") for b in ("acme", "b2", "b3")])
    with pytest.raises(PublishRefused, match="3 of 3 boards failed") as refused:
        publish(failing)
    assert refused.value.result is None
    assert snapshot(failing.output_dir) == before


def test_a_collapsed_list_keeps_its_files_and_the_others_publish(tmp_path):
    config = fill(
        tmp_path, [record(str(i), dedup_key=str(i), profiles=["backend", "fullstack"]) for i in range(3)]
    )
    write_atomic(config.output_dir / "backend" / "jobs.json", json.dumps({"count": 10, "jobs": []}))
    write_atomic(config.output_dir / "backend" / "index.html", "old page")
    write_atomic(config.output_dir / "README.md", "old list")
    with pytest.raises(PublishRefused, match="backend: the list would fall from 10 to 3 jobs") as refused:
        publish(config)
    assert (config.output_dir / "backend" / "index.html").read_text() == "old page"
    assert (config.output_dir / "README.md").read_text() == "old list"
    assert not (config.output_dir / "jobs.json").exists()
    assert "backend" not in [o.profile for o in refused.value.result.outputs]
    assert json.loads((config.output_dir / "fullstack" / "jobs.json").read_text())["count"] == 3
    assert publish(config, force=True).count == 3
    assert (config.output_dir / "README.md").read_text() != "old list"


def scrapy_publish(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "publish",
            *args,
            *("-s", f"JOBS_DB={tmp_path / 'jobs.db'}", "-s", f"OUTPUT_DIR={tmp_path / 'out'}"),
            *("-s", f"JOBS_NOW={NOW}"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_publish_command_one_profile_or_all(tmp_path):
    fill(tmp_path, [record("1", profiles=["backend", "fullstack"])])
    result = scrapy_publish(tmp_path, "--profile", "fullstack")
    assert result.returncode == 0, result.stderr
    assert "published 1 fullstack jobs" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".publish-cache", "fullstack"]
    result = scrapy_publish(tmp_path)
    assert result.returncode == 0, result.stderr
    for name in load_profiles():
        assert f"published {1 if name in ('backend', 'fullstack') else 0} {name} jobs" in result.stdout
    assert (tmp_path / "out" / "README.md").is_file()
    # a refused profile: exit 2, the others are still published and reported
    write_atomic(tmp_path / "out" / "fullstack" / "jobs.json", json.dumps({"count": 10}))
    result = scrapy_publish(tmp_path)
    assert result.returncode == 2
    assert "fullstack: the list would fall from 10 to 1 jobs" in result.stderr
    assert "published 1 backend jobs" in result.stdout


def test_csv_columns_are_the_documented_ones_in_their_order():
    """CSV_COLUMNS is derived from JobItem: a field added there must not change jobs.csv unnoticed."""
    docs = (Path(__file__).resolve().parent.parent / "docs" / "outputs.md").read_text()
    section = docs.split("## jobs.csv", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    documented = [name for cell in rows for name in re.findall(r"`([a-z_]+)`", cell)]
    assert list(CSV_COLUMNS) == documented


def test_publish_in_a_new_process_gives_the_same_files_result_and_refusal(tmp_path):
    """crawlall publishes in a spawned process (`PublishProcess`); what comes back is what `publish` gives
    or raises."""
    config = fill(
        tmp_path, [record(str(i), dedup_key=str(i), profiles=["backend", "fullstack"]) for i in range(3)]
    )
    here = publish(config)
    files = snapshot(config.output_dir)
    apart = publishing.PublishProcess().publish(config)
    assert apart == here  # PublishResult, its outputs and paths
    assert snapshot(config.output_dir) == files
    write_atomic(config.output_dir / "backend" / "jobs.json", json.dumps({"count": 10, "jobs": []}))
    with pytest.raises(PublishRefused, match="backend: the list would fall from 10 to 3") as refused:
        publishing.PublishProcess().publish(config)
    published = [o.profile for o in refused.value.result.outputs]  # the result is carried across
    assert "backend" not in published
    assert "fullstack" in published


def test_a_publish_process_that_listed_the_store_before_the_crawl_publishes_what_the_crawl_left(tmp_path):
    """crawlall's publish process lists the store while the crawl runs (`list_ahead`): jobs the crawl
    then changes, adds, closes or only sees again are published as they are at the end."""
    jobs = [record(str(i), dedup_key=str(i), profiles=["backend"]) for i in range(4)]
    config = fill(tmp_path, jobs)
    with publishing.PublishProcess(listing=config) as process:
        process._pool.submit(int).result(timeout=60)  # the listing is done (one process, tasks in order)
        store = SqliteStore(config.db)
        changed = {**jobs[0], "title": "Staff Full-stack Engineer", "profiles": ["fullstack"]}
        store.upsert(changed, "2026-11-20T13:00:00Z")
        store.upsert(record("new", dedup_key="new", profiles=["backend"]), "2026-11-20T13:00:00Z")
        store.touch([jobs[1]["id"]], "2026-11-20T14:00:00Z")
        store.finish_board("greenhouse", "acme", "ok", None, [j["job_id"] for j in jobs[:3]] + ["new"], NOW)
        store.close()
        apart = process.publish(config)
    files = snapshot(config.output_dir)
    assert publish(config) == apart
    assert snapshot(config.output_dir) == files
    page = files["backend/jobs.json"].decode()
    assert jobs[0]["id"] not in page  # no longer a backend job: in the full-stack list only
    assert "Staff Full-stack Engineer" in files["fullstack/jobs.json"].decode()
    assert record("new")["id"] in page
    assert jobs[3]["id"] not in page  # closed
    assert '"last_seen":"2026-11-20T14:00:00Z"' in page


def test_the_publish_process_started_before_a_crawl_outlives_its_ctrl_c(tmp_path):
    """crawlall starts its publish process before crawling: the SIGINT that stops a crawl gracefully (the
    terminal sends it to the whole process group) must not kill it, or the publish after would fail."""
    config = fill(tmp_path, [record(str(i), dedup_key=str(i), profiles=["backend"]) for i in range(3)])
    here = publish(config)
    files = snapshot(config.output_dir)
    with publishing.PublishProcess() as process:
        (child,) = process._pool._processes.values()  # started when made, before any publish
        os.kill(child.pid, signal.SIGINT)  # at once: while it still imports
        time.sleep(1)  # and once it waits, as during a crawl
        os.kill(child.pid, signal.SIGINT)
        time.sleep(0.2)
        assert child.is_alive()
        assert process.publish(config) == here
    assert snapshot(config.output_dir) == files
    child.join(10)
    assert not child.is_alive()  # ended with the publish


def test_a_publish_process_that_died_while_waiting_is_replaced(tmp_path):
    """A crawl lasts hours: its waiting publish process may be killed meanwhile (the OOM killer, a
    careless pkill). The crawl's results are then published by a new one, not lost."""
    config = fill(tmp_path, [record(str(i), dedup_key=str(i), profiles=["backend"]) for i in range(3)])
    here = publish(config)
    with publishing.PublishProcess() as process:
        (child,) = process._pool._processes.values()
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        for _ in range(100):  # the pool notices the death in its own thread
            if process._pool._broken:
                break
            time.sleep(0.05)
        assert process._pool._broken
        assert process.publish(config) == here


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ('{"count": 7, "jobs": []}', 7),  # not our layout: parsed whole
        ('{\n  "count": 7,\n  "jobs": [\n    {"id": "a"}\n  ]\n}\n', 7),
        ('{\n  "profile": "x",\n  "jobs": [\n  ]\n}\n', None),  # no count
        ('{\n  "count": "7",\n  "jobs": []}', None),  # not a number
        ("not json", None),
        ("", None),
    ],
)
def test_previous_count(tmp_path, text, count):
    path = tmp_path / "jobs.json"
    path.write_text(text, encoding="utf-8")
    assert publishing.previous_count(path) == count


def test_previous_count_reads_only_the_header_of_a_list_we_wrote(tmp_path, monkeypatch):
    config = fill(tmp_path, [record(str(i), dedup_key=str(i)) for i in range(3)])
    publish(config)
    path = config.output_dir / "jobs.json"
    assert publishing.previous_count(path) == 3
    monkeypatch.setattr(publishing.json, "loads", lambda *a, **k: pytest.fail("parsed the whole file"))
    assert publishing.previous_count(path) == 3
    assert publishing.previous_count(tmp_path / "missing.json") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<tr>a\x00b\ufeffc\u202ed</tr>",
        '\n    <tr data-id="x">' + "é\x0b" * 40 + "</tr>",
        "x" * 300 + "\ud800y\x1f\U0001f680",
    ],
)
def test_clean_markup_strips_forbidden_characters_and_encodes(text):
    cleaned = publishing.clean_markup(text)
    assert cleaned == "".join(c for c in text if not publishing._MARKUP_CONTROL.match(c)).encode("utf-8")
    assert not publishing._MARKUP_CONTROL.search(cleaned.decode("utf-8"))


@pytest.mark.parametrize(
    ("source", "fails"),
    [
        ("<ul>{% for row in rows %}{{ row }}{% endfor %}</ul>\x0b", False),
        ("<ul>{{ rows | length }}</ul>", True),  # the rows are not printed
        ("{% for row in rows %}{{ row }}{% endfor %}{% for row in rows %}{{ row }}{% endfor %}", True),
    ],
)
def test_the_rows_go_where_the_template_prints_them_once(source, fails):
    template = jinja2.Environment(autoescape=True).from_string(source)
    pieces = publishing._around(template, {}, "rows", iter([b"<li>a</li>", b"<li>\xc3\xa9</li>"]))
    if fails:
        with pytest.raises(ValueError, match="must print each of 'rows' once"):
            list(pieces)
    else:
        assert b"".join(pieces) == "<ul><li>a</li><li>é</li></ul>".encode()
