"""Tests for jobspiders.detect: URL -> (ats, token, host, site, job_id)."""

from __future__ import annotations

import csv
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.detect import ATS_NAMES, Detection, detect_many, detect_url
from tests.conftest import INVENTORY

# (url, ats, token, host, site, job_id)
Case = tuple[str, str | None, str | None, str | None, str | None, str | None]

UUID = "4c1ebdec-0000-4bcf-82d4-000000000000"
GH = "4012345006"

SYNTHETIC: list[Case] = [
    # --- greenhouse
    ("https://boards.greenhouse.io/acme", "greenhouse", "acme", "boards.greenhouse.io", None, None),
    (
        f"https://boards.greenhouse.io/acme/jobs/{GH}?gh_src=abc",
        "greenhouse",
        "acme",
        "boards.greenhouse.io",
        None,
        GH,
    ),
    (
        f"https://job-boards.greenhouse.io/acme/jobs/{GH}#app",
        "greenhouse",
        "acme",
        "job-boards.greenhouse.io",
        None,
        GH,
    ),
    (
        f"https://job-boards.eu.greenhouse.io/acme/jobs/{GH}",
        "greenhouse",
        "acme",
        "job-boards.eu.greenhouse.io",
        None,
        GH,
    ),
    (
        "https://boards.greenhouse.io/embed/job_board?for=acme&b=https%3A%2F%2Facme.com",
        "greenhouse",
        "acme",
        "boards.greenhouse.io",
        None,
        None,
    ),
    (
        "https://boards.greenhouse.io/embed/job_board/js?for=acme",
        "greenhouse",
        "acme",
        "boards.greenhouse.io",
        None,
        None,
    ),
    (
        f"https://boards.greenhouse.io/embed/job_app?for=acme&token={GH}",
        "greenhouse",
        "acme",
        "boards.greenhouse.io",
        None,
        GH,
    ),
    (
        "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true",
        "greenhouse",
        "acme",
        "boards-api.greenhouse.io",
        None,
        None,
    ),
    (
        f"https://boards-api.greenhouse.io/v1/boards/acme/jobs/{GH}?questions=true",
        "greenhouse",
        "acme",
        "boards-api.greenhouse.io",
        None,
        GH,
    ),
    (
        "https://boards.greenhouse.io/acme?gh_jid=123",
        "greenhouse",
        "acme",
        "boards.greenhouse.io",
        None,
        "123",
    ),
    # Query values are decoded once (parse_qs), not twice.
    (
        "https://boards.greenhouse.io/embed/job_board?for=a%2525b",
        "greenhouse",
        "a%25b",
        "boards.greenhouse.io",
        None,
        None,
    ),
    # gh_jid on a company site: the job is known, the board is not.
    ("https://stripe.com/jobs/search?gh_jid=6041263", "greenhouse", None, "stripe.com", None, "6041263"),
    ("https://www.acme.com/careers/?gh_jid=123&gh_src=x", "greenhouse", None, "www.acme.com", None, "123"),
    ("https://acme.com/careers?gh_jid=abc", None, None, None, None, None),  # not an id
    # --- lever
    ("jobs.lever.co/acme", "lever", "acme", "jobs.lever.co", None, None),
    (f"https://jobs.lever.co/acme/{UUID}/apply", "lever", "acme", "jobs.lever.co", None, UUID),
    (f"https://jobs.eu.lever.co/acme/{UUID}", "lever", "acme", "jobs.eu.lever.co", None, UUID),
    ("https://api.lever.co/v0/postings/acme?mode=json", "lever", "acme", "api.lever.co", None, None),
    (f"https://api.eu.lever.co/v0/postings/acme/{UUID}", "lever", "acme", "api.eu.lever.co", None, UUID),
    (
        "https://jobs.lever.co/acme?team=Engineering&utm_source=x",
        "lever",
        "acme",
        "jobs.lever.co",
        None,
        None,
    ),
    ("HTTPS://JOBS.LEVER.CO/Acme/", "lever", "Acme", "jobs.lever.co", None, None),
    ("https://jobs.lever.co", "lever", None, "jobs.lever.co", None, None),
    # --- workable
    ("https://apply.workable.com/acme/", "workable", "acme", "apply.workable.com", None, None),
    (
        "https://apply.workable.com/acme/j/5C1A2B3D4E/",
        "workable",
        "acme",
        "apply.workable.com",
        None,
        "5C1A2B3D4E",
    ),
    (
        "https://apply.workable.com/j/5C1A2B3D4E/apply",
        "workable",
        None,
        "apply.workable.com",
        None,
        "5C1A2B3D4E",
    ),
    ("https://acme.workable.com/j/5C1A2B3D4E", "workable", "acme", "acme.workable.com", None, "5C1A2B3D4E"),
    (
        "https://apply.workable.com/api/v3/accounts/acme/jobs",
        "workable",
        "acme",
        "apply.workable.com",
        None,
        None,
    ),
    (
        "https://apply.workable.com/api/v2/accounts/acme/jobs/5C1A2B3D4E",
        "workable",
        "acme",
        "apply.workable.com",
        None,
        "5C1A2B3D4E",
    ),
    (
        "https://apply.workable.com/api/v1/widget/accounts/acme?details=true",
        "workable",
        "acme",
        "apply.workable.com",
        None,
        None,
    ),
    (
        "https://www.workable.com/api/accounts/acme?details=true",
        "workable",
        "acme",
        "www.workable.com",
        None,
        None,
    ),
    ("https://www.workable.com/pricing", None, None, None, None, None),
    # --- smartrecruiters (company identifier keeps its case)
    (
        "https://jobs.smartrecruiters.com/BoschGroup/744000012345678-backend-developer",
        "smartrecruiters",
        "BoschGroup",
        "jobs.smartrecruiters.com",
        None,
        "744000012345678",
    ),
    (
        "https://careers.smartrecruiters.com/BoschGroup",
        "smartrecruiters",
        "BoschGroup",
        "careers.smartrecruiters.com",
        None,
        None,
    ),
    (
        "https://api.smartrecruiters.com/v1/companies/BoschGroup/postings?limit=100&offset=0",
        "smartrecruiters",
        "BoschGroup",
        "api.smartrecruiters.com",
        None,
        None,
    ),
    (
        "https://api.smartrecruiters.com/v1/companies/BoschGroup/postings/744000012345678",
        "smartrecruiters",
        "BoschGroup",
        "api.smartrecruiters.com",
        None,
        "744000012345678",
    ),
    # --- teamtailor
    ("https://acme.teamtailor.com", "teamtailor", "acme", "acme.teamtailor.com", None, None),
    (
        "https://acme.teamtailor.com/jobs/1794803-full-stack-engineer",
        "teamtailor",
        "acme",
        "acme.teamtailor.com",
        None,
        "1794803",
    ),
    (
        "https://aplayers.na.teamtailor.com/jobs/536324-senior-engineer/applications/new",
        "teamtailor",
        "aplayers",
        "aplayers.na.teamtailor.com",
        None,
        "536324",
    ),
    ("https://acme.teamtailor.com/jobs.rss", "teamtailor", "acme", "acme.teamtailor.com", None, None),
    ("https://acme.teamtailor.com/en/jobs/123-x", "teamtailor", "acme", "acme.teamtailor.com", None, "123"),
    ("https://www.teamtailor.com/en/pricing", None, None, None, None, None),  # vendor site
    ("https://api.na.teamtailor.com/v1/jobs", None, None, None, None, None),  # keyed API, not a board
    (
        "https://careers.ingeniouslion.com/jobs/6518250-developer",
        None,
        None,
        None,
        None,
        None,
    ),  # custom domain
    # --- workday (token = tenant, site case kept, job id after the last "_")
    (
        "https://stedin.wd3.myworkdayjobs.com/en-US/WerkenbijStedin/job/Rotterdam/Backend-Developer_JR13717",
        "workday",
        "stedin",
        "stedin.wd3.myworkdayjobs.com",
        "WerkenbijStedin",
        "JR13717",
    ),
    (
        "https://stedin.wd3.myworkdayjobs.com/WerkenbijStedin/job/Rotterdam/Backend-Developer_JR-13717-1/apply",
        "workday",
        "stedin",
        "stedin.wd3.myworkdayjobs.com",
        "WerkenbijStedin",
        "JR-13717-1",
    ),
    (
        "https://acme.wd1.myworkdayjobs.com/External/job/New-York_NY/Title_R123",
        "workday",
        "acme",
        "acme.wd1.myworkdayjobs.com",
        "External",
        "R123",
    ),
    (
        "https://acme.wd5.myworkdayjobs.com/External/details/Backend-Engineer_R12345",
        "workday",
        "acme",
        "acme.wd5.myworkdayjobs.com",
        "External",
        "R12345",
    ),
    ("https://acme.wd5.myworkdayjobs.com/en-US", "workday", "acme", "acme.wd5.myworkdayjobs.com", None, None),
    (
        "https://acme.wd5.myworkdayjobs.com/zh-Hant",
        "workday",
        "acme",
        "acme.wd5.myworkdayjobs.com",
        None,
        None,
    ),
    ("https://acme.wd5.myworkdayjobs.com", "workday", "acme", "acme.wd5.myworkdayjobs.com", None, None),
    (
        "https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/External/jobs",
        "workday",
        "acme",
        "acme.wd5.myworkdayjobs.com",
        "External",
        None,
    ),
    (
        "https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/External/job/Berlin/Backend_R12345",
        "workday",
        "acme",
        "acme.wd5.myworkdayjobs.com",
        "External",
        "R12345",
    ),
    (
        "https://wd3.myworkdaysite.com/recruiting/acme/External",
        "workday",
        "acme",
        "wd3.myworkdaysite.com",
        "External",
        None,
    ),
    (
        "https://wd3.myworkdaysite.com/en-US/recruiting/acme/External/job/Berlin/Dev_JR1",
        "workday",
        "acme",
        "wd3.myworkdaysite.com",
        "External",
        "JR1",
    ),
    # --- recruitee
    ("https://acme.recruitee.com", "recruitee", "acme", "acme.recruitee.com", None, None),
    (
        "https://acme.recruitee.com/o/senior-backend-developer",
        "recruitee",
        "acme",
        "acme.recruitee.com",
        None,
        "senior-backend-developer",
    ),
    ("https://acme.recruitee.com/api/offers/", "recruitee", "acme", "acme.recruitee.com", None, None),
    (
        "https://acme.recruitee.com/api/offers/senior-backend-developer",
        "recruitee",
        "acme",
        "acme.recruitee.com",
        None,
        "senior-backend-developer",
    ),
    ("https://careers.acme.com/o/senior-backend-developer", None, None, None, None, None),  # custom domain
    # --- personio
    (
        "https://acme.jobs.personio.de/job/1234567?language=en&display=en",
        "personio",
        "acme",
        "acme.jobs.personio.de",
        None,
        "1234567",
    ),
    ("https://acme.jobs.personio.com", "personio", "acme", "acme.jobs.personio.com", None, None),
    (
        "https://acme.jobs.personio.de/xml?language=en",
        "personio",
        "acme",
        "acme.jobs.personio.de",
        None,
        None,
    ),
    ("https://acme.jobs.personio.de/search.json", "personio", "acme", "acme.jobs.personio.de", None, None),
    (
        "https://acme.jobs.personio.com/job/987?display=en",
        "personio",
        "acme",
        "acme.jobs.personio.com",
        None,
        "987",
    ),
    ("https://acme.personio.de/", None, None, None, None, None),  # HR login, not the board
    # --- zohorecruit
    (
        "https://acme.zohorecruit.com/jobs/Careers/558221000012345678/Backend-Developer?source=CareerSite",
        "zohorecruit",
        "acme",
        "acme.zohorecruit.com",
        None,
        "558221000012345678",
    ),
    ("https://acme.zohorecruit.eu/jobs/Careers", "zohorecruit", "acme", "acme.zohorecruit.eu", None, None),
    (
        "https://acme.zohorecruit.in/recruit/v2/public/Job_Openings?pagename=Careers&source=CareerSite",
        "zohorecruit",
        "acme",
        "acme.zohorecruit.in",
        None,
        None,
    ),
    (
        "https://acme.zohorecruit.com.au/jobs/Careers/12345",
        "zohorecruit",
        "acme",
        "acme.zohorecruit.com.au",
        None,
        "12345",
    ),
    # --- jobylon (job pages carry no company; boards are a company id or a feed hash)
    (
        "https://emp.jobylon.com/jobs/313005-myparcel-backend-developer/",
        "jobylon",
        None,
        "emp.jobylon.com",
        None,
        "313005",
    ),
    (
        "https://emp.jobylon.com/applications/jobs/313005/create/",
        "jobylon",
        None,
        "emp.jobylon.com",
        None,
        "313005",
    ),
    ("https://emp.jobylon.com/companies/138-volumental/", "jobylon", "138", "emp.jobylon.com", None, None),
    (
        "https://feed.jobylon.com/feeds/3f2a9c1e0b7d4e5f8a6b9c0d1e2f3a4b/?format=json",
        "jobylon",
        "3f2a9c1e0b7d4e5f8a6b9c0d1e2f3a4b",
        "feed.jobylon.com",
        None,
        None,
    ),
    (
        "https://cdn.jobylon.com/jobs/companies/2451/embed/v2/?target=jobylon-jobs-widget&page_size=100",
        "jobylon",
        "2451",
        "cdn.jobylon.com",
        None,
        None,
    ),
    ("https://jobylon.com/pricing", None, None, None, None, None),
    # --- rippling
    ("https://ats.rippling.com/acme/jobs", "rippling", "acme", "ats.rippling.com", None, None),
    (
        "https://ats.rippling.com/acme/jobs/5a96ce02-5a73-449a-82bd-986e1d1ac69f",
        "rippling",
        "acme",
        "ats.rippling.com",
        None,
        "5a96ce02-5a73-449a-82bd-986e1d1ac69f",
    ),
    (
        "https://ats.rippling.com/en-GB/acme/jobs/5a96ce02-5a73-449a-82bd-986e1d1ac69f/apply",
        "rippling",
        "acme",
        "ats.rippling.com",
        None,
        "5a96ce02-5a73-449a-82bd-986e1d1ac69f",
    ),
    (
        "https://ats.rippling.com/es/jobs",
        "rippling",
        "es",
        "ats.rippling.com",
        None,
        None,
    ),  # slug, not locale
    (
        "https://api.rippling.com/platform/api/ats/v1/board/acme/jobs",
        "rippling",
        "acme",
        "api.rippling.com",
        None,
        None,
    ),
    (
        "https://api.rippling.com/platform/api/ats/v1/board/acme/jobs/5a96ce02-5a73-449a-82bd-986e1d1ac69f",
        "rippling",
        "acme",
        "api.rippling.com",
        None,
        "5a96ce02-5a73-449a-82bd-986e1d1ac69f",
    ),
    # --- taleo (site = career section)
    (
        "https://virtusa.taleo.net/careersection/ex/jobdetail.ftl?job=CREQ231430&lang=en",
        "taleo",
        "virtusa",
        "virtusa.taleo.net",
        "ex",
        "CREQ231430",
    ),
    (
        "https://virtusa.taleo.net/careersection/ex/jobsearch.ftl?lang=en",
        "taleo",
        "virtusa",
        "virtusa.taleo.net",
        "ex",
        None,
    ),
    (
        "https://virtusa.taleo.net/careersection/rest/jobboard/searchjobs?lang=en&portal=101430233",
        "taleo",
        "virtusa",
        "virtusa.taleo.net",
        None,
        None,
    ),
    (
        "https://acme.taleo.net/careersection/2/jobdetail.ftl;jsessionid=ABC123?job=12345",
        "taleo",
        "acme",
        "acme.taleo.net",
        "2",
        "12345",
    ),
    (
        "https://chp.tbe.taleo.net/chp01/ats/careers/v2/searchResults?org=ACME&cws=37",
        None,
        None,
        None,
        None,
        None,
    ),
    # --- join
    ("https://join.com/companies/qdrant", "join", "qdrant", "join.com", None, None),
    (
        "https://join.com/companies/qdrant/9876543-backend-engineer",
        "join",
        "qdrant",
        "join.com",
        None,
        "9876543",
    ),
    (
        "https://join.com/companies/qdrant/9876543-backend-engineer/apply",
        "join",
        "qdrant",
        "join.com",
        None,
        "9876543",
    ),
    ("https://join.com/api/public/companies/42/jobs?page=1", "join", None, "join.com", None, None),
    ("https://join.com/pricing", None, None, None, None, None),
    # --- jazzhr
    ("https://acme.applytojob.com/apply", "jazzhr", "acme", "acme.applytojob.com", None, None),
    (
        "https://snapsheet.applytojob.com/apply/r9Ch8TRMU8/Software-Engineer-Transactions",
        "jazzhr",
        "snapsheet",
        "snapsheet.applytojob.com",
        None,
        "r9Ch8TRMU8",
    ),
    (
        "https://mackaysposito.applytojob.com/apply/jobs/details/NmmaOEHCRw",
        "jazzhr",
        "mackaysposito",
        "mackaysposito.applytojob.com",
        None,
        "NmmaOEHCRw",
    ),
    ("https://acme.applytojob.com/apply/jobs", "jazzhr", "acme", "acme.applytojob.com", None, None),
    # --- ashby
    ("https://jobs.ashbyhq.com/HighlightTA", "ashby", "HighlightTA", "jobs.ashbyhq.com", None, None),
    (
        "https://jobs.ashbyhq.com/acme/4b3e8c2a-1d2f-4e5a-9b7c-0a1b2c3d4e5f/application",
        "ashby",
        "acme",
        "jobs.ashbyhq.com",
        None,
        "4b3e8c2a-1d2f-4e5a-9b7c-0a1b2c3d4e5f",
    ),
    (
        "https://api.ashbyhq.com/posting-api/job-board/acme?includeCompensation=true",
        "ashby",
        "acme",
        "api.ashbyhq.com",
        None,
        None,
    ),
    ("https://jobs.ashbyhq.com/acme/embed?version=2", "ashby", "acme", "jobs.ashbyhq.com", None, None),
    (
        "https://www.acme.com/careers?ashby_jid=4b3e8c2a-1d2f-4e5a-9b7c-0a1b2c3d4e5f",
        "ashby",
        None,
        "www.acme.com",
        None,
        "4b3e8c2a-1d2f-4e5a-9b7c-0a1b2c3d4e5f",
    ),
    # --- bamboohr
    ("https://acme.bamboohr.com/careers", "bamboohr", "acme", "acme.bamboohr.com", None, None),
    ("https://acme.bamboohr.com/careers/86", "bamboohr", "acme", "acme.bamboohr.com", None, "86"),
    ("https://acme.bamboohr.com/careers/86/detail", "bamboohr", "acme", "acme.bamboohr.com", None, "86"),
    ("https://acme.bamboohr.com/careers/list", "bamboohr", "acme", "acme.bamboohr.com", None, None),
    ("https://acme.bamboohr.com/jobs/view.php?id=86", "bamboohr", "acme", "acme.bamboohr.com", None, "86"),
    # --- scheme and host handling
    ("//jobs.lever.co/acme", "lever", "acme", "jobs.lever.co", None, None),
    ("jobs.lever.co:443/acme", "lever", "acme", "jobs.lever.co", None, None),
    ("  http://jobs.lever.co/acme//  ", "lever", "acme", "jobs.lever.co", None, None),
    ("https://ACME.Teamtailor.COM./jobs/1-x", "teamtailor", "acme", "acme.teamtailor.com", None, "1"),
]

