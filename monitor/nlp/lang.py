"""Offline language detection: Vietnamese vs English vs unknown, by letters and common words."""

from __future__ import annotations

import re

# Letters that only Vietnamese uses among Latin scripts (tone marks, horn, breve, đ).
_VI_LETTERS = set(
    "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
)
# Frequent Vietnamese syllables that survive diacritic stripping ("cong an tinh kon tum" posts).
_VI_WORDS = frozenset(
    "va cua la co cho cac mot nhung duoc da voi trong nay khi tai den tu nguoi khong de theo ra ve vao sau "
    "tren con nhu thi lai do nhieu hon cung lam nam ngay thang ong ba anh chi em dang se rang vua bi cong an "
    "tinh huyen xa phuong dan".split()
)
_EN_WORDS = frozenset(
    "the of and to in is was for on that with as by at from are be this which have has it an were or not "
    "but after their they he she his her its said been will would police who".split()
)
_WORD_RE = re.compile(r"[^\W\d_]+")
SAMPLE_CHARS = 3000  # the lead decides; scanning 1 MB would cost time for nothing


def detect_language(text: str) -> str:
    """'vi', 'en' or 'unknown' for a text, from Vietnamese letters/syllables vs English stopwords."""
    sample = text[:SAMPLE_CHARS].lower()
    words = _WORD_RE.findall(sample)
    if len(words) < 2:
        # One word: trust a Vietnamese letter, otherwise we cannot tell.
        return "vi" if words and any(ch in _VI_LETTERS for ch in words[0]) else "unknown"
    letters = [ch for w in words for ch in w]
    latin = sum(1 for ch in letters if ch.isascii() or ch in _VI_LETTERS)
    if latin < 0.5 * len(letters):
        return "unknown"  # mostly another script (Chinese, Cyrillic, Khmer…)
    vi_letters = sum(1 for ch in letters if ch in _VI_LETTERS)
    vi_words = sum(1 for w in words if w in _VI_WORDS)
    en_words = sum(1 for w in words if w in _EN_WORDS)
    n = len(words)
    if vi_letters / max(1, latin) >= 0.05 or (vi_words / n >= 0.25 and vi_words > 2 * en_words):
        return "vi"
    if en_words / n >= 0.15 and vi_letters / max(1, latin) < 0.02:
        return "en"
    return "unknown"
