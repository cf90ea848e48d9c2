"""Generic subordinate police ("công an xã", "trưởng công an xã", "cơ quan công an tỉnh") read in context.

A story about Kon Tum often names its commune or district police without repeating the place: "xã Ya Chiêm,
TP Kon Tum … trưởng công an xã đánh họ". Such a generic phrase counts for the unit (a tier below the named
subunits, like the place tiers) when, and only when:
- one of our places is named in the same paragraph or in the title (an anchor), and that anchor is not a
  person's home ("Nguyễn Văn A, trú huyện Đắk Hà, Kon Tum, bị công an xã … bắt": the place says where he
  lives, not where the police acted);
- the paragraph names no other province ("… công an xã Ia Dom, tỉnh Gia Lai"): then the generic police may
  be theirs;
- the phrase is generic: not followed by a capitalised name ("Công an xã Ia Dom" is a named unit, judged by
  the ordinary prefix + place rule) nor by "bạn" ("công an tỉnh bạn", a neighbouring province's police).

Pure functions over the matcher's normalised copies (same offsets); match.py turns the spans into mentions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from monitor.nlp.normalize import fold_ascii

# Phrases, accent-free; the level (exact vs ascii) is decided by the caller from the original spelling.
GENERIC = re.compile(
    r"(?<!\w)(?:(?:pho\s+)?truong\s+)?(?:co\s+quan\s+)?cong\s+an\s+"
    r"(?P<level>xa|phuong|thi\s+tran|huyen|thi\s+xa|thanh\s+pho|tinh)(?!\w)"
)
# Right after the phrase: a capitalised word names the unit; these words make it someone else's.
_NOT_OURS_AFTER = re.compile(r"\s*(?:ban|khac|cac|nuoc|lan\s+can)(?!\w)")
# Within this many chars before an anchor: the place is a person's home or origin, not the scene.
_HOME = re.compile(
    r"(?<!\w)(?:tru(?!\s+so)|ngu|que|thuong\s+tru|tam\s+tru|ho\s+khau|sinh\s+song|den\s+tu)(?!\w)"
    r"(?:\s+(?:tai|o))?(?:[\s,:]+[^\W\d_]+){0,6}[\s,:]*$"
)
HOME_LOOKBACK = 40
# "xã Hòa Bình, TP Kon Tum": a commune that shares a province's name is not that province.
_COMMUNE_BEFORE = re.compile(r"(?:xa|phuong|thi tran|thon|lang)\s+$")
# The 63 provinces and cities before 7/2025 and the merged names after it, except Kon Tum and its successor
# Quảng Ngãi (which now contains Kon Tum). Public administrative names.
OTHER_PROVINCES = (
    "An Giang",
    "Bà Rịa",
    "Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cần Thơ",
    "Cao Bằng",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Huế",
    "Tiền Giang",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
    "Hồ Chí Minh",
    "TP HCM",
    "TP.HCM",
    "TPHCM",
    "Sài Gòn",
    "Campuchia",
    "Lào",
)


@functools.cache
def _other_re() -> re.Pattern[str]:
    forms = sorted({fold_ascii(p) for p in OTHER_PROVINCES}, key=len, reverse=True)
    return re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s*") for f in forms) + r")(?!\w)"
    )


def paragraph_of(text: str, pos: int) -> tuple[int, int]:
    """[start, end) of the line (paragraph) holding pos."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def names_other_province(asc: str, cased: str, start: int, end: int) -> bool:
    """A capitalised name of another province within [start, end) of the text."""
    for m in _other_re().finditer(asc, start, end):
        word = cased[m.start() : m.end()]
        if word[:1].isupper() and not _COMMUNE_BEFORE.search(asc, max(0, m.start() - 12), m.start()):
            return True
    return False


def is_home(asc: str, anchor_start: int) -> bool:
    """The anchor place follows "trú / ngụ / quê / thường trú…": it is someone's home, not the scene."""
    before = asc[max(0, anchor_start - HOME_LOOKBACK) : anchor_start]
    return _HOME.search(before) is not None


def generic_spans(
    asc: str, cased: str, anchors: Sequence[tuple[int, int]], title_end: int
) -> list[tuple[int, int, str]]:
    """(start, end, phrase) of generic police phrases that count for the unit, given our place anchors.

    `asc`/`cased` are the matcher's accent-free and case-kept copies (same offsets); `anchors` are the spans
    of our places found in the text; `title_end` is where the title (first line) ends.
    """
    usable = [a for a in anchors if not is_home(asc, a[0])]
    if not usable:
        return []
    in_title = any(a[1] <= title_end for a in usable)
    out = []
    for m in GENERIC.finditer(asc):
        after = cased[m.end() : m.end() + 2].lstrip()
        if after[:1].isupper() or _NOT_OURS_AFTER.match(asc, m.end()):
            continue  # a named unit ("Công an xã Ia Dom"), or another province's ("công an tỉnh bạn")
        p_start, p_end = paragraph_of(asc, m.start())
        here = any(p_start <= a[0] and a[1] <= p_end for a in usable)
        if not (here or in_title) or names_other_province(asc, cased, p_start, p_end):
            continue
        out.append((m.start(), m.end(), " ".join(cased[m.start() : m.end()].split())))
    return out
