"""The flag rule is a pure function: mentions + analysis + rules → decision with Vietnamese reasons."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from monitor.config_tables import FlagRules
from monitor.nlp.analysis import Analysis, Prediction
from monitor.nlp.flags import should_flag, strongest


@dataclass(frozen=True)
class M:
    target: str
    kind: str
    alias: str
    level: str


UNIT = M("Công an tỉnh Kon Tum", "unit", "Công an tỉnh Kon Tum", "exact")
UNIT_LOOSE = M("Công an tỉnh Kon Tum", "unit", "cong an tinh kon tum", "ascii")
PROVINCE = M("Kon Tum", "province", "Măng Đen", "exact")


def analysis(
    tone: str | None, score: float = 0.87, topic: str = "an_ninh_trat_tu", skipped: str | None = None
) -> Analysis:
    t = Prediction(tone, score, 'Từ nổi bật: "tố cáo"') if tone else None
    p = Prediction(topic, 0.7, 'Từ nổi bật: "trộm"') if tone else None
    return Analysis("vi" if tone else "en", p, t, skipped, "test")


DEFAULT = FlagRules()
CASES = [
    # (mentions, analysis, rules, weight, flagged, reason fragment)
    (
        [UNIT],
        analysis("tieu_cuc"),
        DEFAULT,
        1.0,
        True,
        "Nhắc đến Công an tỉnh Kon Tum (khớp chính xác) và sắc thái tiêu cực (0,87)",
    ),
    (
        [PROVINCE],
        analysis("tieu_cuc"),
        DEFAULT,
        1.0,
        True,
        'Nhắc đến Kon Tum (khớp chính xác, qua "Măng Đen")',
    ),
    ([], analysis("tieu_cuc"), DEFAULT, 1.0, False, "Không nhắc đến"),
    ([UNIT], analysis("trung_tinh"), DEFAULT, 1.0, False, "sắc thái trung tính (0,87) không thuộc quy tắc"),
    ([UNIT], analysis("tich_cuc"), DEFAULT, 1.0, False, "tích cực"),
    ([UNIT], analysis("tieu_cuc", 0.4), FlagRules(min_tone_score=0.5), 1.0, False, "tiêu cực (0,40)"),
    (
        [UNIT],
        analysis("trung_tinh", topic="tham_nhung"),
        FlagRules(sensitive_topics=("tham_nhung",)),
        1.0,
        True,
        "chủ đề nhạy cảm: Tham nhũng, tiêu cực",
    ),
    ([UNIT], analysis("tieu_cuc"), FlagRules(min_outlet_weight=0.5), 0.2, False, "Trọng số nguồn tin 0,20"),
    ([], analysis("tieu_cuc"), FlagRules(require_mention=False), 1.0, True, "Không cần nhắc đến"),
    (
        [UNIT],
        analysis(None, skipped="Không phải tiếng Việt (en)"),
        DEFAULT,
        1.0,
        False,
        "Không phải tiếng Việt",
    ),
    ([UNIT], analysis("tieu_cuc"), FlagRules(tones=("tieu_cuc", "trung_tinh")), 1.0, True, "tiêu cực"),
    # an article in another language that names the unit: the models cannot read it, a person must
    (
        [UNIT],
        Analysis("en", None, Prediction("trung_tinh", 0.5, "Chưa đánh giá sắc thái"), None, "test"),
        DEFAULT,
        1.0,
        True,
        "trong bài không viết bằng tiếng Việt (en): cần người đọc",
    ),
    (
        [],
        Analysis("en", None, Prediction("trung_tinh", 0.5, ""), None, "test"),
        DEFAULT,
        1.0,
        False,
        "Không nhắc",
    ),
]


@pytest.mark.parametrize(("mentions", "a", "rules", "weight", "flagged", "fragment"), CASES)
def test_should_flag(
    mentions: list[M], a: Analysis, rules: FlagRules, weight: float, flagged: bool, fragment: str
) -> None:
    d = should_flag(mentions, a, rules, outlet_weight=weight)
    assert d.flagged is flagged
    assert any(fragment in r for r in d.reasons), d.reasons


def test_strongest_prefers_unit_and_exact() -> None:
    assert strongest([PROVINCE, UNIT_LOOSE, UNIT]) is UNIT
    assert strongest([PROVINCE, UNIT_LOOSE]) is UNIT_LOOSE
    assert strongest([]) is None


def test_a_reason_names_the_target_not_its_key() -> None:
    """Mentions carry the target's key ("ca-kon-tum"); the reason a person reads gives its name."""
    mention = M("ca-kon-tum", "unit", "Công an phường Kon Tum", "exact")
    d = should_flag([mention], analysis("tieu_cuc"), DEFAULT, names={"ca-kon-tum": "Công an tỉnh Kon Tum"})
    assert d.reasons == (
        'Nhắc đến Công an tỉnh Kon Tum (khớp chính xác, qua "Công an phường Kon Tum") và sắc thái tiêu cực (0,87)',
    )