# Real URLs from ../shared/registry-sources/stapply/*.csv (stapply-ai/ats-scrapers, MIT), expectations
# checked by reading each URL.
REAL: list[Case] = [
    # ashby.csv
    ("https://jobs.ashbyhq.com/01c", "ashby", "01c", "jobs.ashbyhq.com", None, None),
    ("https://jobs.ashbyhq.com/ambient.ai", "ashby", "ambient.ai", "jobs.ashbyhq.com", None, None),
    (
        "https://jobs.ashbyhq.com/heidihealth.com.au",
        "ashby",
        "heidihealth.com.au",
        "jobs.ashbyhq.com",
        None,
        None,
    ),
    (
        "https://jobs.ashbyhq.com/normal%20computing%20ai",
        "ashby",
        "normal computing ai",
        "jobs.ashbyhq.com",
        None,
        None,
    ),
    # greenhouse.csv
    (
        "https://job-boards.greenhouse.io/103644278",
        "greenhouse",
        "103644278",
        "job-boards.greenhouse.io",
        None,
        None,
    ),
    (
        "https://job-boards.greenhouse.io/cajal-tx",
        "greenhouse",
        "cajal-tx",
        "job-boards.greenhouse.io",
        None,
        None,
    ),
    (
        "https://job-boards.greenhouse.io/1pyra)mid_health&care",
        "greenhouse",
        "1pyra)mid_health&care",
        "job-boards.greenhouse.io",
        None,
        None,
    ),
    # "embed" is the embed prefix, not a board: the row names no board.
    ("https://job-boards.greenhouse.io/embed", "greenhouse", None, "job-boards.greenhouse.io", None, None),
    # lever.csv: the same board written encoded and raw gets one token; case and odd endings kept.
    ("https://jobs.lever.co/1840%26company", "lever", "1840&company", "jobs.lever.co", None, None),
    ("https://jobs.lever.co/1840&company", "lever", "1840&company", "jobs.lever.co", None, None),
    ("https://jobs.lever.co/DeepJudge", "lever", "DeepJudge", "jobs.lever.co", None, None),
    ("https://jobs.lever.co/neye-systems-inc.", "lever", "neye-systems-inc.", "jobs.lever.co", None, None),
    ("https://jobs.lever.co/quantco-", "lever", "quantco-", "jobs.lever.co", None, None),
    # rippling.csv: a slug that ends in a UUID is still the slug.
    (
        "https://ats.rippling.com/15-lightyears-careers/jobs",
        "rippling",
        "15-lightyears-careers",
        "ats.rippling.com",
        None,
        None,
    ),
    (
        "https://ats.rippling.com/dunder-mifflin2b318e3b-60f0-4d80-98c0-8f70fa8cccf6/jobs",
        "rippling",
        "dunder-mifflin2b318e3b-60f0-4d80-98c0-8f70fa8cccf6",
        "ats.rippling.com",
        None,
        None,
    ),
    (
        "https://ats.rippling.com/rpc_west_side/jobs",
        "rippling",
        "rpc_west_side",
        "ats.rippling.com",
        None,
        None,
    ),
    # smartrecruiters.csv: job pages; the board is the company identifier, wherever it sits.
    (
        "https://jobs.smartrecruiters.com/WSHGroup/744000091624446-bartender-british-airways-concorde-lounge",
        "smartrecruiters",
        "WSHGroup",
        "jobs.smartrecruiters.com",
        None,
        "744000091624446",
    ),
    (
        "https://jobs.smartrecruiters.com/CulinaGroup1/744000093688041-shunter-",
        "smartrecruiters",
        "CulinaGroup1",
        "jobs.smartrecruiters.com",
        None,
        "744000093688041",
    ),
    (
        "https://jobs.smartrecruiters.com/SopraSteria1/744000091305425-space-sustainability-systems-engineer-2-fte-25183-",
        "smartrecruiters",
        "SopraSteria1",
        "jobs.smartrecruiters.com",
        None,
        "744000091305425",
    ),
    (
        "https://jobs.smartrecruiters.com/external-referrals/company/WSHGroup/publication/13c35e08-358b-4d00-9820-e67bc385e765",
        "smartrecruiters",
        "WSHGroup",
        "jobs.smartrecruiters.com",
        None,
        "13c35e08-358b-4d00-9820-e67bc385e765",
    ),
    (
        "https://jobs.smartrecruiters.com/oneclick-ui/company/WSHGroup/publication/84eef529-9860-4a75-b799-91b2a66f7665/expired",
        "smartrecruiters",
        "WSHGroup",
        "jobs.smartrecruiters.com",
        None,
        "84eef529-9860-4a75-b799-91b2a66f7665",
    ),
    (
        "https://jobs.smartrecruiters.com/oneclick-ui/company/WSHGroup/job/3065227050",
        "smartrecruiters",
        "WSHGroup",
        "jobs.smartrecruiters.com",
        None,
        "3065227050",
    ),
    (
        "https://jobs.smartrecruiters.com/my-applications/AngloAmericanDeBeersGroup/input-email",
        "smartrecruiters",
        "AngloAmericanDeBeersGroup",
        "jobs.smartrecruiters.com",
        None,
        None,
    ),
    # workable.csv: the leading dash is part of the account (kept verbatim).
    ("https://apply.workable.com/-our-home", "workable", "-our-home", "apply.workable.com", None, None),
    ("https://apply.workable.com/1000heads", "workable", "1000heads", "apply.workable.com", None, None),
    (
        "https://apply.workable.com/mira-construction-l-dot-l-c-1",
        "workable",
        "mira-construction-l-dot-l-c-1",
        "apply.workable.com",
        None,
        None,
    ),
    ("https://apply.workable.com/j", "workable", None, "apply.workable.com", None, None),
    # workday.csv: one row per career site; locale-only rows have no site.
    (
        "https://2020companies.wd1.myworkdayjobs.com/en-us",
        "workday",
        "2020companies",
        "2020companies.wd1.myworkdayjobs.com",
        None,
        None,
    ),
    (
        "https://2020companies.wd1.myworkdayjobs.com/external_careers",
        "workday",
        "2020companies",
        "2020companies.wd1.myworkdayjobs.com",
        "external_careers",
        None,
    ),
    ("https://3m.wd1.myworkdayjobs.com/search", "workday", "3m", "3m.wd1.myworkdayjobs.com", "search", None),
    (
        "https://abbott.wd5.myworkdayjobs.com/es",
        "workday",
        "abbott",
        "abbott.wd5.myworkdayjobs.com",
        None,
        None,
    ),
    (
        "https://abbott.wd5.myworkdayjobs.com/zh-cn",
        "workday",
        "abbott",
        "abbott.wd5.myworkdayjobs.com",
        None,
        None,
    ),
    (
        "https://connorgp.wd12.myworkdayjobs.com/cg",
        "workday",
        "connorgp",
        "connorgp.wd12.myworkdayjobs.com",
        "cg",
        None,
    ),
    (
        "https://brevanhoward.wd3.myworkdayjobs.com/wday",
        "workday",
        "brevanhoward",
        "brevanhoward.wd3.myworkdayjobs.com",
        None,
        None,
    ),
    (
        "https://accelya.wd103.myworkdayjobs.com/en-us",
        "workday",
        "accelya",
        "accelya.wd103.myworkdayjobs.com",
        None,
        None,
    ),
    (
        "https://denver.wd1.myworkdayjobs.com/ccd-denver-denvergov-csc_jobs-civil_service_jobs-police_jobs-fire_jobs",
        "workday",
        "denver",
        "denver.wd1.myworkdayjobs.com",
        "ccd-denver-denvergov-csc_jobs-civil_service_jobs-police_jobs-fire_jobs",
        None,
    ),
    (
        "https://franklintempleton.wd5.myworkdayjobs.com/primary-external-1",
        "workday",
        "franklintempleton",
        "franklintempleton.wd5.myworkdayjobs.com",
        "primary-external-1",
        None,
    ),
]


