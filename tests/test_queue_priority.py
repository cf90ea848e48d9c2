"""Priority, deadline and spike: pure functions, table-driven."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from test_queue_support import NOW

from monitor.config_tables import QueueSettings
from monitor.queue.priority import StorySignals, deadline, decide_priority, higher, is_spike
from monitor.vocab import Priority

S = QueueSettings()
BASE = StorySignals(
    flag_reasons=("Nhắc đến Công an tỉnh Kon Tum, giọng điệu tiêu cực",),
    tone_score=0.6,
    tone="tieu_cuc",
    topic="dich_vu_cong",
    max_outlet_weight=1.0,
    outlet_count=1,
)


@pytest.mark.parametrize(
    ("changes", "priority", "words"),
    [
        ({}, Priority.NORMAL, None),
        ({"tone_score": 0.9}, Priority.NORMAL, "giọng điệu tiêu cực mạnh"),
        ({"topic": "tham_nhung"}, Priority.HIGH, "chủ đề nhạy cảm"),
        ({"topic": "tham_nhung", "tone_score": 0.85}, Priority.CRITICAL, None),
        ({"max_outlet_weight": 2.0, "tone_score": 0.9}, Priority.HIGH, "sức lan tỏa"),
        ({"outlet_count": 3}, Priority.NORMAL, "lan ra 3 báo"),
        ({"outlet_count": 6}, Priority.CRITICAL, "lan ra 6 báo"),
        ({"spike_targets": ("ca_kon_tum",), "outlet_count": 4}, Priority.HIGH, "đột biến"),
        ({"flag_reasons": ("a", "b", "c"), "tone_score": 0.8}, Priority.HIGH, "nhiều lý do"),
    ],
)
def test_decide_priority(changes, priority, words):
    decision = decide_priority(replace(BASE, **changes), S)
    assert decision.priority is priority
    if words:
        assert any(words in r for r in decision.reasons)


@pytest.mark.parametrize(
    ("priority", "hours"), [(Priority.CRITICAL, 2), (Priority.HIGH, 24), (Priority.NORMAL, 72)]
)
def test_deadline_from_priority(priority, hours):
    assert deadline(NOW, priority, S) == NOW + timedelta(hours=hours)
    assert deadline(
        NOW, priority, replace(S, deadline_high_hours=12, deadline_critical_hours=1)
    ) <= NOW + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("recent", "baseline", "observed_days", "spike"),
    [
        (4, 0, 30, False),  # below the minimum count
        (5, 0, 30, True),  # a quiet target suddenly in five articles
        (5, 7, 30, True),  # baseline 1/day: 5 ≥ 3 × 1
        (5, 14, 30, False),  # baseline 2/day: 5 < 3 × 2
        (30, 70, 30, True),  # baseline 10/day: 30 ≥ 30
        (29, 70, 30, False),
        (50, 0, 1, False),  # a fresh install: the first fetch brings the feeds' history, no baseline yet
        (50, 0, 7.9, False),  # the archive must cover the 24 h window plus the 7-day baseline
        (50, 0, 8.1, True),
    ],
)
def test_is_spike(recent, baseline, observed_days, spike):
    assert is_spike(recent, baseline, S, observed=timedelta(days=observed_days)) is spike


def test_higher():
    assert higher(Priority.NORMAL, Priority.CRITICAL) is Priority.CRITICAL
    assert higher(Priority.HIGH, Priority.NORMAL) is Priority.HIGH


def test_a_confident_positive_tone_is_not_a_strong_negative_one():
    positive = replace(BASE, tone="tich_cuc", tone_score=0.95)
    negative = replace(BASE, tone="tieu_cuc", tone_score=0.95)
    assert not any("tiêu cực mạnh" in r for r in decide_priority(positive, S).reasons)
    assert any("tiêu cực mạnh" in r for r in decide_priority(negative, S).reasons)
