"""Event matching: two outlets' own reports of one event join, other events stay apart (queue.events)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.config_tables import QueueSettings
from monitor.queue import events
from monitor.queue.events import Verdict

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = QueueSettings()

# Written for this project: one event (detainees escaping a district lock-up) told by two newsrooms in their
# own words, as real outlets do (they share a fifth of their word pairs, so near-duplicate tests miss them).
ESCAPE_A = (
    "Hai bị can trốn khỏi nhà tạm giữ Công an huyện Đăk Hà",
    "Rạng sáng 28/11, hai bị can đang bị tạm giữ tại nhà tạm giữ Công an huyện Đăk Hà, tỉnh Kon Tum đã phá "
    "khóa buồng giam rồi bỏ trốn. Hai người này là Y Khoa (22 tuổi) và A Thiết (25 tuổi), đều bị bắt hồi đầu "
    "tháng về hành vi trộm cắp tài sản. Ngay sau khi phát hiện, Công an tỉnh Kon Tum đã huy động lực lượng "
    "truy bắt và phát thông báo truy nã. Người dân phát hiện đối tượng đề nghị báo cho cơ quan công an gần nhất.",
)
ESCAPE_B = (
    "Kon Tum: Truy bắt 2 đối tượng phá khóa buồng giam bỏ trốn",
    "Công an tỉnh Kon Tum đang khẩn trương truy bắt Y Khoa và A Thiết, hai bị can vừa trốn khỏi nhà tạm giữ "
    "Công an huyện Đăk Hà vào khoảng 3 giờ sáng 28/11. Theo thông tin ban đầu, lợi dụng đêm tối, hai đối tượng "
    "đã cạy khóa buồng giam, vượt tường rào ra ngoài. Cả hai bị tạm giữ từ ngày 5/11 vì trộm cắp xe máy của "
    "người dân trong huyện. Cơ quan chức năng đã ra quyết định truy nã, đề nghị ai phát hiện tung tích báo ngay.",
)
# The same report with every name taken out: the words still agree, but nothing identifies the event.
ESCAPE_B_NAMELESS = (
    "Truy bắt 2 đối tượng phá khóa buồng giam bỏ trốn",
    "Công an đang khẩn trương truy bắt hai bị can vừa trốn khỏi nhà tạm giữ công an huyện vào khoảng 3 giờ "
    "sáng 28/11. Theo thông tin ban đầu, lợi dụng đêm tối, hai đối tượng đã cạy khóa buồng giam, vượt tường "
    "rào ra ngoài. Cả hai bị tạm giữ từ ngày 5/11 vì trộm cắp xe máy của người dân trong huyện. Cơ quan chức "
    "năng đã ra quyết định truy nã, đề nghị ai phát hiện tung tích báo ngay.",
)
# Another escape, elsewhere, other people: the same vocabulary, another event.
OTHER_ESCAPE = (
    "Phạm nhân trốn khỏi trại giam ở Gia Lai sau khi đi lao động",
    "Chiều 26/11, phạm nhân Rơ Châm Hiếu (30 tuổi) đang chấp hành án tại trại giam Gia Trung, tỉnh Gia Lai đã "
    "lợi dụng lúc đi lao động ngoài khu giam giữ để bỏ trốn. Hiếu đang thụ án 7 năm tù về tội cướp giật tài "
    "sản. Trại giam đã phối hợp Công an tỉnh Gia Lai tổ chức truy bắt, đề nghị người dân cung cấp thông tin.",
)
FIRE = (
    "Cháy lớn tại ki ốt chợ Kon Tum lúc rạng sáng",
    "Khoảng 3 giờ sáng 24/11, người dân sống gần chợ Kon Tum phát hiện lửa bùng lên từ dãy ki ốt bán quần áo "
    "nên hô hoán và gọi điện báo lực lượng chức năng. Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ "
    "Công an tỉnh Kon Tum điều 5 xe chữa cháy đến hiện trường. Nguyên nhân vụ cháy đang được điều tra.",
)


def _corpus() -> events.Idf:
    """Document frequencies over the committed pair texts plus these reports (a stand-in archive)."""
    texts = {ESCAPE_A, ESCAPE_B, ESCAPE_B_NAMELESS, OTHER_ESCAPE, FIRE}
    for line in (ROOT / "tests/data/story_pairs.jsonl").read_text("utf-8").splitlines():
        pair = json.loads(line)
        texts.update((pair[k]["title"], pair[k]["text"]) for k in ("a", "b"))
    return events.idf(events.event_text(t, x) for t, x in texts)


WEIGHTS = _corpus()


@pytest.mark.parametrize(
    ("title", "text", "names"),
    [
        ("Bà Y Hiên, trú xã Đăk Blà", "", {"y hien", "dak bla"}),
        ("Phòng Cảnh sát giao thông Công an tỉnh Kon Tum", "", {"kon tum"}),
        (
            "",
            "Nguyễn Văn Hùng bị bắt tại số 2 Trần Hưng Đạo, TP Kon Tum.",
            {"nguyen van hung", "tran hung dao", "kon tum"},
        ),
        ("Cong an tinh Kon Tum bat 2 doi tuong", "", {"kon tum"}),  # without diacritics
        ("UBND huyện Sa Thầy họp báo", "", {"sa thay"}),  # acronyms are not names
        ("Hai bị can trốn khỏi nhà tạm giữ", "", set()),
    ],
)
def test_proper_names(title: str, text: str, names: set[str]) -> None:
    assert events.proper_names(title, text) == names


def test_content_terms_fold_and_drop_function_words() -> None:
    terms = events.content_terms("Công an tỉnh Kon Tum bắt 5 đối tượng", "Vụ cháy của chợ Kon Tum.")
    assert terms["kon tum"] == 3  # title twice, lead once, folded like the unaccented spelling
    assert "cua" not in terms and "5" not in terms and "cong" not in terms
    assert events.content_terms("Cong an tinh Kon Tum", "") == events.content_terms(
        "Công an tỉnh Kon Tum", ""
    )


@pytest.mark.parametrize(
    ("a", "b", "hours", "verdict"),
    [
        (ESCAPE_A, ESCAPE_B, 5, Verdict.SAME),  # own words, shared people and place: joined
        (ESCAPE_B, ESCAPE_A, -5, Verdict.SAME),  # symmetric
        (ESCAPE_A, ESCAPE_B_NAMELESS, 5, Verdict.MAYBE),  # alike, but no name both give: only suggested
        (ESCAPE_A, ESCAPE_B, 100, Verdict.DIFFERENT),  # outside the 72-hour window
        (ESCAPE_A, OTHER_ESCAPE, 5, Verdict.DIFFERENT),  # another escape, other people and province
        (ESCAPE_A, FIRE, 5, Verdict.DIFFERENT),
    ],
)
def test_decide(a: tuple[str, str], b: tuple[str, str], hours: float, verdict: Verdict) -> None:
    got = events.decide(events.event_text(*a), events.event_text(*b), hours, WEIGHTS, SETTINGS)
    assert got.verdict is verdict, got


def test_same_event_names_its_evidence() -> None:
    got = events.decide(events.event_text(*ESCAPE_A), events.event_text(*ESCAPE_B), 1, WEIGHTS, SETTINGS)
    assert {"y khoa", "a thiet"} <= set(got.shared_names)
    # names many reports of the archive give identify no event: the province, a district in the news
    assert "kon tum" not in got.shared_names and "dak ha" not in got.shared_names
    assert SETTINGS.event_join <= got.cosine <= 1


def test_thresholds_come_from_settings() -> None:
    a, b = events.event_text(*ESCAPE_A), events.event_text(*ESCAPE_B)
    strict = replace(SETTINGS, event_join=0.99, event_suggest=0.98)
    assert events.decide(a, b, 1, WEIGHTS, strict).verdict is Verdict.DIFFERENT
    loose = replace(SETTINGS, event_join_names=0, event_join=0.4)
    nameless = events.event_text(*ESCAPE_B_NAMELESS)
    assert events.decide(a, nameless, 1, WEIGHTS, SETTINGS).verdict is Verdict.MAYBE
    assert events.decide(a, nameless, 1, WEIGHTS, loose).verdict is Verdict.SAME


def test_cosine_is_one_for_the_same_text_and_zero_for_nothing_shared() -> None:
    a = events.event_text(*ESCAPE_A)
    assert events.cosine(a, a, WEIGHTS) == pytest.approx(1.0)
    assert events.cosine(a, events.event_text("", ""), WEIGHTS) == 0.0