def _ids(cases: list[Case]) -> list[str]:
    return [c[0][:90] for c in cases]


@pytest.mark.parametrize(("url", "ats", "token", "host", "site", "job_id"), SYNTHETIC, ids=_ids(SYNTHETIC))
def test_url_forms(
    url: str, ats: str | None, token: str | None, host: str | None, site: str | None, job_id: str | None
) -> None:
    assert detect_url(url) == Detection(url=url, ats=ats, token=token, host=host, site=site, job_id=job_id)


@pytest.mark.parametrize(("url", "ats", "token", "host", "site", "job_id"), REAL, ids=_ids(REAL))
def test_real_inventory_urls(
    url: str, ats: str | None, token: str | None, host: str | None, site: str | None, job_id: str | None
) -> None:
    assert detect_url(url) == Detection(url=url, ats=ats, token=token, host=host, site=site, job_id=job_id)


def test_every_ats_is_covered_by_at_least_four_cases() -> None:
    counts = dict.fromkeys(ATS_NAMES, 0)
    for case in SYNTHETIC + REAL:
        if case[1]:
            counts[case[1]] += 1
    assert {name: n for name, n in counts.items() if n < 4} == {}


GARBAGE = [
    "",
    " ",
    "not a url",
    "javascript:alert(1)",
    "mailto:jobs@lever.co",
    "data:text/html,<script>alert(1)</script>",
    "ftp://x",
    "ftp://jobs.lever.co/acme",
    "https://example.com/careers",
    "https://",
    "http://[::1",
    "http://[::1]/jobs",
    "https://jobs.lever.co:notaport/acme",
    "https://exa mple.com/x",
    "://jobs.lever.co/acme",
    "\x00\x01\x02",
    "https://jobs.lever.co/" + "a" * 10_000,
    "x" * 10_000,
    "https://" + "a." * 5_000 + "com",
    "https://boards.greenhouse.io/" + "%" * 10_000,
]


