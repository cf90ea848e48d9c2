"""Plain-text hygiene shared by every parser: NFC, no control characters, tidy whitespace."""

from __future__ import annotations

import re
import unicodedata

# C0 controls except \t \n \r, DEL, C1 controls (\x80-\x9f: only ever mojibake or junk in press text),
# lone surrogates (not encodable as UTF-8), noncharacters and the BOM / zero-width no-break space.
# NUL is in here too: PostgreSQL rejects it in text columns.
_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
# Zero-width space/joiners and soft hyphen are invisible and break word matching downstream.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060]")
_JUNK_OR_INVISIBLE = re.compile(f"{_JUNK.pattern}|{_INVISIBLE.pattern}")
_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalize_chars(s: str) -> tuple[str, int]:
    """NFC `s` without control characters, lone surrogates or noncharacters (whitespace kept); + count removed."""
    s, removed = _JUNK.subn("", s)
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    return s, removed


def clean_text(s: str, *, multiline: bool = False) -> str:
    """Return `s` as clean NFC text: control chars and lone surrogates removed, whitespace collapsed."""
    if not s:
        return ""
    s = _JUNK_OR_INVISIBLE.sub("", s)
    if not s.isascii():
        # Windows-1258 and some CMSes produce decomposed tone marks; store one form only.
        s = unicodedata.normalize("NFC", s)
    if not multiline:
        return _SPACES.sub(" ", s).strip()
    # Keep paragraph breaks (article text), collapse everything else.
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_LINE_SPACES.sub(" ", line).strip() for line in s.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
