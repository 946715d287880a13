"""The stand-in ATS server: real HTTP requests against a started server."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from jobspiders.standin import ManifestError, Route, StandinServer, load_routes

ROOT = Path(__file__).resolve().parent.parent
GH_URL = "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true"
GH_BODY = b'{"jobs": [], "meta": {"total": 0}}'


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """A recorded redirect is an answer to check, not one to follow (it may point off the mirror)."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects)


def fetch(
    server: StandinServer, real_url: str, method: str = "GET", body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Request ``real_url`` through the mirror like the crawler does: MIRROR/HOST/PATH?QUERY."""
    mirrored = server.base_url + "/" + real_url.split("://", 1)[1]
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(mirrored, data=body, method=method, headers=headers)
    try:
        with NO_REDIRECTS.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


@pytest.fixture
def server():
    with StandinServer([Route(url=GH_URL, body=GH_BODY)]) as running:
        yield running


def test_get_matches_with_query_in_another_order(server):
    url = "https://boards-api.greenhouse.io/v1/boards/acme/jobs?pay_transparency=true&content=true"
    status, headers, body = fetch(server, url)
    assert status == 200
    assert body == GH_BODY
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert server.requests == [("GET", url)]
    assert server.count(GH_URL) == 1


def test_host_is_case_insensitive_path_is_not(server):
    assert fetch(server, GH_URL.replace("boards-api", "BOARDS-API"))[0] == 200
    assert fetch(server, GH_URL.replace("/acme/", "/ACME/"))[0] == 404


def test_query_is_compared_as_multiset(server):
    assert fetch(server, GH_URL + "&content=true")[0] == 404
    assert fetch(server, GH_URL.replace("&pay_transparency=true", ""))[0] == 404


def test_unknown_url_is_404_with_json_error(server):
    url = "https://api.lever.co/v0/postings/nobody?mode=json"
    status, headers, body = fetch(server, url)
    assert status == 404
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"error": "no recorded response", "url": url}
    assert server.requests == [("GET", url)]


def test_method_must_match(server):
    assert fetch(server, GH_URL, method="POST", body=b"{}")[0] == 404
    assert server.requests == [("POST", GH_URL)]


def test_replays_status_and_headers():
    url_500 = "https://boards-api.greenhouse.io/v1/boards/broken/jobs?content=true"
    url_429 = "https://api.smartrecruiters.com/v1/companies/acme/postings?limit=100&offset=0"
    routes = [
        Route(url=url_500, status=500, body=b"<html>oops</html>"),
        Route(url=url_429, status=429, body=b"{}", headers={"Retry-After": "7", "X-Test": "yes"}),
    ]
    with StandinServer(routes) as server:
        status, headers, body = fetch(server, url_500)
        assert (status, body) == (500, b"<html>oops</html>")
        assert headers["Content-Type"].startswith("text/html")
        status, headers, _ = fetch(server, url_429)
        assert status == 429
        assert headers["Retry-After"] == "7"
        assert headers["X-Test"] == "yes"


def test_post_matches_on_json_body():
    url = "https://apply.workable.com/api/v3/accounts/acme/jobs"
    with StandinServer() as server:
        server.add(
            Route(url=url, method="POST", body=b'{"page": 1}', body_json={"query": "", "location": []})
        )
        server.add(Route(url=url, method="POST", body=b'{"page": 2}', body_json={"token": "abc"}))
        server.add(Route(url=url, method="POST", body=b'{"page": "any"}'))
        # key order and whitespace of the request body do not matter, values do
        assert fetch(server, url, "POST", b'{"location": [], "query": ""}')[2] == b'{"page": 1}'
        assert fetch(server, url, "POST", b'{"token":"abc"}')[2] == b'{"page": 2}'
        assert fetch(server, url, "POST", b'{"token": "other"}')[2] == b'{"page": "any"}'
        assert fetch(server, url, "POST", b"not json")[2] == b'{"page": "any"}'
        assert server.count(url, method="POST") == 4


def test_post_without_fallback_is_404_for_other_body():
    url = "https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/External/jobs"
    with StandinServer([Route(url=url, method="post", body=b"[]", body_json={"offset": 0})]) as server:
        assert fetch(server, url, "POST", b'{"offset": 0}')[0] == 200
        assert fetch(server, url, "POST", b'{"offset": 20}')[0] == 404


def test_added_route_wins_and_requests_are_thread_safe(server):
    server.add(Route(url=GH_URL, body=b'{"jobs": [1]}'))
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: fetch(server, GH_URL), range(40)))
    assert {r[2] for r in results} == {b'{"jobs": [1]}'}
    assert len(server.requests) == 40
    assert server.count(GH_URL) == 40


def test_not_a_mirrored_path_is_404(server):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(server.base_url + "/favicon.ico", timeout=5)
    info.value.close()
    assert info.value.code == 404


def test_stop_closes_the_port():
    server = StandinServer([Route(url=GH_URL, body=GH_BODY)]).start()
    base = server.base_url
    assert base.startswith("http://127.0.0.1:")
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base + "/boards-api.greenhouse.io/v1/boards/acme/jobs", timeout=2)
    with pytest.raises(RuntimeError):
        _ = server.base_url


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_load_routes_reads_files_inline_bodies_and_options(tmp_path):
    (tmp_path / "gh").mkdir()
    write(tmp_path / "gh" / "acme.json", '{"jobs": []}')
    write(tmp_path / "feed.xml", "<workzag-jobs/>")
    manifest = write(
        tmp_path / "manifest.yml",
        f"""
- url: {GH_URL}
  file: gh/acme.json
- url: https://acme.jobs.personio.de/xml?language=en
  file: feed.xml
- url: https://api.lever.co/v0/postings/acme?mode=json
  status: 429
  headers: {{Retry-After: 3}}
  body: '[]'
- url: https://apply.workable.com/api/v3/accounts/acme/jobs
  method: post
  body_json: {{query: ""}}
  body: '{{"results": []}}'
  content_type: application/vnd.test+json
""",
    )
    routes = load_routes(manifest)
    assert [r.content_type for r in routes] == [
        "application/json; charset=utf-8",
        "application/xml",
        "application/json; charset=utf-8",
        "application/vnd.test+json",
    ]
    assert routes[0].body == b'{"jobs": []}'
    assert routes[2].status == 429
    assert routes[2].headers == {"Retry-After": "3"}
    assert routes[3].method == "POST"
    assert routes[3].body_json == {"query": ""}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("- file: x.json", "'url'"),
        ("- url: /relative\n  body: x", "'url'"),
        (f"- url: {GH_URL}", "exactly one of 'file' or 'body'"),
        (f"- url: {GH_URL}\n  body: x\n  file: x.json", "exactly one of 'file' or 'body'"),
        (f"- url: {GH_URL}\n  file: missing.json", "cannot read file"),
        (f"- url: {GH_URL}\n  body: x\n  status: teapot", "'status'"),
        (f"- url: {GH_URL}\n  body: x\n  stauts: 500", "unknown key(s) stauts"),
        (f"- url: {GH_URL}\n  body: x\n  headers: [a]", "'headers'"),
        ("- just a string", "expected a mapping"),
    ],
)
def test_bad_entry_names_manifest_and_index(tmp_path, entry, message):
    good = f"- url: {GH_URL}\n  body: ok\n"
    manifest = write(tmp_path / "bad.yml", good + entry + "\n")
    with pytest.raises(ManifestError) as info:
        load_routes(manifest)
    text = str(info.value)
    assert str(manifest) in text
    assert "entry 1" in text
    assert message in text


def test_bad_manifest_shapes(tmp_path):
    with pytest.raises(ManifestError, match="expected a list"):
        load_routes(write(tmp_path / "map.yml", "url: x\n"))
    with pytest.raises(ManifestError, match="invalid YAML"):
        load_routes(write(tmp_path / "broken.yml", "- url: [\n"))
    with pytest.raises(ManifestError, match="cannot read manifest"):
        load_routes(tmp_path / "absent.yml")
    assert load_routes(write(tmp_path / "empty.yml", "")) == []


def test_cli_serves_until_sigterm(tmp_path):
    write(tmp_path / "acme.json", '{"jobs": [{"id": 1}], "meta": {"total": 1}}')
    manifest = write(tmp_path / "manifest.yml", f"- url: {GH_URL}\n  file: acme.json\n")
    port_file = tmp_path / "standin.url"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobspiders.standin", str(manifest), "--port-file", str(port_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while not port_file.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "no --port-file written"
            time.sleep(0.05)
        base_url = port_file.read_text().strip()
        assert base_url.startswith("http://127.0.0.1:")
        mirrored = base_url + "/" + GH_URL.split("://", 1)[1]
        with urllib.request.urlopen(mirrored, timeout=5) as response:
            assert json.load(response)["meta"]["total"] == 1
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert out.strip() == f"serving 1 recorded responses on {base_url}"
    assert err == ""  # quiet: no per-request log lines


def test_cli_reports_bad_manifest(tmp_path):
    manifest = write(tmp_path / "bad.yml", "- url: nope\n  body: x\n")
    result = subprocess.run(
        [sys.executable, "-m", "jobspiders.standin", str(manifest)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert "bad.yml: entry 0" in result.stderr


DEMO_MANIFESTS = sorted((ROOT / "demo" / "responses").glob("*/manifest.yml"))


@pytest.mark.parametrize("manifest", DEMO_MANIFESTS, ids=lambda path: path.parent.name)
def test_demo_manifest_loads_and_serves_every_route(manifest):
    routes = load_routes(manifest)
    assert routes
    with StandinServer(routes) as server:
        for route in routes:
            if route.times is not None or route.fault:
                continue  # answers that change or break by design
            request_body = json.dumps(route.body_json).encode() if route.body_json is not None else None
            status, _, body = fetch(server, route.url, route.method, request_body)
            assert status == route.status, route.url
            assert body == route.body
            if route.content_type.startswith("application/json"):
                json.loads(body)


def test_every_demo_board_has_recorded_responses():
    assert DEMO_MANIFESTS, "demo/responses/<ats>/manifest.yml"
    for registry in sorted((ROOT / "demo" / "companies").glob("*.yml")):
        urls = [
            route.url for route in load_routes(ROOT / "demo" / "responses" / registry.stem / "manifest.yml")
        ]
        for company in yaml.safe_load(registry.read_text(encoding="utf-8")):
            assert company["ats"] == registry.stem
            # a board is addressed by its token, or by its own host (custom career domains)
            marks = [f"/{company['token']}", f"{company['token']}.", f"//{company.get('host')}/"]
            assert any(mark in url for url in urls for mark in marks), company