@pytest.mark.parametrize("url", GARBAGE, ids=[repr(g[:30]) for g in GARBAGE])
def test_garbage_is_not_detected(url: str) -> None:
    assert detect_url(url) == Detection(url=url)


@pytest.mark.parametrize("value", [None, 42, b"https://jobs.lever.co/acme", ["x"]])
def test_non_string_input_does_not_raise(value: object) -> None:
    assert detect_url(value).ats is None  # type: ignore[arg-type]


def test_to_dict_has_exactly_the_contract_keys() -> None:
    d = detect_url("https://acme.wd5.myworkdayjobs.com/en-US/External/job/X/Y_R1").to_dict()
    assert list(d) == ["url", "ats", "token", "host", "site", "job_id"]
    assert d == {
        "url": "https://acme.wd5.myworkdayjobs.com/en-US/External/job/X/Y_R1",
        "ats": "workday",
        "token": "acme",
        "host": "acme.wd5.myworkdayjobs.com",
        "site": "External",
        "job_id": "R1",
    }
    assert detect_url("nope").to_dict() == dict.fromkeys(("ats", "token", "host", "site", "job_id"), None) | {
        "url": "nope"
    }


def test_detection_is_frozen_with_slots() -> None:
    d = detect_url("https://jobs.lever.co/acme")
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.token = "other"  # type: ignore[misc]
    assert not hasattr(d, "__dict__")


