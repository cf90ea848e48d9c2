"""Turn response bytes into text whatever charset the server claims, with Vietnamese in mind.

Feeds in the wild lie about their encoding: UTF-8 bytes declared windows-1258 or iso-8859-2 (feedparser then
silently produces mojibake), real windows-1258 bytes declared nothing. We decide ourselves, in this order:
a BOM; valid UTF-8 (a non-UTF-8 text that happens to be valid UTF-8 is vanishingly rare); otherwise the
candidate (declared, windows-1258, charset-normalizer's guess, lenient UTF-8) whose text looks most like
Vietnamese and least like mojibake.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Mapping

import charset_normalizer

from monitor.parse.text import normalize_chars

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:+-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:+-]+)["']""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:+-]+)""", re.I)
# Letters only Vietnamese uses (precomposed, after NFC): what a right decoding produces plenty of.
_VIETNAMESE = re.compile("[\u1ea0-\u1ef9\u0110\u0111\u01a0\u01a1\u01af\u01b0]")
# What a wrong decoding produces: replacement chars and C1 controls.
_MOJIBAKE = re.compile("[\ufffd\x80-\x9f]")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that works for plain dicts as well as httpx.Headers."""
    value = headers.get(name)
    if value is not None:
        return value
    lname = name.lower()
    for key, value in headers.items():
        if key.lower() == lname:
            return value
    return None


def declared_charsets(body: bytes, headers: Mapping[str, str]) -> list[str]:
    """Codec names declared for `body` (HTTP header, then XML declaration, then HTML meta), known codecs only."""
    found: list[str] = []
    content_type = header(headers, "content-type") or ""
    m = _HEADER_CHARSET.search(content_type)
    if m:
        found.append(m.group(1))
    head = body[:2048]
    declared = _XML_DECL.match(head) or _META_CHARSET.search(head)
    if declared:
        found.append(declared.group(1).decode("ascii", "replace"))
    names: list[str] = []
    for label in found:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            continue
        if name not in names:
            names.append(name)
    return names


def _score(text: str) -> int:
    sample = text[:20000]
    return len(_VIETNAMESE.findall(sample)) - 5 * len(_MOJIBAKE.findall(sample))


def _candidate(body: bytes, codec: str) -> str | None:
    try:
        text = body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    # Python's cp1258 decodes tone marks as combining characters: compose before scoring.
    return unicodedata.normalize("NFC", text)


def decode_body(body: bytes, headers: Mapping[str, str]) -> str:
    """Decode a response body to text, repairing a wrong or missing charset declaration."""
    return detect_and_decode(body, headers)[0]


def detect_and_decode(body: bytes, headers: Mapping[str, str]) -> tuple[str, str]:
    """Decode `body` as decode_body does; also return the codec actually used (for warnings)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, "replace"), codec
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[str, str]] = []
    for codec in [*declared_charsets(body, headers), "cp1258"]:
        text = _candidate(body, codec)
        if text is not None:
            candidates.append((text, codec))
    if not any(_score(text) > 0 for text, _ in candidates):
        guess = charset_normalizer.from_bytes(body).best()
        if guess is not None:
            candidates.append((unicodedata.normalize("NFC", str(guess)), guess.encoding))
    # Mostly-UTF-8 with a few broken bytes: the replacement chars are penalised, so it wins only if the rest
    # of the text is clearly Vietnamese UTF-8.
    candidates.append((unicodedata.normalize("NFC", body.decode("utf-8", "replace")), "utf-8 (lenient)"))
    # max() keeps the first of equal scores: the declared charset wins ties.
    return max(candidates, key=lambda c: _score(c[0]))


_DECL_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([\w.:+-]+)(["'])""")


def xml_as_utf8(text: str) -> tuple[bytes, int]:
    """Decoded feed text → NFC UTF-8 bytes with a matching XML declaration; returns (bytes, chars dropped)."""
    text = _DECL_ENCODING.sub(r"\1utf-8\3", text, count=1)
    # Done once for the whole document, before feedparser: controls XML 1.0 forbids (§2.2) would make expat
    # give up and feedparser fall back to its slow, lossy loose parser; C1 controls would be "repaired" by
    # feedparser as cp1252 punctuation; NFC here makes every field NFC, summary HTML included.
    cleaned, dropped = normalize_chars(text)
    return cleaned.encode("utf-8"), dropped
