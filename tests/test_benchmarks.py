"""Smoke test of the performance benchmarks (issue 8) in their smallest configuration, so they cannot rot.

The figures themselves are measured, not asserted: these tests check that each benchmark runs, crawls the
whole workload and prints its figures.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import workload as wl  # noqa: E402


def run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_workload_follows_the_spiders_requests():
    load = wl.build(7, 3, seed=1)
    again = wl.build(7, 3, seed=1)
    assert load.responses == again.responses  # deterministic from the seed
    assert load.postings == 21
    # one list request, except the detail ATS (list page(s) + one detail per posting)
    assert load.requests_by_ats == {
        "greenhouse": 1,
        "lever": 1,
        "ashby": 1,
        "recruitee": 1,
        "smartrecruiters": 1 + 3,
        "workable": 1 + 3,
        "workday": 1 + 3,
    }
    for method, target, body in load.requests:
        assert load.lookup(method, target, body) is not None
        assert load.lookup(method, target, body).startswith(b"HTTP/1.1 200 OK\r\n")
    # query order and JSON formatting do not matter to the fallback lookup
    post = next(r for r in load.requests if r[0] == "POST")
    assert load.lookup("POST", post[1], post[2].replace(b",", b", ")) is not None
    assert load.lookup("GET", "/nowhere.example/x", b"") is None


def test_crawl_benchmark_prints_its_figures():
    out = run("crawl.py", "--boards", "7", "--postings", "5", "--capacity-seconds", "0.3")
    for mode in ("baseline", "full", "recrawl"):
        line = re.search(
            rf"^  {mode}\s+(\d+) postings\s+([\d.]+)s wall.*?(\d+) items/s\s+peak RSS\s+(\d+) MB", out, re.M
        )
        assert line, f"no {mode} line in:\n{out}"
        postings, wall, _items, rss = line.groups()
        assert int(postings) == 35  # every posting of the workload was crawled
        assert float(wall) > 0
        assert int(rss) > 20
    assert re.search(r"full/baseline items/s = \d+\.\d\d", out)
    assert re.search(r"recrawl/baseline items/s = \d+\.\d\d", out)
    assert re.search(r"scrapy publish, empty publish cache: [\d.]+s wall \(exit 0\)", out)
    assert re.search(r"scrapy publish again, rows cached: +[\d.]+s wall \(exit 0\)", out)
    assert re.search(r"stand-in capacity \(benchmarks/_server.FastServer.*: \d+ answers/s", out)
    assert re.search(r"with the processes it started \(PSS\): \d+ MB at \d+%", out)
    # each timed process started after the page cache was written back (settle), and says so
    for mode in ("baseline", "full", "recrawl"):
        assert re.search(rf"^  {mode}\s.*, settled [\d?]+ MB in [\d.]+s first\]", out, re.M), out
    assert re.search(r"empty publish cache: .*; settled [\d?]+ MB in [\d.]+s first$", out, re.M), out
    assert "targets (issue 8)" in out


def test_no_settle_runs_without_writing_back_first():
    small = ("--boards", "7", "--postings", "5", "--modes", "baseline", "--capacity-seconds", "0")
    out = run("crawl.py", *small)
    assert re.search(r"^  baseline\s+35 postings .*, settled", out, re.M), out
    out = run("crawl.py", *small, "--no-settle")
    line = re.search(r"^  baseline\s+35 postings .*$", out, re.M)
    assert line, out
    assert "settled" not in line.group(0)


@pytest.mark.parametrize(
    ("meminfo", "expected"),
    [
        ("MemTotal:       24000000 kB\nDirty:              2048 kB\nWriteback:          1024 kB\n", 3.0),
        ("Dirty:                 0 kB\nWriteback:             0 kB\n", 0.0),
        ("MemTotal:       24000000 kB\nDirty:              2048 kB\n", None),  # no Writeback line
        ("Dirty: lots\nWriteback: 0 kB\n", None),
        (None, None),  # no such file (not Linux)
    ],
)
def test_dirty_mb_reads_meminfo(tmp_path, meminfo, expected):
    import _common

    path = tmp_path / "meminfo"
    if meminfo is not None:
        path.write_text(meminfo)
    assert _common.dirty_mb(path) == expected


def test_settle_syncs_and_says_how_much_was_dirty(monkeypatch):
    import _common

    calls = []
    monkeypatch.setattr(_common.os, "sync", lambda: calls.append("sync"), raising=False)
    monkeypatch.setattr(_common, "dirty_mb", lambda: 1176.0)
    assert _common.settle()[0] == 1176.0
    assert calls == ["sync"]


def test_a_child_says_whether_it_was_settled_first():
    import _common

    settled = _common.run_child([sys.executable, "-c", "pass"], settle_first=True)
    assert settled.returncode == 0
    assert settled.settle_s is not None
    assert settled.settle_s >= 0
    assert re.fullmatch(r", settled [\d?]+ MB in [\d.]+s first", settled.settled())
    plain = _common.run_child([sys.executable, "-c", "pass"], settle_first=False)
    assert plain.settle_s is None
    assert plain.settled_mb is None
    assert plain.settled() == ""


def test_the_recrawl_publishes_from_the_full_runs_publish_cache(tmp_path):
    # As a daily re-crawl into the same OUTPUT_DIR: yesterday's rows come from the publish cache.
    run(
        "crawl.py",
        *("--boards", "7", "--postings", "5", "--modes", "full,recrawl", "--capacity-seconds", "0"),
        *("--log-level", "DEBUG", "--keep", str(tmp_path)),
    )
    wrote = {
        mode: re.findall(
            r"Wrote the list of \S+ \(\d+ jobs\) in \S+ \((\d+) rows rendered, (\d+) cached\)", log
        )
        for mode in ("full", "recrawl")
        for log in [(tmp_path / "boards-7" / mode / f"{mode}.log").read_text()]
    }
    assert wrote["full"]
    assert all(int(cached) == 0 for _, cached in wrote["full"])
    assert len(wrote["recrawl"]) == len(wrote["full"])
    assert all(int(rendered) == 0 and int(cached) > 0 for rendered, cached in wrote["recrawl"])


@pytest.mark.parametrize("copy", [False, True])
def test_the_recrawl_starts_from_the_files_the_full_run_published(tmp_path, copy):
    import crawl as bench  # benchmarks/crawl.py

    full, recrawl = tmp_path / "full", tmp_path / "recrawl"
    published = {
        "jobs.json": b'{"count": 1}',
        "backend/jobs.json": b"[]",
        ".publish-cache/backend.list.fragments": b"JSPFRAG1",
    }
    run_files = {"full.log": b"log", "full.stdout": b"out", "publish/jobs.json": b"alone"}
    for name, body in {**published, **run_files}.items():
        (full / name).parent.mkdir(parents=True, exist_ok=True)
        (full / name).write_bytes(body)
    inodes = {name: (full / name).stat().st_ino for name in published}
    (recrawl / "stale").mkdir(parents=True)  # a last invocation's re-crawl: replaced

    bench.carry_outputs(full, recrawl, copy=copy)

    assert not (recrawl / "stale").exists()
    for name, body in published.items():
        assert (recrawl / name).read_bytes() == body
        # moved: the very files (a daily re-crawl finds yesterday's); copied: new ones next to them
        assert ((recrawl / name).stat().st_ino == inodes[name]) is not copy
        assert (full / name).exists() is copy
    for name, body in run_files.items():  # the full run's own files stay with it, and only there
        assert (full / name).read_bytes() == body
        assert not (recrawl / name).exists()


def test_repeated_runs_are_each_a_first_crawl_and_a_recrawl_judged_on_their_median(tmp_path):
    out = run(
        "crawl.py",
        *("--boards", "7", "--postings", "5", "--repeat", "2", "--capacity-seconds", "0"),
        *("--log-level", "DEBUG", "--keep", str(tmp_path)),
    )
    for mode in ("baseline", "full", "recrawl"):
        runs = re.findall(rf"^  {mode}\s+35 postings .* \(run (\d) of 2\)$", out, re.M)
        assert runs == ["1", "2"], out
    for mode in ("full", "recrawl"):
        ratios = re.search(rf"{mode}/baseline items/s = ([\d.]+) \(median of 2: ([\d.]+), ([\d.]+);", out)
        assert ratios, out
        median, first, second = map(float, ratios.groups())
        assert median == pytest.approx((first + second) / 2, abs=0.011)
    # the second full run started from an empty store and OUTPUT_DIR: every row rendered, none cached
    log = (tmp_path / "boards-7" / "full" / "full.log").read_text()
    wrote = re.findall(
        r"Wrote the list of \S+ \(\d+ jobs\) in \S+ \((\d+) rows rendered, (\d+) cached\)", log
    )
    assert wrote
    assert all(int(rendered) > 0 and int(cached) == 0 for rendered, cached in wrote)
    assert sum(map(int, re.findall(r"'jobspiders/store/new': (\d+)", log))) > 0
    assert "jobspiders/store/seen_again" not in log  # a new store: nothing seen before


def test_normalize_benchmark_prints_its_figures():
    out = run("normalize.py", "--inputs", "30", "--docs", "100", "--repeat", "1")
    for name in (
        "parse_date",
        "parse_locations",
        "parse_workplace",
        "parse_salary",
        "parse_employment_type",
        "parse_seniority",
        "tag_skills",
        "match_profiles",
        "html_to_text",
        "normalize_posting",
    ):
        row = re.search(rf"^{name}\s+([\d,.]+)\s+[\d,]+", out, re.M)
        assert row, f"no {name} row in:\n{out}"
        assert float(row.group(1).replace(",", "")) > 0
    assert re.search(r"skill tagging: 100 descriptions .* [\d,]+ descriptions/s; 10,000 in [\d.]+s", out)


@pytest.mark.parametrize("script", ["workload.py", "crawl.py", "normalize.py"])
def test_help(script):
    assert "usage:" in run(script, "--help")


def test_scaling_judges_the_crawl_and_prints_the_process_wall_too(capsys):
    from types import SimpleNamespace

    import crawl as bench  # benchmarks/crawl.py

    def size(boards: int, postings: int, wall: float, crawl: float) -> dict:
        run = SimpleNamespace(
            postings=postings, crawl_s=crawl, child=SimpleNamespace(wall=wall, peak_rss_mb=100)
        )
        return {"boards": boards, "postings": postings, "requests": boards, "runs": {"baseline": run}}

    # 2 s of start-up in each process: the crawl costs 10 % more per posting, the process wall 21 % less
    bench.scaling([size(100, 5000, 7.0, 5.0), size(5000, 250000, 277.0, 275.0)])
    out = capsys.readouterr().out
    assert "baseline: 5000 boards vs 100: +10% per posting in the crawl (-21% by process wall)" in out
    assert "(target within ±20%: meets)" in out
    assert re.search(r"5000\s+250000\s+5000\s+1\.11\s+1\.10\s+100\s+-", out)