def test_detect_many_keeps_order_and_is_lazy() -> None:
    urls = ["https://jobs.lever.co/a", "garbage", "https://jobs.ashbyhq.com/b"]
    it = detect_many(iter(urls))
    assert next(it).token == "a"
    assert [d.url for d in it] == urls[1:]
    assert [d.ats for d in detect_many(urls)] == ["lever", None, "ashby"]


# --- properties


@settings(max_examples=500)
@given(st.text())
def test_random_text_never_raises(text: str) -> None:
    d = detect_url(text)
    assert d.url is text
    assert d.ats is None or d.ats in ATS_NAMES
    if d.ats is None:
        assert d == Detection(url=text)


_URLISH = st.builds(
    lambda scheme, host, path, query: f"{scheme}{host}{path}{query}",
    st.sampled_from(["", "https://", "http://", "//", "HTTPS://"]),
    st.sampled_from(
        [
            "jobs.lever.co",
            "boards.greenhouse.io",
            "apply.workable.com",
            "acme.wd5.myworkdayjobs.com",
            "wd3.myworkdaysite.com",
            "ats.rippling.com",
            "acme.taleo.net",
            "join.com",
            "acme.teamtailor.com",
            "example.com",
        ]
    ),
    st.text(alphabet="/abcJX_-.%20:;?#&=", max_size=60).map(lambda s: "/" + s),
    st.sampled_from(["", "?gh_jid=1", "?for=x&token=2", "?job=3", "#frag"]),
)


