"""Fast path for plain RSS 2.0: the fields feedparser would produce, read with the C XML parser.

feedparser spends about three quarters of a feed's parse time in pure-Python SAX callbacks, and a first
pass over hundreds of outlets parses tens of thousands of items. Most feeds are well-formed RSS 2.0 whose
items hold a handful of leaf elements; for those, what feedparser's strict parser does to each field is
short enough to repeat exactly here (same strings, same dates, through feedparser's own date parser and
URL fixer). Anything outside that shape returns None and the caller runs feedparser, so the output never
depends on which path ran: a DOCTYPE or anything else before the root, xml:base, an attribute or element
not listed below, a field given twice, markup inside a field, malformed XML.
`tests/test_parse_plain_rss.py` checks both paths give the same ParsedFeed on every fixture and variant.
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.urls import _urljoin

DC = "{http://purl.org/dc/elements/1.1/}"
SLASH = "{http://purl.org/rss/1.0/modules/slash/}"
ATOM_LINK = "{http://www.w3.org/2005/atom}link"
# Only an XML declaration may precede the root: a DOCTYPE (entities), a stylesheet PI or a comment
# all send the feed to feedparser, whose DOCTYPE handling differs from a plain XML parser's.
_PROLOG = re.compile(rb"\s*(?:<\?xml[^<>]*\?>)?\s*<rss[\s>]")
# feedparser's repair of link query strings (`?a=1&b;=2` read as an entity reference).
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")  # what feedparser's cp1252 table maps
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
# Leaf elements of an item whose value feedparser stores under the given key (at most one of each).
_ITEM_FIELDS = {
    "title": "title",
    "link": "link",
    "guid": "id",
    "description": "summary",
    "pubdate": "published",
    "author": "author",
    DC + "creator": "author",
}
# Leaf elements of an item that feed no field we read (tags, enclosure links, comment counts).
_ITEM_IGNORED = frozenset({"category", "comments", "enclosure", SLASH + "comments"})
_ATTRIBUTES_OK = {"guid": {"ispermalink"}, "category": {"domain"}, "enclosure": {"url", "length", "type"}}
# Channel children that only set feed-level keys other than the title.
_CHANNEL_LEAVES = frozenset(
    {
        "link",
        "description",
        "language",
        "copyright",
        "pubdate",
        "lastbuilddate",
        "generator",
        "docs",
        "ttl",
        "category",
        "managingeditor",
        "webmaster",
    }
)
_IMAGE_LEAVES = frozenset({"title", "link", "description", "url", "width", "height"})


class _Refused(Exception):
    """The document is outside the shape this module reproduces: use feedparser."""


def _name(el: ET.Element) -> str:
    """feedparser's view of a tag: local names lower-cased, namespace URIs compared lower-cased."""
    tag = el.tag
    if tag[0] == "{":
        uri, _, local = tag[1:].partition("}")
        return "{" + uri.lower() + "}" + local.lower()
    return tag.lower()


def _leaf(el: ET.Element, name: str) -> str:
    """The stripped text of a childless element whose attributes are all expected, else refuse."""
    if len(el):
        raise _Refused
    if el.attrib and not {k.lower() for k in el.attrib} <= _ATTRIBUTES_OK.get(name, set()):
        raise _Refused
    return (el.text or "").strip()


def _resolve(text: str) -> str:
    """feedparser's relative-URI step with its empty base: only `scheme:///x` changes (to `scheme://x`)."""
    return _urljoin("", text) if ":///" in text else text


def _finish(text: str) -> str:
    """The last steps of feedparser's pop(): its double-encoded UTF-8 repair and cp1252 mapping."""
    if text.isascii():  # both steps leave ASCII as it is
        return text
    if not _BEYOND_LATIN1.search(text):  # else not Latin-1 encodable: the repair would fail
        with contextlib.suppress(UnicodeDecodeError):
            text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252) if _C1.search(text) else text


def _entry(item: ET.Element) -> dict[str, Any]:
    if item.attrib:
        raise _Refused
    entry: dict[str, Any] = {}
    seen: set[str] = set()
    for el in item:
        name = _name(el)
        if name in _ITEM_IGNORED:
            _leaf(el, name)
            continue
        key = _ITEM_FIELDS.get(name)
        if key is None or key in seen:
            raise _Refused
        seen.add(key)
        text = _leaf(el, name)
        if key == "link":
            text = _finish(_resolve(text))
            if "&" in text:
                text = _LINK_ENTITY.sub(r"&\g<1>", text.replace("&amp;", "&"))
            entry["link"] = text
        elif key == "id":
            attrs = {k.lower(): v for k, v in el.attrib.items()}
            is_link = attrs.get("ispermalink", "true") == "true"
            text = _finish(_resolve(text) if is_link else text)
            entry["id"] = text
            entry.setdefault("guidislink", is_link and "link" not in entry)
            if is_link:
                entry.setdefault("link", text)
        elif key == "summary":
            entry["summary"] = _finish(text)
            entry["summary_detail"] = {"type": "text/html"}
        elif key == "published":
            entry["published"] = text = _finish(text)
            entry["published_parsed"] = _parse_date(text)
        else:
            entry[key] = _finish(text)
    return entry


def _image(el: ET.Element) -> None:
    if el.attrib:
        raise _Refused
    for child in el:
        name = _name(child)
        if name not in _IMAGE_LEAVES:
            raise _Refused
        _leaf(child, name)


def read_plain_rss(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(feed fields, entries) as feedparser would give them for plain RSS 2.0 UTF-8 bytes, or None."""
    if not _PROLOG.match(data):
        return None
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None
    if root.tag != "rss" or set(root.attrib) - {"version"} or len(root) != 1:
        return None
    channel = root[0]
    if channel.tag != "channel" or channel.attrib:
        return None
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    try:
        for el in channel:
            name = _name(el)
            if name == "item":
                entries.append(_entry(el))
            elif name == "title":
                if "title" in feed:
                    raise _Refused
                feed["title"] = _finish(_leaf(el, name))
            elif name == "image":
                _image(el)
            elif name in _CHANNEL_LEAVES or name == ATOM_LINK:
                if len(el) or "base" in {k.rsplit("}", 1)[-1].lower() for k in el.attrib}:
                    raise _Refused
            else:
                raise _Refused
    except _Refused:
        return None
    return feed, entries
