from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from jobspiders.middlewares import AtsMirrorMiddleware


def make(mirror: str | None) -> AtsMirrorMiddleware:
    return AtsMirrorMiddleware.from_crawler(get_crawler(settings_dict={"ATS_MIRROR": mirror}))


@pytest.mark.parametrize(
    ("url", "mirrored"),
    [
        (
            "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true",
            "http://127.0.0.1:8765/boards-api.greenhouse.io/v1/boards/acme/jobs?content=true&pay_transparency=true",
        ),
        (
            "https://api.lever.co/v0/postings/acme?mode=json",
            "http://127.0.0.1:8765/api.lever.co/v0/postings/acme?mode=json",
        ),
        ("https://acme.recruitee.com", "http://127.0.0.1:8765/acme.recruitee.com/"),
        ("https://acme.example:8443/x/y", "http://127.0.0.1:8765/acme.example:8443/x/y"),
    ],
)
def test_rewrites_to_the_mirror(url, mirrored):
    middleware = make("http://127.0.0.1:8765/")
    request = Request(url, method="POST", body=b'{"limit": 20}', headers={"Accept": "application/json"})
    rewritten = middleware.process_request(request)
    assert rewritten.url == mirrored
    assert rewritten.method == "POST"
    assert rewritten.body == b'{"limit": 20}'
    assert rewritten.headers["Accept"] == b"application/json"
    assert rewritten.dont_filter
    # politeness still applies per real ATS host
    assert rewritten.meta["download_slot"] == url.split("/")[2].split(":")[0]
    # a mirrored request passes untouched the second time round
    assert middleware.process_request(rewritten) is None


def test_response_gets_the_real_url_back():
    middleware = make("http://127.0.0.1:8765")
    real = "https://api.lever.co/v0/postings/acme?mode=json"
    mirrored = middleware.process_request(Request(real))
    response = Response(mirrored.url, status=200, request=mirrored)
    assert middleware.process_response(mirrored, response).url == real


def test_off_without_setting():
    with pytest.raises(NotConfigured):
        make(None)


def test_rejects_non_http_mirror():
    with pytest.raises(ValueError, match="ATS_MIRROR must be an http"):
        make("ftp://127.0.0.1")


def test_redirect_to_a_real_url_is_mirrored_again():
    middleware = make("http://127.0.0.1:8765")
    first = middleware.process_request(Request("https://api.lever.co/v0/postings/a?mode=json"))
    redirected = first.replace(url="https://jobs.lever.co/a")  # what RedirectMiddleware builds
    again = middleware.process_request(redirected)
    assert again.url == "http://127.0.0.1:8765/jobs.lever.co/a"
    assert again.meta["ats_mirror_url"] == "https://jobs.lever.co/a"
    assert again.meta["download_slot"] == "jobs.lever.co"
