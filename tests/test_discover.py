"""`scrapy discover`: careers pages in each ATS's real embed markup, served by the stand-in via ATS_MIRROR."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from jobspiders.discover import (
    Discovery,
    Found,
    boards_in_page,
    careers_link,
    company_name,
    greenhouse_candidates,
    registry_entries,
)
from jobspiders.registry import load_registry
from jobspiders.standin import Route, StandinServer
from tests.conftest import FIXTURES, ROOT

PAGES = FIXTURES / "discover"
HTML = "text/html; charset=utf-8"

# (input URL, fixture, expected boards as (ats, token, host, site, evidence), company name)
CASES = {
    "greenhouse-embed": (
        "https://www.northwind-traders.example/careers",
        "greenhouse/embed.html",
        [("greenhouse", "northwindtraders", None, None, "greenhouse-embed")],
        "Northwind Traders",
    ),
    "greenhouse-iframe": (
        "https://www.adatum.example/jobs",
        "greenhouse/iframe.html",
        [("greenhouse", "adatum", None, None, "greenhouse-embed")],
        "Adatum Corporation",
    ),
    "greenhouse-gh_jid": (
        "https://www.fabrikam.example/careers",
        "greenhouse/gh_jid.html",
        [("greenhouse", "fabrikam", None, None, "gh_jid")],
        "Fabrikam",
    ),
    "lever-home-page": (
        "https://www.contoso.example/",
        "lever/home.html",
        [("lever", "contoso", None, None, "link")],
        "Contoso",
    ),
    "lever-widget": (
        "https://litware.example/jobs",
        "lever/widget.html",
        [("lever", "litware", None, None, "widget")],
        "Litware",
    ),
    "ashby": (
        "https://tailspintoys.example/careers",
        "ashby/embed.html",
        [("ashby", "TailspinToys", None, None, "link")],
        "Tailspin Toys",
    ),
    "workable": (
        "https://www.wingtiptoys.example/careers",
        "workable/careers.html",
        [("workable", "wingtip-toys", None, None, "link")],
        "Wingtip Toys",
    ),
    "smartrecruiters": (
        "https://www.adventure-works.example/jobs",
        "smartrecruiters/widget.html",
        [("smartrecruiters", "AdventureWorks1", None, None, "widget")],
        "Adventure Works",
    ),
    "recruitee": (
        "https://www.graphicdesign.example/werken-bij",
        "recruitee/careers.html",
        [("recruitee", "graphicdesign", None, None, "link")],
        "Graphic Design Institute",
    ),
    "recruitee-custom-domain": (
        "https://careers.proseware.example/",
        "recruitee/custom.html",
        [("recruitee", "proseware", "careers.proseware.example", None, "custom-domain")],
        "Proseware",
    ),
    "personio": (
        "https://www.treyresearch.example/karriere",
        "personio/iframe.html",
        [("personio", "treyresearch", None, None, "link")],
        "Trey Research",
    ),
    "teamtailor": (
        "https://woodgrove.example/jobb",
        "teamtailor/links.html",
        [("teamtailor", "woodgrove", None, None, "link")],
        "Woodgrove Bank",
    ),
    "teamtailor-custom-domain": (
        "https://careers.fourthcoffee.example/",
        "teamtailor/custom.html",
        [("teamtailor", "fourthcoffee", "careers.fourthcoffee.example", None, "custom-domain")],
        "Fourth Coffee",
    ),
    "workday": (
        "https://www.relecloud.example/careers",
        "workday/links.html",
        [
            (
                "workday",
                "relecloud/Relecloud_Careers",
                "relecloud.wd5.myworkdayjobs.com",
                "Relecloud_Careers",
                "link",
            ),
            (
                "workday",
                "relecloud/Relecloud_Campus",
                "relecloud.wd5.myworkdayjobs.com",
                "Relecloud_Campus",
                "link",
            ),
        ],
        "Relecloud",
    ),
    "json-ld": (
        "https://www.alpineskihouse.example/jobs/backend",
        "jsonld/posting.html",
        [("lever", "alpineskihouse", None, None, "json-ld")],
        "Alpine Ski House",
    ),
}
NOTHING = "https://www.plain.example/"  # a home page without careers link or board


def routes() -> list[Route]:
    found = [
        Route(url=url, body=(PAGES / page).read_bytes(), content_type=HTML)
        for url, page, *_ in CASES.values()
    ]
    careers = (PAGES / "lever" / "careers.html").read_bytes()
    gh_job = json.dumps({"id": 4012345006, "title": "Backend Engineer"}).encode()
    return [
        *found,
        Route(url="https://www.contoso.example/company/careers", body=careers, content_type=HTML),
        Route(url="https://boards-api.greenhouse.io/v1/boards/fabrikam/jobs/4012345006", body=gh_job),
        Route(
            url=NOTHING,
            body=b"<html><body><h1>Plain</h1><a href='/about'>About</a></body></html>",
            content_type=HTML,
        ),
    ]


def discover(*args: str, mirror: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "discover", *args, "-s", f"ATS_MIRROR={mirror}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def blocks(stdout: str) -> dict[str, list[dict]]:
    """The printed entries per input URL (the comment line before each block names it)."""
    result: dict[str, list[dict]] = {}
    current = None
    for line in stdout.splitlines():
        if line.startswith("# ") and ": " in line and not line.startswith("#   "):
            current = line[2:].split(": ", 1)[0]
            result[current] = []
        elif line.startswith("- "):
            result[current].extend(yaml.safe_load(line))
    return result


@pytest.fixture(scope="module")
def server():
    with StandinServer(routes()) as running:
        yield running


@pytest.fixture(scope="module")
def run_all(server):
    urls = [url for url, *_ in CASES.values()]
    return discover(*urls, mirror=server.base_url)


@pytest.mark.parametrize("case", list(CASES))
def test_discover_finds_the_board_per_ats(run_all, case):
    url, _page, expected, name = CASES[case]
    assert run_all.returncode == 0, run_all.stderr
    entries = blocks(run_all.stdout)[url]
    got = [(e["ats"], e["token"], e.get("host"), e.get("site")) for e in entries]
    assert got == [board[:4] for board in expected]
    for entry in entries:
        assert entry["name"] == name
        assert entry["source"] == f"discover:{url}"
        assert entry["website"].startswith("https://")
        assert entry["website"].endswith(".example/")
    evidence = {board[4] for board in expected}
    comment = next(line for line in run_all.stdout.splitlines() if line.startswith(f"# {url}: "))
    assert all(f"by {how}" in comment for how in evidence)


def test_discover_follows_one_careers_link_and_goes_through_the_mirror(run_all, server):
    assert server.count("https://www.contoso.example/company/careers") == 1
    # gh_jid: the job id was checked against the Greenhouse API with tokens made from the domain
    assert server.count("https://boards-api.greenhouse.io/v1/boards/fabrikam/jobs/4012345006") == 1


def test_discover_reports_a_page_without_board(server):
    result = discover(NOTHING, mirror=server.base_url)
    assert result.returncode == 1
    assert f"# {NOTHING}: no board found" in result.stdout


def test_discover_add_merges_into_the_right_files(server, tmp_path):
    folder = tmp_path / "companies"
    folder.mkdir()
    (folder / "lever.yml").write_text("# lever boards\n\n- {name: Contoso Ltd, ats: lever, token: contoso}\n")
    urls = [CASES["lever-home-page"][0], CASES["workday"][0], CASES["teamtailor-custom-domain"][0]]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "discover",
            *urls,
            "--add",
            "--out",
            str(folder),
            "-s",
            f"ATS_MIRROR={server.base_url}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "added 3 new board(s), 1 already known" in result.stdout
    assert sorted(p.name for p in folder.glob("*.yml")) == ["lever.yml", "teamtailor.yml", "workday.yml"]
    lever = (folder / "lever.yml").read_text()
    assert lever.startswith("# lever boards\n\n")
    # the known board keeps its curated name, and remembers it was discovered too
    assert "name: Contoso Ltd" in lever
    assert "discover:https://www.contoso.example/" in lever
    boards, problems = load_registry(folder)
    assert problems == []
    assert {b.key for b in boards} == {
        "lever:contoso",
        "workday:relecloud/Relecloud_Careers",
        "workday:relecloud/Relecloud_Campus",
        "teamtailor:fourthcoffee",
    }
    custom = next(b for b in boards if b.ats == "teamtailor")
    assert custom.host == "careers.fourthcoffee.example"


# --- the pure parts ------------------------------------------------------------------------------


def test_boards_in_page_reads_escaped_urls_in_scripts():
    html = '<script>var cfg = {"jobs": "https:\\/\\/boards.greenhouse.io\\/acme\\/jobs\\/123"};</script>'
    assert [(b.ats, b.token) for b in boards_in_page(html, "https://acme.example/")] == [
        ("greenhouse", "acme")
    ]


def test_boards_in_page_ignores_vendor_pages_and_job_links_without_board():
    html = """<a href="https://www.greenhouse.com/">Powered by Greenhouse</a>
    <a href="https://apply.workable.com/j/ABC123">a job</a>
    <a href="https://www.lever.co/">Lever</a>
    <a href="https://acme.wd1.myworkdayjobs.com/en-US">Workday without a site</a>"""
    assert boards_in_page(html, "https://acme.example/") == []


def test_careers_link_prefers_link_text_and_own_site():
    html = """<a href="https://blog.example.org/jobs-report">Jobs report</a>
    <a href="/about">About</a><a href="/join">Join us</a>"""
    assert careers_link(html, "https://acme.example/") == "https://acme.example/join"
    assert careers_link("<a href='/about'>About</a>", "https://acme.example/") is None


def test_company_name_falls_back_to_the_domain():
    assert company_name("<html></html>", "https://careers.acme-robotics.example/x") == "Acme Robotics"


def test_greenhouse_candidates():
    assert greenhouse_candidates("https://www.acme-robotics.example/careers") == [
        "acmerobotics",
        "acme-robotics",
        "acme",
    ]


def test_registry_entries():
    found = Discovery("acme.example", [Found("lever", "acme", evidence="link")], name="Acme")
    assert registry_entries(found) == [
        {
            "name": "Acme",
            "website": "https://acme.example/",
            "ats": "lever",
            "token": "acme",
            "source": "discover:acme.example",
        }
    ]
