"""Offline language detection on real Vietnamese, English and mixed text."""

from __future__ import annotations

import pytest

from monitor.nlp.lang import detect_language

CASES = [
    ("Công an tỉnh Kon Tum bắt giữ 4 đối tượng mua bán ma túy", "vi"),
    (
        "cong an tinh kon tum bat giu doi tuong trom cap tai san cua nguoi dan",
        "vi",
    ),  # written without accents
    (
        "Police in Kon Tum province arrested four people for drug trafficking on Monday, the ministry said.",
        "en",
    ),
    ("The Ministry of Public Security has announced new rules for the issuance of ID cards.", "en"),
    # English full of Vietnamese names is still English
    (
        "Police in Kon Tum Province arrested Nguyễn Văn Hùng, 34, in Đắk Hà District after a raid near Măng Đen, "
        "officials said on Tuesday. The suspect was found with heroin.",
        "en",
    ),
    # Issue 11: Vietnamese typed without diacritics, told by syllable structure (not by stopwords).
    ("Cong an tinh Kon Tum bat 2 doi tuong van chuyen 3 kg can sa", "vi"),
    ("Cong an Kon Tum", "vi"),
    ("Police arrest two men in Kon Tum", "en"),
    ("Mang Den Kon Plong homestay booking now open for the summer", "en"),
    ("Đắk", "vi"),
    ("", "unknown"),
    ("😀😀😀 🎉", "unknown"),
    ("12345 678 90", "unknown"),
    ("警方逮捕了四名毒贩 在昆嵩省", "unknown"),
    ("Полиция задержала четырёх человек", "unknown"),
    # Vietnamese with an English quote: still Vietnamese.
    ('Người phát ngôn nói rằng "we are working with the police" và đề nghị người dân bình tĩnh.', "vi"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_decided_by_the_start_of_a_long_text() -> None:
    """Only the first few thousand characters are read: a 1 MB article costs no more than its lead."""
    vi = "Công an tỉnh Kon Tum thông báo kết quả tấn công trấn áp tội phạm. " * 60
    assert detect_language(vi + "the police and the people of the city " * 30_000) == "vi"
