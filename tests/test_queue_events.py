"""Event matching: two outlets' own reports of one event join, other events stay apart (queue.events)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from test_queue_support import ESCAPE_A, ESCAPE_B, ESCAPE_B_NAMELESS, FIRE, OTHER_ESCAPE

from monitor.config_tables import QueueSettings
from monitor.queue import events
from monitor.queue.events import Verdict

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = QueueSettings()


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
