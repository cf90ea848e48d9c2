"""HTML allowlist sanitising and HTML → text, both through nh3 (ammonia): the only module importing nh3.

feedparser's own sanitizer lets `javascript:` through in several spellings; nh3 parses like a browser
(entities decoded, tabs and newlines removed from schemes) before checking the scheme, so we trust it instead.
"""

from __future__ import annotations

import functools
import html
import re

import nh3

from monitor.parse.text import clean_text, normalize_chars

ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# No data: (text/html payloads), no javascript:/vbscript:, nothing a reader would not click anyway.
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
_DROP_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math"})

# Where a tag boundary separates words; replaced by a space before the tags are stripped.
_BLOCK_BOUNDARY = re.compile(
    r"<(?:br|/?(?:p|div|li|ul|ol|tr|td|th|h[1-6]|blockquote|figure|figcaption|table|dd|dt|hr))\b[^>]*>", re.I
)
# A tag left after decoding: the source escaped its HTML twice (`&amp;lt;b&amp;gt;`). Text never needs it.
_LEFTOVER_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")
_LEFTOVER_CODE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.I | re.S)
# A tag as nh3 writes it: attribute values double-quoted (a quote inside is `&quot;`, but `>` stays as is);
# `<` in text is always written `&lt;`. Exact on nh3's output only, never on arbitrary HTML.
_SERIALISED_TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')


@functools.cache
def _sanitizer() -> nh3.Cleaner:
    # Built on first use (not at import) and reused: building an ammonia config costs more than a clean.
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


@functools.cache
def _stripper() -> nh3.Cleaner:
    return nh3.Cleaner(tags=set(), clean_content_tags=set(_DROP_WITH_CONTENT), strip_comments=True)


def sanitize_html(fragment: str) -> str:
    """Return `fragment` re-cleaned against our allowlist (no scripts, styles, handlers or unsafe URLs)."""
    if not fragment:
        return ""
    return normalize_chars(_sanitizer().clean(fragment))[0].strip()


def sanitize_with_text(fragment: str) -> tuple[str, str]:
    """(`sanitize_html(fragment)`, its visible text) with one HTML parse instead of two.

    The text is what `html_to_text` gives for the sanitised HTML: nh3's own output needs no second parse
    to drop its tags (see `_SERIALISED_TAG`), and a feed's summary is most of the parse stage's work.
    """
    clean = sanitize_html(fragment)
    if "<" not in clean and "&" not in clean:
        return clean, clean_text(clean)
    text = html.unescape(_SERIALISED_TAG.sub("", _BLOCK_BOUNDARY.sub(" ", clean)))
    if "<" in text:
        text = _LEFTOVER_TAG.sub(" ", _LEFTOVER_CODE.sub(" ", text))
    return clean, clean_text(text)


def html_to_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment: tags dropped, entities decoded once, clean_text applied."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return clean_text(fragment)  # the common plain title: skip the HTML parser
    spaced = _BLOCK_BOUNDARY.sub(" ", fragment)
    # nh3 parses (decoding entities) and re-escapes; unescaping its output decodes exactly once overall.
    text = html.unescape(_stripper().clean(spaced))
    if "<" in text:
        text = _LEFTOVER_TAG.sub(" ", _LEFTOVER_CODE.sub(" ", text))
    return clean_text(text)
