"""jsonio: orjson with the standard library's answers where orjson refuses."""

from __future__ import annotations

import json
import math

import pytest

from jobspiders import jsonio


@pytest.mark.parametrize(
    "text",
    [
        '{"title": "Backend ✓", "n": 1, "x": 1.5, "none": null, "list": [true, false]}',
        '"\\u00fcn\\u00efc\\u00f8d\\u00e9 \\ud83d\\ude00"',
        "[]",
        b'{"bytes": "too"}',
    ],
)
def test_loads_reads_what_json_reads(text):
    assert jsonio.loads(text) == json.loads(text)


def test_loads_takes_what_only_the_standard_library_writes():
    old = json.dumps({"salary": float("nan"), "max": float("inf")})  # NaN / Infinity: not JSON
    parsed = jsonio.loads(old)
    assert math.isnan(parsed["salary"])
    assert parsed["max"] == float("inf")
    with pytest.raises(ValueError, match="Expecting"):
        jsonio.loads('{"broken": ')


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [1, 2.5, None, True], "é": 'Zürich — \u2028 \x00 "q" \\'},
        {"big": 2**70},  # beyond 64 bits: the standard library writes it
        {2: "int keys", 1: "a"},  # keys that are not strings
        [],
    ],
)
def test_dumps_round_trips_and_sorts_keys(value):
    text = jsonio.dumps(value, sort_keys=True)
    expected = json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True))
    assert json.loads(text) == expected
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        assert list(json.loads(text)) == sorted(value)
    assert jsonio.dumpb(value) == jsonio.dumps(value).encode("utf-8")
    assert "\\u00e9" not in text  # non-ASCII as it is


def test_dumps_refuses_what_json_refuses():
    with pytest.raises(TypeError):
        jsonio.dumps({"x": object()})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"plain"', "plain"),
        ('"cut \\ud83d"', "cut \ufffd"),  # a high surrogate alone
        ('"cut \\uDC00 low"', "cut \ufffd low"),  # a low one, upper-case escape
        ('"rocket \\ud83d\\ude80"', "rocket \U0001f680"),  # a valid pair is one character
        ('"\\ud83d\\ud83d\\ude80"', "\ufffd\U0001f680"),
        (
            '{"k\\ud800": ["a\\udfff", 1, null, {"x": "\\ud83d"}]}',
            {"k\ufffd": ["a\ufffd", 1, None, {"x": "\ufffd"}]},
        ),
        ('"\\\\ud83d is text, not an escape"', "\\ud83d is text, not an escape"),
        ("[1.5, true]", [1.5, True]),
    ],
)
def test_loads_payload_replaces_lone_surrogates(text, expected):
    value = jsonio.loads_payload(text)
    assert value == expected
    jsonio.dumpb(value)  # encodable as UTF-8 now


class _Text:
    """The ``text`` callback of `loads_utf8_payload`: the body decoded, and whether it was asked for."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self.body.decode("utf-8-sig", "replace")


@pytest.mark.parametrize(
    ("body", "expected", "decoded"),
    [
        (
            b'{"jobs": [{"id": 1, "title": "Caf\xc3\xa9 \\u00e9"}]}',
            {"jobs": [{"id": 1, "title": "Café é"}]},
            False,
        ),
        (
            b'[1.5, -0.0, 5e-324, 9223372036854775807, "\\ud83d\\ude80"]',
            [1.5, -0.0, 5e-324, 2**63 - 1, "\U0001f680"],
            False,
        ),
        # twenty digits: maybe beyond 64 bits, read by the standard library (an int, not orjson's float)
        (b'{"id": 18446744073709551616}', {"id": 2**64}, True),
        (b'{"ref": "x12345678901234567890y", "n": 1}', {"ref": "x12345678901234567890y", "n": 1}, True),
        # an integer beyond 64 bits stays an int (orjson would give a float)
        (b'{"id": 123456789012345678901234567890}', {"id": 123456789012345678901234567890}, True),
        (b'"cut \\ud83d"', "cut \ufffd", True),  # a lone surrogate, replaced as loads_payload does
        (b"[NaN, Infinity]", [float("nan"), float("inf")], True),
        (b"[1e400]", [float("inf")], True),
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}, True),  # a byte order mark: the decoded text has none
        (b'"caf\xe9"', "caf\ufffd", True),  # not UTF-8 after all: decoded as the response says
    ],
)
def test_loads_utf8_payload_reads_as_loads_payload(body, expected, decoded):
    text = _Text(body)
    value = jsonio.loads_utf8_payload(body, text)
    assert repr(value) == repr(expected)  # repr: NaN, -0.0 and int vs float compare as they print
    assert text.calls == int(decoded)
    assert repr(value) == repr(jsonio.loads_payload(text.body.decode("utf-8-sig", "replace")))


@pytest.mark.parametrize("body", [b'{"jobs": [', b"<html><body>down</body></html>", b'"a\x01"', b""])
def test_loads_utf8_payload_refuses_what_loads_payload_refuses(body):
    with pytest.raises(json.JSONDecodeError):  # a ValueError, which the spiders catch
        jsonio.loads_utf8_payload(body, _Text(body))
