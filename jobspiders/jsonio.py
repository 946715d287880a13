"""JSON for the store and the published lists, on orjson: `publish` reads and writes every record of
every list, and the standard library's json was a fifth of its time (about 3 times slower here).

Same data as the standard library gives and takes, so stores written by either read the same. What
orjson refuses (``NaN`` in old text, integers beyond 64 bits, keys that are not strings) falls back to
the standard library. `loads_payload` decodes the JSON of an ATS's answers (lone surrogates replaced);
`loads_utf8_payload` the same from a UTF-8 body, without decoding it to text first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import orjson

# Twenty digits in a row: maybe an integer beyond 64 bits, which orjson reads as a float (losing digits)
# where the standard library keeps an int. Rare in an ATS's answer (and then mostly inside a string):
# such a document takes the standard library's way. Found by turning every digit into "0", then a
# substring search: 12 times as fast as re's \d{20}, which was slower than orjson's parse of the bytes.
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 20
# A UTF-16 surrogate left alone ("\ud83d" of an emoji cut in two): json.loads accepts its escape, but no
# UTF-8 encoder does, so the normalizers, the store and the lists would fail on the posting.
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(text: str | bytes) -> Any:
    """Parse JSON text; ``NaN``/``Infinity`` (which json.dumps writes, orjson rejects) still parse."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def dumpb(value: Any, *, sort_keys: bool = False) -> bytes:
    """Compact JSON (``{"a":1}``) as UTF-8 bytes, non-ASCII characters as they are: for files opened in
    binary mode (no decoding and encoding again)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:
        text = json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, separators=(",", ":"))
        return text.encode("utf-8")


def dumps(value: Any, *, sort_keys: bool = False) -> str:
    """`dumpb` as text."""
    return dumpb(value, sort_keys=sort_keys).decode("utf-8")


def loads_payload(text: str, **kwargs: Any) -> Any:
    """``json.loads(text, **kwargs)`` of a document from an ATS, a lone surrogate in any of its strings
    replaced by U+FFFD (only texts with a ``\\ud…`` escape are walked; a valid pair is one character)."""
    data = json.loads(text, **kwargs)
    if "\\ud" in text or "\\uD" in text:
        data = _without_surrogates(data)
    return data


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    return value


def loads_utf8_payload(body: bytes, text: Callable[[], str]) -> Any:
    """`loads_payload` of an ATS's answer whose body is UTF-8 (or undeclared), parsed from ``body`` by
    orjson: no decoded copy of the whole body (for a 50-posting list page 2-4 times its size, cached on
    the response for as long as Scrapy keeps the response) and about 3 times faster than json.loads.
    Whatever orjson refuses or would read differently (invalid UTF-8, a byte order mark, a lone surrogate,
    ``NaN``, an integer beyond 64 bits) goes to `loads_payload` of ``text()``, the body decoded the way
    Scrapy decodes it: same result and same errors as before, only slower."""
    if _LONG_DIGITS not in body.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    return loads_payload(text())
