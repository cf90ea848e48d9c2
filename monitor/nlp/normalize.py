"""Text normalisation for matching: NFC, HTML entities, case and diacritic folding, with offsets kept.

Every fold here maps one character to one character, so a folded copy shares its offsets with the
normalised text; only entity decoding, NFD composition and dropped invisibles change lengths, and
`Normalized` maps those spans back to the original string.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
import unicodedata
from dataclasses import dataclass

# Vietnamese tone marks (huyền, sắc, ngã, hỏi, nặng). Vowel-quality marks (ă â ê ô ơ ư đ) are kept by
# fold_tone: "Đăk" ≈ "Đắk" and "hoà" ≈ "hòa", but "tự" ≠ "tu".
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4\u2032"
_TABLE_SIZE = 0x2100  # Latin blocks incl. Latin Extended Additional (U+1E00–U+1EFF) and typographic quotes
# Fast check: only texts holding one of these need the slow path (entities, tags, combining marks, invisibles).
_NEEDS_SLOW = re.compile("[&<\u0300-\u036f\u0130\u00ad\u200b-\u200d\u2060\ufeff]")
_SPECIAL = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"  # HTML entity
    r"|<[^<>]{0,300}>"  # leftover tag: acts as a space
    r"|(?s:.)[\u0300-\u036f]+"  # base letter + combining marks (NFD): compose
    r"|[\u0130\u00ad\u200b-\u200d\u2060\ufeff]"  # İ (lower() would grow it), soft hyphen, zero-width chars
)
_WORD_SEPARATORS = re.compile(r"[\W_]+")


def _fold_char(c: str, marks: frozenset[str] | None) -> str:
    """Lower-case c and drop the given combining marks (all marks when None); c itself if not 1:1."""
    low = c.lower()
    if len(low) != 1:
        return c
    d = unicodedata.normalize("NFD", low)
    kept = "".join(m for m in d if not (unicodedata.combining(m) and (marks is None or m in marks)))
    out = unicodedata.normalize("NFC", kept)
    if marks is None:
        out = out.replace("đ", "d")
    if c in APOSTROPHES:
        out = "'"
    return out if len(out) == 1 else low


@functools.cache
def _tables() -> tuple[str, str, str]:
    """(lower, tone-fold, ascii-fold) translation tables as strings indexed by code point (fast translate)."""
    lower, tone, ascii_ = [], [], []
    for cp in range(_TABLE_SIZE):
        c = chr(cp)
        low = c.lower() if len(c.lower()) == 1 else c
        lower.append("'" if c in APOSTROPHES else low)
        tone.append(_fold_char(c, TONE_MARKS))
        ascii_.append(_fold_char(c, None))
    return "".join(lower), "".join(tone), "".join(ascii_)


def fold_lower(s: str) -> str:
    """Lower-case with apostrophe variants unified; same length as s."""
    return s.translate(_tables()[0])


def fold_tone(s: str) -> str:
    """Lower-case and drop Vietnamese tone marks only (keeps ă â ê ô ơ ư đ); same length as s."""
    return s.translate(_tables()[1])


def fold_ascii(s: str) -> str:
    """Lower-case and drop all diacritics (đ → d); same length as s."""
    return s.translate(_tables()[2])


_OLD_PLACEMENT = re.compile("(?<!q)(o[àáảãạèéẻẽẹ]|u[ỳýỷỹỵ])(?![^\\W\\d_])")


def _move_mark(m: re.Match[str]) -> str:
    pair = m.group()
    first, second = pair[0], pair[1]
    d = unicodedata.normalize("NFD", second)
    return unicodedata.normalize("NFC", first + d[1:]) + d[0]


def tone_placement(s: str) -> str:
    """Put the tone mark of a final oa/oe/uy on the first vowel: "hoà" → "hòa", "thuỷ" → "thủy" (lower-case in)."""
    return _OLD_PLACEMENT.sub(_move_mark, s) if ("o" in s or "u" in s) else s


def compact(s: str) -> str:
    """Drop spaces, punctuation and apostrophes: the comparison form of an alias or a matched span."""
    return _WORD_SEPARATORS.sub("", s)


def collapse_ws(s: str) -> str:
    """Collapse runs of whitespace (incl. line breaks) into one space."""
    return " ".join(s.split())


def has_diacritics(s: str) -> bool:
    """True when s contains any non-ASCII letter."""
    return any(ord(c) > 127 and c.isalpha() for c in s)


_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")


def plain_share(s: str) -> float:
    """Share of letters in s that are plain ASCII (1.0 for text written without diacritics)."""
    if s.isascii():
        return 1.0
    letters = len(_LETTER.findall(s))
    return len(_ASCII_LETTER.findall(s)) / letters if letters else 1.0


@dataclass(frozen=True)
class Normalized:
    """NFC, entity-decoded, lower-cased text plus the map back to the original offsets."""

    original: str
    text: str
    cased: str = ""  # same as text but with its case kept (capitals tell names from words)
    # Replaced spans, sorted: (norm_start, norm_end, orig_start, orig_end); identity between them.
    spans: tuple[tuple[int, int, int, int], ...] = ()

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of `text` to the original string."""
        if not self.spans:
            return start, end
        return self._map(start, is_end=False), self._map(end, is_end=True)

    def _map(self, pos: int, is_end: bool) -> int:
        i = bisect.bisect_right([s[0] for s in self.spans], pos) - 1
        if i < 0:
            return pos
        n0, n1, o0, o1 = self.spans[i]
        if pos >= n1:
            return o1 + (pos - n1)
        return o1 if is_end and pos > n0 else o0


def _replacement(piece: str) -> str:
    if piece[0] == "&":
        return unicodedata.normalize("NFC", html.unescape(piece))
    if piece[0] == "<":
        return " "
    if piece in "\u00ad\u200b\u200c\u200d\u2060\ufeff":
        return ""
    if piece == "\u0130":
        return "i"
    return unicodedata.normalize("NFC", piece)


def normalize(text: str) -> Normalized:
    """Normalise text for matching; never raises on any str."""
    if not _NEEDS_SLOW.search(text):
        # lower() keeps lengths here (İ takes the slow path) and is 10x faster than translate.
        low = text.lower()
        if any(a in low for a in APOSTROPHES):
            low = fold_lower(low)
        return Normalized(text, low, text)
    out: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    n = last = 0
    for m in _SPECIAL.finditer(text):
        out.append(text[last : m.start()])
        n += m.start() - last
        rep = _replacement(m.group())
        if len(rep) > 1 and rep[0] == rep[-1] == " ":
            rep = " "
        out.append(rep)
        spans.append((n, n + len(rep), m.start(), m.end()))
        n += len(rep)
        last = m.end()
    out.append(text[last:])
    cased = "".join(out)
    # lower() keeps the length of every char but İ (replaced above); translate keeps lengths.
    low = cased.lower()
    return Normalized(text, fold_lower(low if len(low) == len(cased) else cased), cased, tuple(spans))
