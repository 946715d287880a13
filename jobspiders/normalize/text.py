"""Text cleaning for titles, company names and descriptions.

Use ``clean_text`` for one-line values (titles, company names, location parts) and ``html_to_text``
for descriptions, which may be HTML, entity-escaped HTML (Greenhouse ``content``) or plain text::

    >>> clean_text("  Backend&nbsp;Engineer &amp; SRE\\u200b ")
    'Backend Engineer & SRE'
    >>> html_to_text("&lt;p&gt;Hi &amp;amp; bye&lt;/p&gt;")
    'Hi & bye'
"""

from __future__ import annotations

import html
import re

import html_text

# C0/C1 controls (except tab/newline/CR, handled as whitespace), zero-width characters, bidi marks,
# soft hyphens and BOMs: invisible in a browser but they break matching and dedup. Lone surrogates
# too: JSON lets a board send "\\ud800", which no UTF-8 file or database can store.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ud800-\udfff]"
)
_SPACES = re.compile(r"\s+")
_INLINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_RUNS = re.compile(r"\n{3,}")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?\s*>|<!--")
_ESCAPED_TAG = re.compile(r"&lt;\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(?:\s.*?)?/?\s*&gt;", re.DOTALL)


def _unescape(value: str) -> str:
    # Boards sometimes escape twice ("&amp;amp;"); a second pass only runs if entities remain.
    value = html.unescape(value)
    if _ENTITY.search(value):
        value = html.unescape(value)
    return value


def clean_text(value: str | None) -> str:
    """One-line text: entities unescaped, invisible characters removed, whitespace collapsed."""
    if not isinstance(value, str) or not value:
        return ""
    value = _INVISIBLE.sub("", _unescape(value))
    return _SPACES.sub(" ", value).strip()


def html_to_text(value: str | None) -> str:
    """Plain text of a description, keeping paragraph and list-item line breaks.

    Entity-escaped HTML is unescaped once before parsing (unescaping twice would turn a literal
    "&amp;lt;" written by the author into markup). Runs of blank lines collapse to one blank line.
    """
    if not isinstance(value, str) or not value.strip():
        return ""
    if not _TAG.search(value) and _ESCAPED_TAG.search(value):
        value = html.unescape(value)
    text = html_text.extract_text(value, guess_layout=True) if _TAG.search(value) else _unescape(value)
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_INLINE_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()
