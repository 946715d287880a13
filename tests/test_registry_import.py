"""`scrapy registry import`: real rows of every inventory file in ../shared/registry-sources/stapply/, one
case per quirk in its SOURCES.md, and the bundled registry built from them."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest
import yaml

from jobspiders.registry import load_registry, select_boards
from jobspiders.registry_import import (
    entry_line,
    import_files,
    needed_host,
    new_builder,
    normalise_token,
)
from tests.conftest import INVENTORY, ROOT

BUNDLED = Path(str(resources.files("jobspiders.data").joinpath("companies")))


def csv_file(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / "stapply" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("name,url\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def run_import(tmp_path: Path, *files: Path, folder: Path | None = None):
    folder = folder or tmp_path / "companies"
    builder = new_builder(folder)
    report = import_files(files, builder)
    builder.write(folder)
    boards, problems = load_registry(folder)
    assert problems == []
    return report, {board.key: board for board in boards}, folder


# --- one test per inventory file, on its real rows --------------------------------------------------


def test_greenhouse_slug_names_numeric_boards_and_the_embed_row(tmp_path):
    path = csv_file(
        tmp_path,
        "greenhouse.csv",
        "103644278,https://job-boards.greenhouse.io/103644278",
        "10Alabs,https://job-boards.greenhouse.io/10alabs",
        "Embed,https://job-boards.greenhouse.io/embed",
    )
    report, boards, _ = run_import(tmp_path, path)
    # names derived from the slug are kept (a crawl may learn the real one); numeric board ids too
    assert boards["greenhouse:103644278"].name == "103644278"
    assert boards["greenhouse:10alabs"].name == "10Alabs"
    assert boards["greenhouse:10alabs"].host is None  # job-boards.greenhouse.io is the default
    assert boards["greenhouse:10alabs"].source == "stapply/greenhouse.csv"
    assert [(r.line, r.reason) for r in report.rejected] == [(4, "no-board")]


def test_lever_percent_encoded_duplicates_merge_and_case_is_folded(tmp_path):
    path = csv_file(
        tmp_path,
        "lever.csv",
        "1840&Company,https://jobs.lever.co/1840%26company",
        "1840&Company,https://jobs.lever.co/1840&company",
        "DeepJudge,https://jobs.lever.co/DeepJudge",
        "Loop Ai,https://jobs.lever.co/loop%20ai",
    )
    report, boards, folder = run_import(tmp_path, path)
    assert sorted(boards) == ["lever:1840&company", "lever:deepjudge", "lever:loop ai"]
    assert (report.new["lever"], report.merged["lever"]) == (3, 1)
    assert "{name: 1840&Company, ats: lever, token: 1840&company" in (folder / "lever.yml").read_text()


def test_ashby_keeps_the_organization_case_and_decodes_spaces(tmp_path):
    path = csv_file(
        tmp_path,
        "ashby.csv",
        "1St Formations,https://jobs.ashbyhq.com/1st%20formations",
        "Highlightta,https://jobs.ashbyhq.com/HighlightTA",
    )
    _, boards, _ = run_import(tmp_path, path)
    assert set(boards) == {"ashby:1st formations", "ashby:HighlightTA"}


def test_rippling_slugs(tmp_path):
    path = csv_file(
        tmp_path,
        "rippling.csv",
        "15 Lightyears Careers,https://ats.rippling.com/15-lightyears-careers/jobs",
        "1X,https://ats.rippling.com/1x/jobs",
    )
    _, boards, _ = run_import(tmp_path, path)
    assert boards["rippling:15-lightyears-careers"].name == "15 Lightyears Careers"
    assert "rippling:1x" in boards


def test_smartrecruiters_job_pages_become_one_board_per_company(tmp_path):
    path = csv_file(
        tmp_path,
        "smartrecruiters.csv",
        "Oneclick Ui,https://jobs.smartrecruiters.com/oneclick-ui/company/WSHGroup/publication/394949ee-8022-401a-b3bf-8ab88038f91c",
        "External Referrals,https://jobs.smartrecruiters.com/external-referrals/company/WSHGroup/publication/370c6f2e-ffd5-4db4-9177-231f5f4f9e67",
        "Wshgroup,https://jobs.smartrecruiters.com/WSHGroup/744000091624446-bartender-british-airways-concorde-lounge",
        "Culinagroup1,https://jobs.smartrecruiters.com/CulinaGroup1/744000093688041-shunter-",
        "Culinagroup1,https://jobs.smartrecruiters.com/CulinaGroup1/744000093671071-class-1-rail-driver",
    )
    report, boards, _ = run_import(tmp_path, path)
    # the company identifier keeps its case (the API is case-sensitive)
    assert sorted(boards) == ["smartrecruiters:CulinaGroup1", "smartrecruiters:WSHGroup"]
    # "Oneclick Ui" was made from the wrong path segment: the token names it until a real row does
    assert boards["smartrecruiters:WSHGroup"].name == "Wshgroup"
    assert (report.new["smartrecruiters"], report.merged["smartrecruiters"]) == (2, 3)


def test_workable_leading_dash_slug_and_leading_space_name(tmp_path):
    path = csv_file(
        tmp_path,
        "workable.csv",
        " Our Home,https://apply.workable.com/-our-home",
        "Ryanair,https://apply.workable.com/ryanair",
        "J,https://apply.workable.com/j",
    )
    report, boards, _ = run_import(tmp_path, path)
    assert boards["workable:-our-home"].name == "Our Home"
    assert "workable:ryanair" in boards
    assert [(r.line, r.reason) for r in report.rejected] == [(4, "no-board")]


def test_workday_sites_of_one_tenant_stay_separate_boards(tmp_path):
    path = csv_file(
        tmp_path,
        "workday.csv",
        "2020Companies,https://2020companies.wd1.myworkdayjobs.com/en-us",
        "2020Companies,https://2020companies.wd1.myworkdayjobs.com/external_careers",
        "3M,https://3m.wd1.myworkdayjobs.com/en-us",
        "3M,https://3m.wd1.myworkdayjobs.com/search",
        "Gn,https://gn.wd3.myworkdayjobs.com/jabracareers",
        "Gn,https://gn.wd3.myworkdayjobs.com/resoundcareers",
        "7Eleven,https://7eleven.wd3.myworkdayjobs.com/en-us",
    )
    report, boards, _ = run_import(tmp_path, path)
    assert sorted(boards) == [
        "workday:2020companies/external_careers",
        "workday:3m/search",
        "workday:gn/jabracareers",
        "workday:gn/resoundcareers",
    ]
    jabra = boards["workday:gn/jabracareers"]
    assert (jabra.tenant, jabra.site, jabra.host) == ("gn", "jabracareers", "gn.wd3.myworkdayjobs.com")
    # a locale-only URL names no site: merged into the tenant's sites, or rejected when it has none
    assert report.merged["workday"] == 2
    assert [(r.line, r.reason) for r in report.rejected] == [(8, "workday-no-site")]
    # -a company=gn selects every site of the tenant
    assert len(list(select_boards(boards.values(), tokens=["gn"]))) == 2


# --- the other input formats and rejection reasons --------------------------------------------------


def test_url_lists_and_yaml_inputs_with_every_reason(tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "# boards a user sent\n"
        "https://job-boards.eu.greenhouse.io/eucorp/jobs/123\n"
        "jobs.eu.lever.co/eulever\n"
        "\n"
        "https://acme.na.teamtailor.com/jobs/1-dev\n"
        "https://acme.jobs.personio.com/job/7\n"
        "https://example.com/careers\n"
        "not a url at all\n"
        "https://www.acme.example/careers?gh_jid=123\n"
    )
    registry = tmp_path / "more.yml"
    registry.write_text(
        "- {name: Acme, website: acme.example, ats: recruitee, token: acme, host: careers.acme.example}\n"
        "- {name: Listed, url: 'https://apply.workable.com/listed/'}\n"
        "- {name: Broken, ats: greenhouse}\n"
        "- just text\n"
    )
    report, boards, _ = run_import(tmp_path, urls, registry)
    assert boards["greenhouse:eucorp"].host == "job-boards.eu.greenhouse.io"  # EU data residency
    assert boards["lever:eulever"].host == "jobs.eu.lever.co"
    assert boards["teamtailor:acme"].host == "acme.na.teamtailor.com"  # a regional cluster
    assert boards["personio:acme"].host == "acme.jobs.personio.com"
    assert boards["recruitee:acme"].host == "careers.acme.example"  # a custom domain, as given
    assert boards["recruitee:acme"].source.endswith("/more.yml")  # provenance: folder/file
    assert boards["workable:listed"].name == "Listed"
    assert [(Path(r.file).name, r.line, r.reason) for r in report.rejected] == [
        ("urls.txt", 7, "unknown-ats"),
        ("urls.txt", 8, "not-a-url"),
        ("urls.txt", 9, "no-board"),
        ("more.yml", 3, "invalid-entry"),
        ("more.yml", 4, "bad-row"),
    ]
    assert str(report.rejected[3]).endswith("more.yml:3: invalid-entry: missing token")


def test_csv_row_with_wrong_column_count_is_reported(tmp_path):
    path = csv_file(
        tmp_path, "lever.csv", "Good,https://jobs.lever.co/good", "Bad,row,https://jobs.lever.co/x"
    )
    report, boards, _ = run_import(tmp_path, path)
    assert list(boards) == ["lever:good"]
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "bad-row")]


def test_curated_entries_keep_their_fields_and_gain_provenance(tmp_path):
    folder = tmp_path / "companies"
    folder.mkdir()
    (folder / "lever.yml").write_text(
        "# my lever boards\n\n- {name: Yuno, website: https://y.uno/, ats: lever, token: yuno}\n"
    )
    (folder / "workday.yml").write_text(
        "- {name: Stedin, ats: workday, token: stedin, host: stedin.wd3.myworkdayjobs.com,"
        " site: WerkenbijStedin}\n"
    )
    path = csv_file(
        tmp_path,
        "lever.csv",
        "Yuno,https://jobs.lever.co/yuno",
        "Acme,https://jobs.lever.co/acme",
    )
    wd = csv_file(tmp_path, "workday.csv", "Stedin,https://stedin.wd3.myworkdayjobs.com/werkenbijstedin")
    report, boards, _ = run_import(tmp_path, path, wd, folder=folder)
    yuno = boards["lever:yuno"]
    assert (yuno.name, yuno.website, yuno.source) == (
        "Yuno",
        "https://y.uno/",
        ["curated", "stapply/lever.csv"],
    )
    text = (folder / "lever.yml").read_text()
    assert text.startswith("# my lever boards\n\n- {name: Acme")  # header kept, entries sorted
    stedin = boards["workday:stedin/WerkenbijStedin"]  # the site matched case-insensitively
    assert (stedin.site, stedin.curated) == ("WerkenbijStedin", True)
    assert report.merged["workday"] == 1


def test_import_is_idempotent(tmp_path):
    path = csv_file(tmp_path, "ashby.csv", "0G,https://jobs.ashbyhq.com/0g", "0X,https://jobs.ashbyhq.com/0x")
    _, _, folder = run_import(tmp_path, path)
    before = (folder / "ashby.yml").read_text()
    builder = new_builder(folder)
    report = import_files([path], builder)
    assert (sum(report.new.values()), sum(report.merged.values())) == (0, 2)
    assert builder.write(folder) == []  # nothing changed, nothing written
    assert (folder / "ashby.yml").read_text() == before


@pytest.mark.parametrize(
    ("ats", "token", "host", "kept"),
    [
        ("workday", "acme/External", "acme.wd5.myworkdayjobs.com", "acme.wd5.myworkdayjobs.com"),
        ("greenhouse", "acme", "boards.greenhouse.io", None),
        ("lever", "acme", "jobs.lever.co", None),
        ("recruitee", "acme", "acme.recruitee.com", None),
        ("zohorecruit", "acme", "acme.zohorecruit.in", "acme.zohorecruit.in"),
        ("zohorecruit", "acme", "acme.zohorecruit.com", None),
        ("smartrecruiters", "Acme", "jobs.smartrecruiters.com", None),
    ],
)
def test_needed_host(ats, token, host, kept):
    assert needed_host(ats, token, host) == kept


def test_normalise_token():
    assert normalise_token("greenhouse", "ACME") == "acme"
    assert normalise_token("smartrecruiters", "BoschGroup") == "BoschGroup"
    assert normalise_token("workday", "ACME/External") == "acme/External"


def test_entry_line_is_one_flow_line_that_reads_back():
    entry = {"source": "x", "token": "a: b", "ats": "lever", "name": "#1 & Co"}
    line = entry_line(entry)
    assert line.count("\n") == 1
    assert line.startswith("- {name: ")
    assert yaml.safe_load(line) == [{"name": "#1 & Co", "ats": "lever", "token": "a: b", "source": "x"}]


# --- the bundled registry -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled():
    boards, problems = load_registry()
    assert problems == []
    return boards


def test_bundled_registry_counts(bundled):
    counts = Counter(board.ats for board in bundled)
    assert counts["greenhouse"] >= 2500
    assert counts["lever"] >= 1750
    assert counts["workable"] >= 3500
    assert counts["ashby"] >= 1550
    assert counts["rippling"] >= 1300
    assert counts["workday"] >= 950
    assert counts["smartrecruiters"] >= 200
    assert len({board.key for board in bundled}) == len(bundled)


def test_bundled_registry_keeps_every_curated_seed(bundled):
    keys = {board.key: board for board in bundled}
    for key in (
        "greenhouse:capitalrx",
        "greenhouse:axicorpfinancialservicesptyltd",
        "lever:yuno",
        "smartrecruiters:BoschGroup",
        "ashby:posthog",
        "workable:skroutz",
        "rippling:cbtsindia",
        "workday:stedin/WerkenbijStedin",
        "workday:cbcrc/CBC_Radio-Canada_Jobs",
    ):
        assert keys[key].curated, key
    assert keys["greenhouse:capitalrx"].website == "https://capitalrx.com/"
    assert keys["workday:zoetis/zoetis_intl"].host == "zoetis.wd5.myworkdayjobs.com"
    assert all(board.source for board in bundled if board.ats in {"greenhouse", "lever", "workday"})


def test_bundled_imported_data_has_its_license():
    license_text = (BUNDLED / "LICENSE-stapply").read_text()
    assert "MIT License" in license_text
    assert "stapply-ai" in license_text


def test_bundled_files_are_sorted_one_entry_per_line():
    for name in ("greenhouse", "lever", "ashby", "rippling", "smartrecruiters", "workable", "workday"):
        lines = [line for line in (BUNDLED / f"{name}.yml").read_text().splitlines() if line.startswith("- ")]
        assert all(line.endswith("}") for line in lines)
        tokens = [yaml.safe_load(line)[0]["token"] for line in lines]
        assert [str(t).casefold() for t in tokens] == sorted(str(t).casefold() for t in tokens), name


def test_shards_partition_the_bundled_registry(bundled):
    from jobspiders.registry import in_shard

    for count in (4, 7):
        owners = Counter()
        for board in bundled:
            hits = [i for i in range(1, count + 1) if in_shard(board, i, count)]
            assert len(hits) == 1
            owners[hits[0]] += 1
        assert min(owners.values()) > len(bundled) / count * 0.9  # and roughly even
    # several sites of one tenant are several boards, each in exactly one shard
    gn = [board for board in bundled if board.ats == "workday" and board.tenant == "gn"]
    assert len(gn) == 5
    per_shard = [list(select_boards(gn, shard=(i, 3))) for i in (1, 2, 3)]
    assert sorted(b.key for part in per_shard for b in part) == sorted(b.key for b in gn)


@pytest.mark.skipif(not INVENTORY.is_dir(), reason="../shared/registry-sources is not beside this checkout")
def test_registry_import_command_counts_and_rejects(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "registry",
            "import",
            str(INVENTORY / "workday.csv"),
            str(INVENTORY / "greenhouse.csv"),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "workday-no-site     534" in result.stdout
    assert "no-board              1" in result.stdout
    assert (
        f"{INVENTORY / 'greenhouse.csv'}:728: no-board: greenhouse: https://job-boards.greenhouse.io/embed"
        in (result.stderr)
    )
    boards, problems = load_registry(tmp_path / "out")
    assert problems == []
    assert Counter(b.ats for b in boards) == {"greenhouse": 2541, "workday": 959}
