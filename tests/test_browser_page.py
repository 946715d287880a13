"""The web page (output/<profile>/index.html) in a real headless Chromium: filters, sorting, escaping,
no console errors, no JavaScript needed for the table, and screenshots kept as test artifacts.

Needs Debian's chromium + chromium-driver (`.ci/browser` installs them) and selenium. Without them the
tests skip, except in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from jobspiders.publish import publish
from tests.test_publish import fill, record

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("JOBS_TEST_ARTIFACTS") or ROOT / "output" / "test-artifacts")
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
CHROMEDRIVER = shutil.which("chromedriver")
IN_CI = os.environ.get("CI", "").lower() == "true"

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # pragma: no cover - reported by the fixture
    webdriver = None

HOSTILE_TITLE = "<script>window.__pwned = 1</script> Backend | [Go] ![x](https://evil.example)"
HOSTILE_COMPANY = '<img src=x onerror="window.__pwned = 1">Evil & Co'
RTL_TITLE = "מפתח Backend בכיר \u202eevil"

JOBS = [
    record(
        "a1",
        title="Senior Backend Engineer (Python)",
        workplace="remote",
        location="Remote, USA",
        locations=[{"city": None, "region": None, "country": "US"}],
        seniority="senior",
        salary={"min": 150000, "max": 180000, "currency": "USD", "period": "year"}
        | {"annual_usd_min": 150000, "annual_usd_max": 180000},
        skills=["python", "aws"],
        posted_at="2026-11-19T08:00:00Z",
    ),
    record(
        "a2",
        title="Backend Developer Go",
        workplace="hybrid",
        seniority="mid",
        salary={"min": 70000, "max": 110000, "currency": "EUR", "period": "year"}
        | {"annual_usd_min": 76000, "annual_usd_max": 120000},
        skills=["go", "kubernetes"],
        posted_at="2026-11-18T08:00:00Z",
    ),
    record(
        "a3",
        title="Junior Java Backend Developer",
        workplace="onsite",
        location="Lisboa, Portugal",
        locations=[{"city": "Lisbon", "region": None, "country": "PT"}],
        seniority="junior",
        skills=["java"],
        posted_at="2026-11-17T08:00:00Z",
    ),
    record(
        "a4",
        title=HOSTILE_TITLE,
        company=HOSTILE_COMPANY,
        url="javascript:window.__pwned=1",
        company_url="javascript:window.__pwned=1",
        workplace="remote",
        seniority="senior",
        salary={"min": 100000, "max": 130000, "currency": "USD", "period": "year"}
        | {"annual_usd_min": 100000, "annual_usd_max": 130000},
        skills=["go", "python"],
        posted_at="2026-11-16T08:00:00Z",
    ),
    record(
        "a5",
        title=RTL_TITLE + " " + "very long title " * 30,
        company="חברה בע״מ",
        location="Tel Aviv, Israel",
        locations=[{"city": "Tel Aviv", "region": None, "country": "IL"}],
        seniority="lead",
        skills=["rust"],
        posted_at="2026-11-15T08:00:00Z",
    ),
]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The backend page of JOBS, published into a temporary OUTPUT_DIR."""
    tmp = tmp_path_factory.mktemp("page")
    config = fill(tmp, [dict(job, dedup_key=job["id"]) for job in JOBS])
    publish(config, "backend")
    return (config.output_dir / "backend" / "index.html").as_uri()


def _browser_or_skip():
    missing = []
    if webdriver is None:
        missing.append("the selenium package")
    if CHROMIUM is None:
        missing.append("chromium")
    if CHROMEDRIVER is None:
        missing.append("chromedriver (Debian: chromium-driver)")
    if missing:
        reason = f"no headless browser: {', '.join(missing)} not installed (run .ci/browser)"
        if IN_CI:
            pytest.fail(f"{reason}; CI=true needs the browser test to run")
        pytest.skip(reason)


def _driver(tmp_path: Path, *, javascript: bool = True, width: int = 1280, height: int = 900):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={tmp_path / ('profile-js' if javascript else 'profile-nojs')}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager never tries to download one.
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture
def browser(tmp_path):
    _browser_or_skip()
    driver = _driver(tmp_path)
    yield driver
    driver.quit()


def visible_ids(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#jobs tbody tr'))"
        ".filter(r => !r.hidden && r.offsetParent !== null).map(r => r.dataset.id.split(':').pop());"
    )


def shows(driver, expected: list[str]) -> bool:
    """Whether the visible rows become ``expected`` (the page updates on input events; reset is async)."""
    try:
        WebDriverWait(driver, 3, poll_frequency=0.05).until(lambda d: visible_ids(d) == expected)
    except TimeoutException:
        return False
    return True


def screenshot(driver, name: str, capsys) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert driver.save_screenshot(str(path))
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


