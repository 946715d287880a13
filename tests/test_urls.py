from __future__ import annotations

import pytest

from jobspiders.normalize.urls import is_http_url, public_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://jobs.lever.co/acme/1", True),
        ("HTTP://EXAMPLE.COM/x", True),
        (" https://x.example/a ", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html;base64,xx", False),
        ("//x.example/a", False),
        ("/relative", False),
        ("https://", False),
        ("https://x.example/a b", False),
        ("http://[::1", False),
        (None, False),
        (42, False),
    ],
)
def test_is_http_url(value, expected):
    assert is_http_url(value) is expected


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        (("https://a.example/1", "https://b.example/1"), "https://a.example/1"),
        (("javascript:alert(1)", "https://b.example/1"), "https://b.example/1"),
        ((None, "", " https://b.example/1 "), "https://b.example/1"),
        (("ftp://a.example",), ""),
        ((), ""),
    ],
)
def test_public_url_takes_the_first_http_candidate(candidates, expected):
    assert public_url(*candidates) == expected
