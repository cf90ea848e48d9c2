"""The leaders' dashboard as one view: what the web page (and the digest's chart) renders.

`build_dashboard` asks the store its grouped counts and turns them into labelled rows (every chart
has its numbers as a table too); `dashboard_charts` turns those rows into chart specifications for
`monitor.charts`. No edge computes a count, a label or "overdue" itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.charts import Chart, Series
from monitor.fetch.health import Health, status_label
from monitor.queue.priority import is_spike
from monitor.queue.settings import QueueSettings
from monitor.store import dashboard as store
from monitor.store import sources as store_sources
from monitor.store import stories as store_stories
from monitor.timefmt import fmt_datetime, local
from monitor.vocab import OPEN_STATES, TONES, label

if TYPE_CHECKING:
    from monitor.store.db import Database, Session

DAYS = 30
TONE_COLORS = {"tieu_cuc": "#d7301f", "trung_tinh": "#9e9e9e", "tich_cuc": "#2b7bba"}
AGE_LABELS = ("dưới 1 ngày", "1–3 ngày", "3–7 ngày", "từ 7 ngày")
AGE_COLORS = ("#fdd49e", "#fc8d59", "#e34a33", "#b30000")


@dataclass(frozen=True)
class ToneDay:
    """One day's count by tone (`unanalysed`: no tone yet)."""

    day: str  # dd/mm/yyyy
    counts: tuple[int, ...]  # in TONES order
    unanalysed: int

    @property
    def total(self) -> int:
        """All of the day's items."""
        return sum(self.counts) + self.unanalysed


@dataclass(frozen=True)
class Count:
    """A label and its count (topics)."""

    label: str
    count: int


@dataclass(frozen=True)
class OutletCount:
    """An outlet, its articles about the targets and how many of them are critical."""

    name: str
    count: int
    critical: int


@dataclass(frozen=True)
class StateAge:
    """Open cases in one state, by age bucket (AGE_LABELS), and how many are overdue."""

    state: str  # Vietnamese label
    by_age: tuple[int, ...]
    overdue: int

    @property
    def total(self) -> int:
        """All open cases in this state."""
        return sum(self.by_age)


@dataclass(frozen=True)
class SourceLine:
    """A source that needs attention."""

    name: str
    status: str
    last_error: str
    last_error_at: str


@dataclass(frozen=True)
class SpikeLine:
    """A watched target's volume in the spike window against its baseline."""

    name: str
    recent: int
    expected: float  # the baseline's articles per window
    spike: bool


@dataclass(frozen=True)
class Dashboard:
    """Everything on the dashboard page, labelled and counted."""

    generated_at: str
    period: str  # "01/11/2026 – 30/11/2026"
    articles: tuple[ToneDay, ...]
    flagged: tuple[ToneDay, ...]
    topics: tuple[Count, ...]
    outlets: tuple[OutletCount, ...]
    open_cases: tuple[StateAge, ...]
    overdue: int
    sources_ok: int
    sources_disabled: int
    failing_sources: tuple[SourceLine, ...]
    spikes: tuple[SpikeLine, ...]
    spike_window_hours: float

    @property
    def open_total(self) -> int:
        """All open cases."""
        return sum(s.total for s in self.open_cases)


def _days(now: datetime, days: int) -> tuple[datetime, list[str]]:
    """The start (local midnight, as UTC-aware) of the first of `days` days ending today, and their keys."""
    today = local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days - 1)
    return start, [(start + timedelta(days=i)).strftime("%Y-%m-%d") for i in range(days)]


def _by_day(rows: Sequence[tuple[str, str, int]], keys: Sequence[str]) -> tuple[ToneDay, ...]:
    table: dict[str, dict[str, int]] = {k: {} for k in keys}
    for day, tone, n in rows:
        if day in table:
            table[day][tone] = table[day].get(tone, 0) + n
    out = []
    for key in keys:
        counts = table[key]
        known = tuple(counts.get(t, 0) for t in TONES)
        out.append(ToneDay(_day_label(key), known, sum(counts.values()) - sum(known)))
    return tuple(out)


def _day_label(key: str) -> str:
    """'2026-11-30' → '30/11/2026'."""
    y, m, d = key.split("-")
    return f"{d}/{m}/{y}"


def _open_cases(session: Session, now: datetime) -> tuple[tuple[StateAge, ...], int]:
    rows = store.open_cases(session, now, store.case_is_overdue(now))
    states: dict[str, list[int]] = {}
    overdue: dict[str, int] = {}
    for r in rows:
        states.setdefault(r.state, [0] * len(AGE_LABELS))[r.age_bucket] += r.count
        overdue[r.state] = overdue.get(r.state, 0) + r.overdue
    order = {s.value: i for i, s in enumerate(OPEN_STATES)}
    lines = tuple(
        StateAge(label(s), tuple(states[s]), overdue[s])
        for s in sorted(states, key=lambda s: order.get(s, 99))
    )
    return lines, sum(overdue.values())