def console_errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def test_filters_change_the_visible_rows(browser, page, capsys):
    browser.get(page)
    form = browser.find_element(By.ID, "filters")
    assert form.is_displayed()
    assert shows(browser, ["a1", "a2", "a3", "a4", "a5"]), visible_ids(browser)
    assert browser.find_element(By.ID, "status").text == "5 jobs"

    def field(name):
        return form.find_element(By.NAME, name)

    def reset():
        form.find_element(By.CSS_SELECTOR, "button[type=reset]").click()
        assert shows(browser, ["a1", "a2", "a3", "a4", "a5"]), visible_ids(browser)

    form.find_element(By.CSS_SELECTOR, "input[name=workplace][value=remote]").click()
    assert shows(browser, ["a1", "a4"]), visible_ids(browser)
    Select(field("country")).select_by_value("DE")
    assert shows(browser, ["a4"]), visible_ids(browser)
    assert browser.find_element(By.ID, "status").text == "Showing 1 of 5 jobs"
    reset()

    Select(field("seniority")).select_by_value("senior")
    assert shows(browser, ["a1", "a4"]), visible_ids(browser)
    reset()

    form.find_element(By.CSS_SELECTOR, "details.skills summary").click()
    form.find_element(By.CSS_SELECTOR, "input[name=skill][value=go]").click()
    assert shows(browser, ["a2", "a4"]), visible_ids(browser)
    form.find_element(By.CSS_SELECTOR, "input[name=skill][value=python]").click()
    assert shows(browser, ["a4"]), visible_ids(browser)
    reset()

    field("salary").send_keys("125000")
    assert shows(browser, ["a1", "a4"]), visible_ids(
        browser
    )  # a2 tops out at $120k; a3 and a5 state no salary
    field("salary").clear()
    field("salary").send_keys("150000")
    assert shows(browser, ["a1"]), visible_ids(browser)
    reset()

    field("q").send_keys("Kubernetes")
    assert shows(browser, ["a2"]), visible_ids(browser)
    field("q").clear()
    field("q").send_keys("lisboa java")
    assert shows(browser, ["a3"]), visible_ids(browser)
    field("q").clear()
    field("q").send_keys("no such job")
    assert shows(browser, []), visible_ids(browser)
    assert browser.find_element(By.ID, "empty").is_displayed()
    reset()

    Select(field("sort")).select_by_value("salary-desc")
    assert shows(browser, ["a1", "a4", "a2", "a3", "a5"]), visible_ids(
        browser
    )  # no salary last, newest first
    Select(field("sort")).select_by_value("salary-asc")
    assert shows(browser, ["a2", "a4", "a1", "a3", "a5"]), visible_ids(browser)
    Select(field("sort")).select_by_value("date-asc")
    assert shows(browser, ["a5", "a4", "a3", "a2", "a1"]), visible_ids(browser)
    Select(field("sort")).select_by_value("date-desc")
    form.find_element(By.CSS_SELECTOR, "input[name=workplace][value=remote]").click()
    screenshot(browser, "page-desktop-filtered", capsys)
    assert console_errors(browser) == []


def test_board_text_cannot_run_or_link(browser, page):
    browser.get(page)
    assert browser.execute_script("return window.__pwned === undefined")
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")]
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:"))]
    hostile = browser.find_element(By.CSS_SELECTOR, "tr[data-id$=':a4']")
    assert HOSTILE_TITLE in hostile.text  # shown as text, not markup
    assert hostile.find_elements(By.TAG_NAME, "img") == []
    assert hostile.find_elements(By.TAG_NAME, "a") == []  # javascript: URLs are not linked
    rtl = browser.find_element(By.CSS_SELECTOR, "tr[data-id$=':a5'] td.position")
    assert rtl.get_attribute("dir") == "auto"
    assert "\u202e" not in rtl.text
    assert console_errors(browser) == []


def test_readable_on_a_phone(page, tmp_path, capsys):
    _browser_or_skip()
    driver = _driver(tmp_path, width=390, height=844)
    try:
        driver.get(page)
        assert visible_ids(driver) == ["a1", "a2", "a3", "a4", "a5"]
        # one card per job, nothing wider than the screen
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        label = driver.execute_script(
            "return getComputedStyle(document.querySelector('#jobs td'), '::before').content"
        )
        assert label == '"Company"'
        driver.execute_script("document.getElementById('status').scrollIntoView()")
        screenshot(driver, "page-phone", capsys)
        assert console_errors(driver) == []
    finally:
        driver.quit()


def test_works_without_javascript(page, tmp_path):
    _browser_or_skip()
    driver = _driver(tmp_path, javascript=False)
    try:
        driver.get(page)
        assert visible_ids(driver) == ["a1", "a2", "a3", "a4", "a5"]
        assert not driver.find_element(By.ID, "filters").is_displayed()
        assert driver.find_element(By.ID, "status").text == "5 jobs"
    finally:
        driver.quit()
