"""JSON for the store and the published lists, on orjson: `publish` reads and writes every record of
every list, and the standard library's json was a fifth of its time (about 3 times slower here).

Same data as the standard library gives and takes, so stores written by either read the same. What
orjson refuses (``NaN`` in old text, integers beyond 64 bits, keys that are not strings) falls back to
the standard library.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


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