def build_dashboard(
    db: Database,
    now: datetime,
    *,
    settings: QueueSettings,
    targets: Mapping[str, str],
    days: int = DAYS,
) -> Dashboard:
    """The dashboard for the `days` days ending today (Vietnam time); `targets` maps watch keys to names."""
    start, keys = _days(now, days)
    end = now
    window = timedelta(hours=settings.spike_window_hours)
    baseline = timedelta(days=settings.baseline_days)
    with db.read() as session:
        articles = store.articles_by_day_and_tone(session, start, end)
        flagged = store.cases_by_day_and_tone(session, start, end)
        topics = store.articles_by_topic(session, start, end)
        outlets = store.articles_by_outlet(session, start, end)
        open_lines, overdue = _open_cases(session, now)
        sources = store_sources.list_sources(session)
        volume = store_stories.target_volume(session, list(targets), now, window, baseline)
        archive = store_stories.archive_start(session)
    observed = now - archive if archive is not None else timedelta(0)
    windows = max(settings.baseline_days * 24 / settings.spike_window_hours, 1.0)
    spikes = tuple(
        SpikeLine(
            name,
            volume.get(key, (0, 0))[0],
            round(volume.get(key, (0, 0))[1] / windows, 1),
            is_spike(*volume.get(key, (0, 0)), settings, observed=observed),
        )
        for key, name in targets.items()
    )
    failing = []
    ok = disabled = 0
    for st in sources:
        health = Health(**st.health)
        if not st.enabled:
            disabled += 1
        elif health.consecutive_failures:
            failing.append(
                SourceLine(
                    st.name,
                    status_label(health, now),
                    health.last_error or "",
                    fmt_datetime(health.last_error_at),
                )
            )
        else:
            ok += 1
    return Dashboard(
        generated_at=fmt_datetime(now),
        period=f"{_day_label(keys[0])} – {_day_label(keys[-1])}",
        articles=_by_day(articles, keys),
        flagged=_by_day(flagged, keys),
        topics=tuple(Count(label(t) if t else "chưa phân loại", n) for t, n in topics),
        outlets=tuple(OutletCount(*o) for o in outlets),
        open_cases=open_lines,
        overdue=overdue,
        sources_ok=ok,
        sources_disabled=disabled,
        failing_sources=tuple(failing),
        spikes=spikes,
        spike_window_hours=settings.spike_window_hours,
    )


def _tone_series(rows: Sequence[ToneDay]) -> tuple[Series, ...]:
    series = [
        Series(label(t), tuple(float(r.counts[i]) for r in rows), TONE_COLORS[t]) for i, t in enumerate(TONES)
    ]
    if any(r.unanalysed for r in rows):
        series.append(Series("chưa phân tích", tuple(float(r.unanalysed) for r in rows), "#e0e0e0"))
    return tuple(series)


def dashboard_charts(d: Dashboard) -> dict[str, Chart]:
    """The dashboard's charts by name: articles, flagged, topics, outlets, cases."""
    days = tuple(r.day[:5] for r in d.articles)  # dd/mm under the columns
    return {
        "articles": Chart(
            "Bài viết nhắc đến đơn vị, địa bàn theo ngày và sắc thái",
            days,
            _tone_series(d.articles),
            width=1200,
            height=320,
            description=f"{sum(r.total for r in d.articles)} bài trong {len(days)} ngày, {d.period}.",
        ),
        "flagged": Chart(
            "Tin cần xác minh (vụ việc mới) theo ngày và sắc thái",
            days,
            _tone_series(d.flagged),
            value_label="Số vụ việc",
            width=1200,
            height=320,
            description=f"{sum(r.total for r in d.flagged)} vụ việc mới trong {len(days)} ngày.",
        ),
        "topics": Chart(
            "Chủ đề",
            tuple(c.label for c in d.topics),
            (Series("bài viết", tuple(float(c.count) for c in d.topics), "#546e7a"),),
            kind="bars",
            value_label="Số bài",
            width=620,
            height=max(170, 70 + 26 * len(d.topics)),
        ),
        "outlets": Chart(
            "Báo đăng nhiều nhất",
            tuple(o.name for o in d.outlets),
            (
                Series("tiêu cực", tuple(float(o.critical) for o in d.outlets), TONE_COLORS["tieu_cuc"]),
                Series("khác", tuple(float(o.count - o.critical) for o in d.outlets), "#b0bec5"),
            ),
            kind="bars",
            value_label="Số bài",
            width=620,
            height=max(170, 70 + 26 * len(d.outlets)),
        ),
        "cases": Chart(
            "Vụ việc đang mở theo trạng thái và thời gian tồn đọng",
            tuple(s.state for s in d.open_cases),
            tuple(
                Series(AGE_LABELS[i], tuple(float(s.by_age[i]) for s in d.open_cases), AGE_COLORS[i])
                for i in range(len(AGE_LABELS))
            ),
            kind="bars",
            value_label="Số vụ việc",
            width=620,
            height=max(170, 80 + 30 * len(d.open_cases)),
        ),
    }