@settings(max_examples=500)
@given(_URLISH)
def test_url_shaped_text_never_raises(url: str) -> None:
    d = detect_url(url)
    assert d.url is url
    assert d.ats is None or d.ats in ATS_NAMES


# A DNS label: letters, digits and inner dashes (a label cannot end with a dash).
_SLUG = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,29}[a-z0-9])?", fullmatch=True)


@given(_SLUG, st.sampled_from(["", "/", "?utm_source=x", "#top"]))
def test_lever_and_ashby_slugs_round_trip(slug: str, suffix: str) -> None:
    assert detect_url(f"https://jobs.lever.co/{slug}{suffix}").token == slug
    assert detect_url(f"https://jobs.ashbyhq.com/{slug}{suffix}").token == slug


@given(_SLUG, st.from_regex(r"[A-Za-z][A-Za-z0-9_]{2,20}", fullmatch=True))
def test_workday_site_round_trips_with_locale(tenant: str, site: str) -> None:
    d = detect_url(f"https://{tenant}.wd5.myworkdayjobs.com/en-US/{site}/job/Berlin/Dev_R42")
    assert (d.token, d.site, d.job_id) == (tenant, site, "R42")


# --- the whole inventory (skipped where ../shared is not checked out next to the repo)

# Rows that name no board: the Greenhouse embed prefix and Workable's account-less job prefix.
_NO_TOKEN = {"https://job-boards.greenhouse.io/embed", "https://apply.workable.com/j"}


@pytest.mark.skipif(not INVENTORY.is_dir(), reason="registry-sources inventory not present")
@pytest.mark.parametrize(
    "ats", ["ashby", "greenhouse", "lever", "rippling", "smartrecruiters", "workable", "workday"]
)
def test_whole_inventory_is_detected(ats: str) -> None:
    with (INVENTORY / f"{ats}.csv").open(newline="", encoding="utf-8") as fh:
        rows = [row["url"] for row in csv.DictReader(fh)]
    assert rows
    for url in rows:
        d = detect_url(url)
        assert d.ats == ats, url
        assert (d.token is None) == (url in _NO_TOKEN), url
        if ats == "smartrecruiters" and "/my-applications/" not in url:
            assert d.job_id, url  # every smartrecruiters row is a job page
