"""Small decisions the matcher takes about one candidate: level, plain text, capitals, blockers, parents."""

from __future__ import annotations

import re
from collections.abc import Iterable

from monitor.nlp.match_build import Entry
from monitor.nlp.match_patterns import PARENT, WORD, blockers_ascii
from monitor.nlp.normalize import compact, fold_ascii, fold_tone, plain_share, tone_placement

LEVELS = ("exact", "tone", "ascii")
PLAIN_RADIUS = 120  # chars each side used to decide whether the text is written without diacritics
PLAIN_SHARE = 0.96  # Vietnamese with diacritics has ~80 % plain letters; a no-diacritic post has ~100 %
SNIPPET_SIDE = 75
# Abbreviations count only in capitals ("CA Kon Tum"), unless the text is plain: "cá Kon Tum" is a fish.
SHORTS = frozenset({"ca", "cah", "catp", "csgt", "cshs", "csđt", "pccc", "cnch", "tp", "tt", "tx", "pc08"})
_BLOCKERS_EXACT = frozenset(
    (
        "tỉnh",
        "quận",
        "đường",
        "phố",
        "đại lộ",
        "ông",
        "bà",
        "anh",
        "chị",
        "em",
        "cô",
        "chú",
        "vua",
        "cụ",
        "tướng",
        "trường",
        "chợ",
        "cầu",
        "hồ",
        "khách sạn",
        "công ty",
        "tên",
        "bài",
        "đội",
        "giải",
        "cúp",
        "tinh thần",
        "hoàng đế",
        "trận",
        "chiến thắng",
        "lô",
        "số",
        "mc",
        "ca sĩ",
        "nghệ sĩ",
        "nhà văn",
        "nhà thơ",
        "thí sinh",
        "cầu thủ",
        "học sinh",
        "sinh viên",
        "bạn",
        "bé",
        "cháu",
        "con",
        "nhóm",
        "ban nhạc",
        "phim",
    )
)
_PREV_WORD = re.compile(r"([.!?:;\"“(\n]\s*)?([^\W\d_]+)[ \t]+$")
_LAST_WORDS = re.compile(r"([^\W\d_]+)[^\w]+([^\W\d_]+)[^\w]*$|([^\W\d_]+)[^\w]*$")
QUALIFIER_WORDS = frozenset(
    ("xã", "phường", "huyện", "tp", "tx", "tt", "thị", "trấn", "phố", "núi", "sâm", "làng")
)
LIST_HEAD_EXACT = frozenset(("công", "an", "ca", "các", "hai", "ba", "bốn", "năm", "những", "tỉnh"))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def level_of(entries: Iterable[Entry], low: str, tone: str) -> tuple[int, Entry | None]:
    """Best (level index, entry) for a span: exact → tone → ascii; configured spellings win ties."""
    c_low, c_tone = compact(tone_placement(low)), compact(tone)
    best: tuple[int, int, Entry | None] = (3, 2, None)
    for e in entries:
        lvl = 0 if c_low in e.exact else 1 if c_tone in e.tone else 2
        rank = (lvl, 0 if c_low == e.own else 1, e)
        if rank[:2] < best[:2]:
            best = rank
    return best[0], best[2]


def words_level(span_low: str, exact: frozenset[str]) -> int:
    """Weakest level of the words of a span against a set of expected words."""
    tone = {fold_tone(w) for w in exact}
    lvl = 0
    for w in WORD.findall(span_low):
        lvl = max(lvl, 0 if w in exact else 1 if fold_tone(w) in tone else 2)
    return lvl


def qualifier_level(span_low: str, exact: frozenset[str], tone: frozenset[str]) -> int:
    """Level of a qualifier word (xã, phường, TP…)."""
    c = compact(tone_placement(span_low))
    return 0 if c in exact else 1 if compact(fold_tone(span_low)) in tone else 2


def is_plain(original: str, start: int, end: int) -> bool:
    """Whether the text around [start, end) is written without diacritics."""
    return plain_share(original[max(0, start - PLAIN_RADIUS) : end + PLAIN_RADIUS]) >= PLAIN_SHARE


def capitalised(original: str, start: int, end: int) -> bool:
    """Every syllable starts with a capital: a proper name, not the common words "hòa bình"."""
    words = WORD.findall(original[start:end])
    return bool(words) and all(w[0].isupper() or w[0].isdigit() for w in words)


def person_like(original: str, start: int) -> bool:
    """A capitalised word right before, mid-sentence: part of a person's name ("Lê Ngọc Linh", "Thị Ngọc Tú")."""
    m = _PREV_WORD.search(original, max(0, start - 40), start)
    if not m or not m.group(2)[0].isupper():
        return False
    sentence_start = m.group(1) is not None or m.start(2) == 0
    return not sentence_start and m.group(2).lower() not in QUALIFIER_WORDS


def shorts_ok(original: str, start: int, end: int) -> bool:
    """Abbreviations inside the span are written in capitals."""
    words = WORD.findall(original[start:end])
    return all(w.isupper() and w.lower() in SHORTS for w in words if fold_ascii(w).lower() in SHORTS)


def blocked(low: str, asc: str, start: int, plain: bool) -> bool:
    """The word(s) just before show a street, a person or another province ("đường Trường Chinh")."""
    for text, bag in ((low, _BLOCKERS_EXACT), (asc, blockers_ascii() if plain else frozenset())):
        m = _LAST_WORDS.search(text, max(0, start - 40), start)
        if not m or not bag:
            continue
        last = m.group(2) or m.group(3)
        if last in bag or (m.group(1) and f"{m.group(1)} {m.group(2)}" in bag):
            return True
    return False


_SPOUSE = re.compile(r"(?<!\w)(?:ong|ba)\s+$")


def spouse(asc: str, start: int) -> bool:
    """ "ông xã"/"bà xã" (husband/wife) before the qualifier "xã": not a commune."""
    return asc.startswith("xa", start) and _SPOUSE.search(asc, max(0, start - 6), start) is not None


def foreign_parent(asc: str, end: int, ours: set[str]) -> bool:
    """ "…, quận X" / "(TP X)" right after the name, X not one of our places: another province's namesake."""
    m = PARENT.match(asc, end)
    if not m:
        return False
    if m.group(1) == "quan":  # our province never had urban districts
        return True
    words = m.group(2).split()
    return not any(compact("".join(words[:n])) in ours for n in range(1, len(words) + 1))


def snippet(original: str, start: int, end: int) -> str:
    """About 160 chars around the match, the match highlighted as «…»."""

    def clean(s: str) -> str:
        return " ".join(_CONTROL.sub(" ", s).split())

    left = clean(original[max(0, start - SNIPPET_SIDE) : start])
    right = clean(original[end : end + SNIPPET_SIDE])
    if start > SNIPPET_SIDE:
        left = "…" + left.split(" ", 1)[-1] if " " in left else "…" + left
    if end + SNIPPET_SIDE < len(original):
        right = right.rsplit(" ", 1)[0] + "…" if " " in right else right + "…"
    sep_l = " " if original[max(0, start - 1) : start].isspace() else ""
    sep_r = " " if original[end : end + 1].isspace() else ""
    return f"{left}{sep_l}«{clean(original[start:end])}»{sep_r}{right}"
