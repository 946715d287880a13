"""Property tests: whatever text a board sends, the README table keeps its columns and links only where
we put them, and jobs.json stays valid JSON."""

from __future__ import annotations

import json
import re
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobspiders.publish import _MARKUP_CONTROL, ODD_SPACES, clip, collapsed, make_environment, md, md_link
from tests.test_publish import fill, record

HOSTILE = st.one_of(
    st.text(),
    st.text(alphabet="|[]()<>`*_!#\\\n\r\t&;:/.@ wxyzhtps"),
    st.sampled_from(
        [
            "javascript:alert(1)",
            "[x](https://evil.example)",
            "<img src=x onerror=alert(1)>",
            "![i](https://evil.example/i.png)",
            "https://evil.example",
            "www.evil.example",
            "a|b|c",
            "\u202eevil",
            "‏שלום‎ | עולם",
            "\x00\x1b[31m",
        ]
    ),
)
URL = st.one_of(
    st.text(), st.sampled_from(["javascript:alert(1)", "https://ok.example/a(b)|c", "data:x", ""])
)
CELL = re.compile(r"(?<!\\)\|")
LINK = re.compile(r"\]\(([^)]*)\)")


def row(company, company_url, title, url, location):
    template = make_environment().from_string(
        "| **{{ company | link(company_url) }}** | **{{ title | link(url) }}** "
        "| {{ location }} | On Site | x |"
    )
    return template.render(company=company, company_url=company_url, title=title, url=url, location=location)


@given(HOSTILE, URL, HOSTILE, URL, HOSTILE)
def test_table_row_keeps_its_columns_and_only_our_links(company, company_url, title, url, location):
    line = row(company, company_url, title, url, location)
    assert "\n" not in line
    assert "\r" not in line
    assert len(CELL.findall(line)) == 6  # five cells
    assert set(LINK.findall(line)) <= {
        u for u in (md_link("x", company_url)[4:-1], md_link("x", url)[4:-1]) if u
    }
    assert "<" not in line.replace("<sub>", "")  # no HTML tag can open
    assert all(target.startswith(("http://", "https://")) for target in LINK.findall(line))


@given(HOSTILE)
def test_md_output_has_no_raw_markdown_specials(text):
    escaped = md(text)
    assert not re.search(r"(?<!\\)[\[\]|`<>]", escaped.replace("&lt;", "").replace("&gt;", ""))
    assert not re.search(r"\w://", escaped)  # a bare URL would be auto-linked


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(HOSTILE, HOSTILE, HOSTILE), min_size=1, max_size=4))
def test_publish_survives_any_board_text(tmp_path_factory, rows):
    tmp = tmp_path_factory.mktemp("pub")
    records = [
        record(str(i), title=title or "t", company=company or "c", location=location, dedup_key=f"k{i}")
        for i, (title, company, location) in enumerate(rows)
    ]
    from jobspiders.publish import publish

    result = publish(fill(tmp, records))
    data = json.loads(result.jobs_json.read_text(encoding="utf-8"))
    assert data["count"] == len(rows)
    lines = result.readme.read_text(encoding="utf-8").splitlines()
    table = [line for line in lines if line.startswith("| **")]
    assert len(table) == len(rows)
    for line in table:
        assert len(CELL.findall(line)) == 6


# Words, spaces and newlines (`collapsed`'s fast way), then the same with odd spaces and controls.
PLAIN = st.lists(st.sampled_from(["ab", "é", " ", "  ", "\n", "\n\n", "\n \n"])).map("".join)
SPACEY = st.lists(st.sampled_from([*"ab é\n\t\r\x00\x0b\u00a0\u2003\u2028\u202e\ufeff", "\n\n"])).map("".join)


def _collapsed_by_words(text: str) -> str:
    return " ".join(_MARKUP_CONTROL.sub("", text).split())


def test_odd_spaces_are_every_whitespace_but_the_space_and_the_newline():
    spaces = {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()} - {" ", "\n"}
    assert {c for c in spaces if re.fullmatch(f"[{ODD_SPACES}]", c)} == spaces
    assert not re.search(f"[{ODD_SPACES}]", " \nabc")


@given(st.one_of(PLAIN, SPACEY, st.text()))
def test_collapsed_is_the_text_without_controls_one_space_between_words(text):
    assert collapsed(text) == _collapsed_by_words(text)


@given(st.one_of(PLAIN, SPACEY, st.text()), st.integers(min_value=1, max_value=40))
def test_clip_collapses_and_cuts_at_the_limit(text, limit):
    whole = _collapsed_by_words(text)
    clipped = clip(text, limit)
    assert clipped == (whole if len(whole) <= limit else whole[: limit - 1].rstrip() + "…")
