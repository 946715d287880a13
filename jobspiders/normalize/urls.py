"""URL checks: only http(s) URLs are published or linked."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

_SPACE = re.compile(r"\s")


def is_http_url(value: Any) -> bool:
    """True for an absolute http(s) URL with a host (``javascript:``, relative and empty URLs are not)."""
    return isinstance(value, str) and _is_http(value.strip())


@lru_cache(maxsize=1 << 16)  # publishing asks about the same URL once per output format
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
