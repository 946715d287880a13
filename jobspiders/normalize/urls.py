"""URL checks: only http(s) URLs are published or linked."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

_SPACE = re.compile(r"\s")
# What almost every ATS link looks like: http(s), a host of ASCII letters, digits, dots and hyphens, a
# port perhaps, then no whitespace. Such a URL is one `_is_http` accepts, told without urlsplit (a
# publish asks about 100,000 URLs, most of them once: 0.3 against 2.5 us).
_PLAIN_HTTP = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#]\S*)?")


def is_http_url(value: Any) -> bool:
    """True for an absolute http(s) URL with a host (``javascript:``, relative and empty URLs are not)."""
    if not isinstance(value, str):
        return False
    value = value.strip()
    return _PLAIN_HTTP.fullmatch(value) is not None or _is_http(value)


@lru_cache(maxsize=1 << 16)  # the URLs the plain pattern does not take, asked about once per format
def _is_http(value: str) -> bool:
    if _SPACE.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def public_url(*candidates: Any) -> str:
    """The first http(s) URL among the candidates (the ATS's own link first, then the page we know
    always exists); "" when there is none, which validation then rejects."""
    return next((url.strip() for url in candidates if is_http_url(url)), "")
