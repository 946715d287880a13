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
import lxml.etree

# C0/C1 controls (except tab/newline/CR, handled as whitespace), zero-width characters, bidi marks,
# soft hyphens and BOMs: invisible in a browser but they break matching and dedup. Lone surrogates
# too: JSON lets a board send "\\ud800", which no UTF-8 file or database can store.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ud800-\udfff]"
)
_SPACES = re.compile(r"\s+")
_INLINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_RUNS = re.compile(r"\n{3,}")
_EDGE_SPACES = re.compile(r" ?\n ?")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?\s*>|<!--")
_ESCAPED_TAG = re.compile(r"&lt;\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(?:\s.*?)?/?\s*&gt;", re.DOTALL)
# What html_text's cleaner (lxml_html_clean, html_text.cleaner's settings) removes or renames: scripts,
# styles, comments, processing instructions, <link>/<meta>, embedded objects and frames. A tree with
# none of them comes out of the cleaner unchanged but for attributes, so its deep copy and pass are
# skipped (profiled: ~20% of html_to_text).
_CLEANED_TAGS = (
    "script", "style", "link", "meta", "param", "applet", "iframe", "embed", "layer", "object",
    "frameset", "frame", "noframes", "image", "base", lxml.etree.Comment, lxml.etree.ProcessingInstruction,
)  # fmt: skip


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
    text = _html_text(value) if _TAG.search(value) else _unescape(value)
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Per line: spaces collapsed and stripped (one pass over the whole text, not one per line).
    text = _EDGE_SPACES.sub("\n", _INLINE_SPACES.sub(" ", text))
    return _BLANK_RUNS.sub("\n\n", text).strip()


def _html_text(value: str) -> str:
    """``html_text.extract_text(value, guess_layout=True)``, parsing once and cleaning only when needed."""
    tree = html_text.parse_html(value)
    if next(tree.iter(*_CLEANED_TAGS), None) is not None:
        return html_text.extract_text(tree, guess_layout=True)
    return _etree_to_text(tree)


_NEWLINE_TAGS = html_text.NEWLINE_TAGS
_DOUBLE_NEWLINE_TAGS = html_text.DOUBLE_NEWLINE_TAGS
_NEWLINE, _DOUBLE_NEWLINE = object(), object()
_HAS_PUNCT_AFTER = re.compile(r'^[,:;.!?")]').search
_HAS_OPEN_BRACKET_BEFORE = re.compile(r"\($").search


def _etree_to_text(tree: lxml.etree._Element) -> str:
    """``html_text.etree_to_text(tree, guess_punct_space=True, guess_layout=True)``, same output.

    The same walk without its per-chunk closures and regex whitespace collapse (``" ".join(split())``
    splits on exactly the characters ``\\s`` matches); profiled: half of html_to_text.
    """
    chunks: list[str] = []
    append = chunks.append
    newline, double_newline = _NEWLINE, _DOUBLE_NEWLINE
    newline_tags, double_newline_tags = _NEWLINE_TAGS, _DOUBLE_NEWLINE_TAGS
    prev: object = double_newline  # _NEWLINE, _DOUBLE_NEWLINE or the previous raw text chunk
    for event, el in lxml.etree.iterwalk(tree, events=("start", "end")):
        tag = el.tag
        if prev is not double_newline:  # add_newlines(tag)
            if tag in double_newline_tags:
                append("\n" if prev is newline else "\n\n")
                prev = double_newline
            elif tag in newline_tags:
                if prev is not newline:
                    append("\n")
                prev = newline
        raw = el.text if event == "start" else (el.tail if el is not tree else None)
        if raw and (text := " ".join(raw.split())):  # add_text(raw)
            if prev is newline or prev is double_newline:
                append(text)
            else:
                assert isinstance(prev, str)
                if prev[-1].isspace() or (not _HAS_PUNCT_AFTER(text) and not _HAS_OPEN_BRACKET_BEFORE(prev)):
                    append(" ")
                append(text)
            prev = raw
    return "".join(chunks).strip()
