from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize import urls
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
        ("http://[::1]:8080/x", True),
        ("https://a.example:8080/jobs?id=1#top", True),
        ("https://a.example?q=1", True),
        ("https://a.example:", True),
        ("http://user:pw@a.example/", True),
        ("https://bücher.example/jobs", True),
        ("http://:80/", False),
        ("http://@/jobs", False),
        ("http://a@/jobs", False),
        ("http://a:0@/jobs", False),
        ("http://a:b@c.example/jobs", True),
        ("https://a.example/\u2028x", False),
        ("https://a.example/\x1fx", False),
        ("https:/a.example", False),
        ("httpx://a.example", False),
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


def _urlsplit_answer(value: str) -> bool:
    """What `is_http_url` answered before its fast path: urlsplit's verdict on the stripped text."""
    return urls._is_http.__wrapped__(value.strip())


URLISH = st.text(alphabet=st.sampled_from("htps:/.-_@[]?#%= Aaz09\t\n\u00e4\u2028\x1c"), max_size=30)
HOSTISH = st.text(alphabet=st.sampled_from("a0.-@:[]%_\u00e4 "), max_size=6)


@settings(max_examples=400)
@given(
    st.one_of(
        URLISH,
        st.builds(
            "{}{}{}".format,
            st.sampled_from(["http://", "https://", "HTTP://", " https://", "http:/", "ftp://"]),
            HOSTISH,
            st.one_of(st.just(""), st.builds("/{}".format, URLISH), URLISH),
        ),
    )
)
def test_is_http_url_fast_path_agrees_with_urlsplit(value):
    assert is_http_url(value) is _urlsplit_answer(value)


@pytest.mark.parametrize("value", ["https://jobs.lever.co/acme/1", "https://a.example:8080/x?y=1#z"])
def test_plain_urls_take_the_fast_path(value, monkeypatch):
    def unused(_: str) -> bool:
        raise AssertionError("urlsplit path taken")

    monkeypatch.setattr(urls, "_is_http", unused)
    assert is_http_url(value) is True
