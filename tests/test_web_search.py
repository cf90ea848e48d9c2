"""Search folding: the Python fold and PostgreSQL's monitor_fold agree; queries ignore diacritics and case."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from monitor.store.search_fold import fold_for_search, search_words

SAMPLES = [
    "Công an tỉnh Kon Tum",
    "ĐĂK HÀ, Đắk Tô, Sa Thầy — Ngọc Hồi",
    "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
    "Thị trấn Plei Kần; Măng Đen; Bờ Y; Kon Plông; Tu Mơ Rông",
    "Cong an tinh Kon Tum",
    "hoà hòa HOÀ Hoà ỷ ỹ ự Ữ",
    "Cộng hòa xã hội chủ nghĩa Việt Nam 2026",
    "decomposed: Co\u0302\u0301ng an",  # NFD marks are dropped too
]


def test_fold_examples():
    assert fold_for_search("Công an tỉnh Kon Tum") == "cong an tinh kon tum"
    assert fold_for_search("ĐẮK HÀ đắk") == "dak ha dak"
    assert search_words("  Công-an, tỉnh KON TUM!") == ["cong", "an", "tinh", "kon", "tum"]


def test_postgres_fold_matches_python(db):
    if db.dialect != "postgresql":
        pytest.skip("monitor_fold is the PostgreSQL function")
    with db.read() as s:
        for sample in SAMPLES:
            assert s.execute(text("SELECT monitor_fold(:t)"), {"t": sample}).scalar() == fold_for_search(
                sample
            )
