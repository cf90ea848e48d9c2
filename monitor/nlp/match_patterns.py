"""Regex building blocks for the matcher: alias spellings, abbreviations, prefix tries."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from monitor.nlp.normalize import fold_ascii, fold_lower

# Between syllables: any run of spaces, line breaks, hyphens, or nothing ("KonTum").
SEP = r"[\s\-]*"
# Abbreviations the press uses (both directions are expanded). Longest phrases first.
SYNONYMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("phòng cảnh sát giao thông", ("pc08", "phòng pc08")),
    ("công an thành phố", ("catp",)),
    ("công an huyện", ("cah",)),
    ("công an", ("ca",)),
    ("cảnh sát giao thông", ("csgt",)),
    ("cảnh sát hình sự", ("cshs",)),
    ("cảnh sát điều tra", ("csđt",)),
    ("phòng cháy chữa cháy", ("pccc",)),
    ("cứu nạn cứu hộ", ("cnch",)),
    ("thành phố", ("tp", "tp.")),
    ("thị trấn", ("tt", "tt.")),
    ("thị xã", ("tx", "tx.")),
)
# Words that make a place name a place ("xã Hòa Bình"), incl. the short forms of the press.
QUALIFIERS = (
    "xã",
    "phường",
    "thị trấn",
    "huyện",
    "thành phố",
    "thị xã",
    "tp",
    "tp.",
    "tt.",
    "tx.",
    "p.",
    "x.",
    "h.",
    "cửa khẩu",
    "khu du lịch",
    "vườn quốc gia",
    "núi",
    "làng",
    "đỉnh",
    "sâm",
)
# Geographic head nouns: a place listed as a landmark counts right after one of them even when its name alone
# is a person's or a battle's ("núi Ngọc Linh", "sâm Ngọc Linh", "đèo Lò Xo", "hồ Ya Ly"). Lower case
# in running text; capitalised only where a family name cannot be meant (see HEAD_SURNAMES).
LANDMARK_HEADS = (
    "núi",
    "đỉnh",
    "đỉnh núi",
    "dãy",
    "dãy núi",
    "đèo",
    "ngã ba",
    "cửa khẩu",
    "cửa khẩu quốc tế",
    "sông",
    "suối",
    "thác",
    "hồ",
    "lòng hồ",
    "thủy điện",
    "hồ thủy điện",
    "sâm",
    "củ sâm",
    "khu du lịch",
    "vườn quốc gia",
    "khu bảo tồn",
    "cầu treo",
    "cột mốc",
)
# Heads that are also family names: "Hồ Ngọc Linh", "Đèo Văn Long" are people when written with a capital.
HEAD_SURNAMES = frozenset(("hồ", "đèo"))
# A word right before a bare ambiguous name that shows it is not our place (street, person, other province).
BLOCKER_WORDS = (
    "tỉnh",
    "quận",
    "đường",
    "phố",
    "đại lộ",
    "ông",
    "bà",
    "anh",
    "chị",
    "vua",
    "cụ",
    "tướng",
    "trường",
    "chợ",
    "cầu",
    "khách sạn",
    "công ty",
    "giải",
    "cúp",
    "tinh thần",
)


@functools.cache
def blockers_ascii() -> frozenset[str]:
    """BLOCKER_WORDS without accents (for plain text)."""
    return frozenset(fold_ascii(w) for w in BLOCKER_WORDS)


# "…, quận X" / "(TP X)" / "…, thuộc địa bàn huyện X" right after a place: an explicit parent that may not be ours.
_IN = r"thuoc\s+(?:dia\s+(?:ban|phan)\s+)?"
PARENT = re.compile(
    r"\s*(?:[,(\-–]\s*(?:"
    + _IN
    + r")?|"
    + _IN
    + r")(quan|tp\.?|thanh pho|tinh|huyen|thi xa|tx\.?)\s+([^\W\d_]+(?:\s[^\W\d_]+){0,3})"
)
WORD = re.compile(r"[^\W_]+")


def expansions(alias: str) -> set[str]:
    """All spellings of an alias after abbreviation expansion, lower-cased."""
    out = {" ".join(fold_lower(alias).split())}
    for phrase, shorts in SYNONYMS + SYNONYMS:  # twice: "Phòng CSGT" → "Phòng Cảnh sát giao thông" → "PC08"
        for form in list(out):
            for a, b in [(phrase, s) for s in shorts] + [(s, phrase) for s in shorts]:
                pat = (
                    r"(?<!\w)" + re.escape(a) + r"(?![\w.])"
                    if not a.endswith(".")
                    else r"(?<!\w)" + re.escape(a)
                )
                if re.search(pat, form):
                    out.add(re.sub(pat, b, form))
    return out


def _piece(ch: str) -> str:
    if ch == " ":
        return SEP
    if ch == "'":
        return r"['\s]*"
    return re.escape(ch)


_Trie = dict[str, "_Trie"]  # one node of a character trie: next character → node ("" ends a form)


def trie_regex(forms: Iterable[str]) -> str:
    """One regex alternation for many literal forms, factored as a character trie (fast in `re`)."""
    root: _Trie = {}
    for form in forms:
        if not form:
            continue
        node = root
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        alts = [_piece(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root) or "(?!)"


def ascii_forms(forms: Iterable[str]) -> set[str]:
    """Accent-free spellings used by the scanning regex (every level is found by one scan)."""
    return {fold_ascii(f) for f in forms}
