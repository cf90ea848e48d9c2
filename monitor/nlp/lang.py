"""Offline language detection: Vietnamese vs English vs unknown, by letters and common words."""

from __future__ import annotations

import re

# Letters that only Vietnamese uses among Latin scripts (tone marks, horn, breve, đ).
_VI_LETTERS = set("àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ")
# Frequent Vietnamese syllables that survive diacritic stripping ("cong an tinh kon tum" posts).
_VI_WORDS = frozenset(
    [
        "va",
        "cua",
        "la",
        "co",
        "cho",
        "cac",
        "mot",
        "nhung",
        "duoc",
        "da",
        "voi",
        "trong",
        "nay",
        "khi",
        "tai",
        "den",
        "tu",
        "nguoi",
        "khong",
        "de",
        "theo",
        "ra",
        "ve",
        "vao",
        "sau",
        "tren",
        "con",
        "nhu",
        "thi",
        "lai",
        "do",
        "nhieu",
        "hon",
        "cung",
        "lam",
        "nam",
        "ngay",
        "thang",
        "ong",
        "ba",
        "anh",
        "chi",
        "em",
        "dang",
        "se",
        "rang",
        "vua",
        "bi",
        "cong",
        "an",
        "tinh",
        "huyen",
        "xa",
        "phuong",
        "dan",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "was",
        "for",
        "on",
        "that",
        "with",
        "as",
        "by",
        "at",
        "from",
        "are",
        "be",
        "this",
        "which",
        "have",
        "has",
        "it",
        "an",
        "were",
        "or",
        "not",
        "but",
        "after",
        "their",
        "they",
        "he",
        "she",
        "his",
        "her",
        "its",
        "said",
        "been",
        "will",
        "would",
        "police",
        "who",
    ]
)
# The most frequent Vietnamese-only letters; no other Latin-script language uses them together.
_VI_COMMON = "ạảấầậắằặẻẽếềệỉịọỏốồộớờợụủứừựđơưăâêô"
_WORD_RE = re.compile(r"[^\W\d_]+")
# One Vietnamese syllable written without diacritics: onset, vowel nucleus, final consonant. Every syllable
# of "cong an tinh kon tum bat doi tuong van chuyen can sa" fits; most English words ("police", "arrested",
# "province", "with") do not, and the short ones that do ("to", "in", "men") are few in a real sentence.
_VI_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:oai|oay|oeo|uoi|uou|uya|uye|uyu|ieu|yeu|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye"
    r"|a|e|i|o|u|y)"
    r"(?:ch|nh|ng|c|m|n|p|t)?"
)
# Share of words that must be Vietnamese syllables for an unaccented text to count as Vietnamese.
SYLLABLE_SHARE = 0.85
_VI_RE = re.compile("[" + "".join(sorted(_VI_LETTERS)) + "]")
_LATIN_RE = re.compile("[a-z" + "".join(sorted(_VI_LETTERS)) + "]")
_LETTER_RE = re.compile(r"[^\W\d_]")
SAMPLE_CHARS = 1500  # the lead decides; scanning 1 MB would cost time for nothing


def detect_language(text: str) -> str:
    """'vi', 'en' or 'unknown' for a text, from Vietnamese letters/syllables vs English stopwords."""
    sample = text[:SAMPLE_CHARS].lower()
    words = _WORD_RE.findall(sample)
    # English first: an English report full of Vietnamese names ("Nguyễn Văn Hùng … in Đắk Hà District")
    # is dense in Vietnamese letters, but its function words give it away.
    n_words = max(1, len(words))
    en_share = sum(1 for w in words if w in _EN_WORDS and w != "an") / n_words
    vi_share = sum(1 for w in words if _VI_RE.search(w)) / n_words  # a quoted English phrase stays Vietnamese
    if len(words) >= 8 and en_share >= 0.2 and vi_share < 0.35:
        return "en"
    if len(sample) >= 200 and sum(sample.count(ch) for ch in _VI_COMMON) >= 0.04 * len(sample):
        return "vi"  # fast path: ordinary Vietnamese prose is dense in these letters
    if len(words) < 2:
        # One word: trust a Vietnamese letter, otherwise we cannot tell.
        return "vi" if words and _VI_RE.search(words[0]) else "unknown"
    letters = len(_LETTER_RE.findall(sample))
    latin = len(_LATIN_RE.findall(sample))
    if latin < 0.5 * letters:
        return "unknown"  # mostly another script (Chinese, Cyrillic, Khmer…)
    vi_letters = len(_VI_RE.findall(sample))
    vi_words = sum(1 for w in words if w in _VI_WORDS)
    en_words = sum(1 for w in words if w in _EN_WORDS)
    n = len(words)
    if vi_letters / max(1, latin) >= 0.05 or (vi_words / n >= 0.25 and vi_words > 2 * en_words):
        return "vi"
    en_strict = en_words - words.count("an")  # "an" is also a Vietnamese syllable ("công an")
    if n >= 3 and en_strict / n < 0.15 and syllable_share(words) >= SYLLABLE_SHARE:
        return "vi"  # Vietnamese typed without diacritics: every word is a Vietnamese syllable
    if en_words / n >= 0.15 and vi_letters / max(1, latin) < 0.02:
        return "en"
    return "unknown"


def syllable_share(words: list[str]) -> float:
    """Share of (lower-case, letter-only) words that are well-formed Vietnamese syllables without marks."""
    if not words:
        return 0.0
    return sum(1 for w in words if _VI_SYLLABLE.fullmatch(w)) / len(words)
