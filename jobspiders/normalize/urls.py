"""URL checks: only http(s) URLs are published or linked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def is_http_url(value: Any) -> bool:
    """True for an absolute http(s) URL with a host (``javascript:``, relative and empty URLs are not)."""
    if not isinstance(value, str) or any(ch.isspace() for ch in value.strip()):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def public_url(*candidates: Any) -> str:
    """The first http(s) URL among the candidates (the ATS's own link first, then the page we know
    always exists); "" when there is none, which validation then rejects."""
    return next((url.strip() for url in candidates if is_http_url(url)), "")
