"""Priority, deadline and volume spike of a flagged story: pure functions of its aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config_tables import QueueSettings
from monitor.timefmt import fmt_decimal
from monitor.vocab import PRIORITY_RANK, Priority, label


@dataclass(frozen=True)
class StorySignals:
    """What priority is computed from."""

    flag_reasons: tuple[str, ...]
    tone_score: float | None
    tone: str | None
    topic: str | None
    max_outlet_weight: float
    outlet_count: int
    spike_targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class PriorityDecision:
    """A priority and the Vietnamese reasons behind it."""

    priority: Priority
    points: int
    reasons: tuple[str, ...]


def decide_priority(s: StorySignals, settings: QueueSettings) -> PriorityDecision:
    """Points from tone strength, sensitive topic, outlet weight, spread and spikes → a priority."""
    points, reasons = 0, []
    if s.tone == "tieu_cuc" and s.tone_score is not None and s.tone_score >= settings.strong_tone_score:
        points += 1
        reasons.append(f"giọng điệu tiêu cực mạnh ({fmt_decimal(s.tone_score)})")
    if s.topic in settings.priority_topics:
        points += 2  # misconduct allegations against officers are what the board must answer first
        reasons.append(f"chủ đề nhạy cảm ({label(s.topic)})")
    if len(s.flag_reasons) >= 3:
        points += 1
        reasons.append(f"nhiều lý do gắn cờ ({len(s.flag_reasons)})")
    if s.max_outlet_weight >= settings.heavy_outlet_weight:
        points += 1
        reasons.append(f"báo có sức lan tỏa lớn (trọng số {s.max_outlet_weight:g})")
    if s.outlet_count >= settings.spread_critical_outlets:
        points += 3
        reasons.append(f"đã lan ra {s.outlet_count} báo")
    elif s.outlet_count >= settings.spread_high_outlets:
        points += 1
        reasons.append(f"đã lan ra {s.outlet_count} báo")
    if s.spike_targets:
        points += 1
        reasons.append("số bài tăng đột biến về " + ", ".join(s.spike_targets))
    priority = Priority.CRITICAL if points >= 3 else Priority.HIGH if points == 2 else Priority.NORMAL
    return PriorityDecision(priority, points, tuple(reasons))


def higher(a: Priority, b: Priority) -> Priority:
    """The more urgent of two priorities."""
    return a if PRIORITY_RANK[a] <= PRIORITY_RANK[b] else b


def deadline(opened_at: datetime, priority: Priority, settings: QueueSettings) -> datetime:
    """When a case opened at `opened_at` with `priority` must be handled."""
    hours = {
        Priority.CRITICAL: settings.deadline_critical_hours,
        Priority.HIGH: settings.deadline_high_hours,
        Priority.NORMAL: settings.deadline_normal_hours,
    }[priority]
    return opened_at + timedelta(hours=hours)


def is_spike(recent: int, baseline_total: int, settings: QueueSettings, *, observed: timedelta) -> bool:
    """Whether `recent` articles in the spike window are a spike against the baseline period's rate.

    `observed` is how long the archive has been collecting: until it covers the spike window plus the
    baseline period there is no baseline to compare with (a fresh install sees every target "spike"
    as its first fetch brings the feeds' whole history at once).
    """
    needed = timedelta(hours=settings.spike_window_hours) + timedelta(days=settings.baseline_days)
    if observed < needed or recent < settings.spike_min_articles:
        return False
    windows = max(settings.baseline_days * 24 / settings.spike_window_hours, 1.0)
    expected = baseline_total / windows
    # With no history at all, the minimum count alone makes a spike (a brand-new target suddenly everywhere).
    return recent >= settings.spike_factor * max(expected, 1.0)
