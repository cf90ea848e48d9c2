"""Folding for search: the one mapping of Vietnamese letters to plain lower-case ASCII (đ → d).

Folding exists twice, on purpose: this Python function (SQLite, and every query string) and the PostgreSQL
function `monitor_fold(text)` of migration 0005 (`lower(unaccent(...))`, declared IMMUTABLE so an index can
use it; the C dictionary is 60× faster than a `translate()` over every letter). They differ only outside
words (unaccent also rewrites some punctuation); tests/test_web_search.py checks they give the same words.
Pure: imports nothing of ours.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Latin letters with diacritics used by Vietnamese (and their neighbours), plus combining marks.
_RANGES = ((0x00C0, 0x0250), (0x1EA0, 0x1F00))
_COMBINING = (0x0300, 0x0370)


@cache
def fold_table() -> tuple[str, str, str]:
    """(from, to, delete): translate() arguments mapping letters to a-z and deleting combining marks."""
    src: list[str] = []
    dst: list[str] = []
    for code in range(ord("A"), ord("Z") + 1):
        src.append(chr(code))
        dst.append(chr(code).lower())
    for lo, hi in _RANGES:
        for code in range(lo, hi):
            ch = chr(code)
            base = unicodedata.normalize("NFD", ch)[0].lower()
            if ch in "đĐ":
                base = "d"
            if "a" <= base <= "z" and base != ch:
                src.append(ch)
                dst.append(base)
    gone = "".join(chr(c) for c in range(*_COMBINING))
    return "".join(src), "".join(dst), gone


@cache
def _translation() -> dict[int, int | None]:
    src, dst, gone = fold_table()
    table: dict[int, int | None] = {ord(a): ord(b) for a, b in zip(src, dst)}
    table.update(dict.fromkeys(map(ord, gone)))
    return table


@cache
def _outside_fast_path() -> re.Pattern[str]:
    """A character that is neither ASCII nor one the table folds (a letter it maps, a mark it deletes)."""
    folded = "".join(chr(code) for code in _translation() if code > 0x7F)
    return re.compile(f"[^\\x00-\\x7f{re.escape(folded)}]")


def fold_for_search(text: str) -> str:
    """Lower-case ASCII letters for every Vietnamese letter, combining marks dropped (what monitor_fold does)."""
    if text.isascii():
        return text.lower()  # the table maps A-Z to a-z and leaves the rest of ASCII alone
    if _outside_fast_path().search(text):
        return text.translate(_translation())
    # Only ASCII and letters or marks the table folds: decomposed, each such letter is the ASCII letter the
    # table gives plus marks the table deletes (đ alone has no decomposition). Three passes in C instead of
    # a dictionary lookup per character: this runs on every article's title and summary.
    nfd = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "d")
    return nfd.encode("ascii", "ignore").decode("ascii").lower()


_NON_WORD = re.compile(r"[^0-9a-z]+")


def _words(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(fold_for_search(unicodedata.normalize("NFC", text))) if w]


def search_words(query: str) -> list[str]:
    """The folded words of a user's query (letters and digits; anything else separates), at most 12."""
    return _words(query)[:12]


def folded_words(text: str | None) -> str:
    """A document as " w1 w2 … " (SQLite's monitor_words: whole-word phrase matching with LIKE)."""
    return f" {' '.join(_words(text or ''))} "
