"""What the daily digest says: a day's facts in, a frozen `Digest` of Vietnamese lines out (pure).

Everything a reader sees is decided here (which stories, in what order, how late, which words); the
renderer only lays it out, so the HTML part and the plain-text part cannot tell different stories.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from monitor.queue.workflow import is_overdue
from monitor.store.digest_facts import ArticleFact, BoardEvent, CaseFact, SourceFact, StoryFact
from monitor.timefmt import LOCAL_TZ, fmt_datetime
from monitor.vocab import STATE_LABELS, TONES, TOPICS, label

HISTORY_DAYS = 7  # the average compares with the 7 days before the digest's day


@dataclass(frozen=True)
class Target:
    """A watch target as the digest names it."""

    key: str
    kind: str  # unit | province
    name: str


@dataclass(frozen=True)
class DayFacts:
    """Everything read from the store for one digest (the day plus the 7 days before it)."""

    day: date
    as_of: datetime  # overdue is judged at this instant (end of the day, or now if earlier)
    articles: Sequence[ArticleFact]  # the day and the 7 days before
    opened: Sequence[tuple[datetime, tuple[str, ...]]]  # cases opened, same period
    cases: Sequence[CaseFact]  # opened on the day, or overdue at as_of
    events: Sequence[BoardEvent]
    positive: Sequence[StoryFact]
    sources: Sequence[SourceFact]
    archive_start: datetime | None


@dataclass(frozen=True)
class DigestOptions:
    """How the digest is cut: targets, links, limits, the spike rule."""

    targets: Sequence[Target]
    only: frozenset[str] = frozenset()  # the reader's targets; empty = all
    base_url: str = ""
    max_stories: int = 30
    spike_factor: float = 3.0
    spike_min_articles: int = 5


@dataclass(frozen=True)
class Figure:
    """One headline number with its comparison."""

    label: str
    value: int
    previous: int
    average: float

    @property
    def change(self) -> str:
        """'+3', '−2' or '0' against the previous day."""
        d = self.value - self.previous
        return f"+{d}" if d > 0 else f"−{-d}" if d < 0 else "0"

    @property
    def average_text(self) -> str:
        """The 7-day average with a decimal comma."""
        return decimal(self.average)


@dataclass(frozen=True)
class Bar:
    """One day of the volume chart."""

    day_text: str
    count: int
    flagged: int
    percent: int  # width of the bar, 0–100


@dataclass(frozen=True)
class StoryLine:
    """A flagged story with its case."""

    case_id: int
    title: str
    url: str | None
    case_url: str | None
    first_outlet: str
    outlet_count: int
    tone: str
    topic: str
    priority: str  # id, for colour
    priority_label: str
    state: str
    assignee: str
    deadline: str
    overdue: str  # "quá hạn 3 giờ 20 phút", or ""


@dataclass(frozen=True)
class BoardLine:
    """Something the board did."""

    time: str
    what: str
    title: str
    actor: str
    url: str | None
    case_url: str | None


@dataclass(frozen=True)
class Line:
    """A titled line with an optional link and a detail (positive stories, sources, spikes)."""

    title: str
    detail: str
    url: str | None = None


@dataclass(frozen=True)
class Digest:
    """The whole digest of one day, ready to render."""

    day: date
    day_text: str
    subject: str
    as_of_text: str
    scope: str
    figures: tuple[Figure, ...]
    tones: tuple[Figure, ...]
    topics: tuple[Figure, ...]
    bars: tuple[Bar, ...]
    stories: tuple[StoryLine, ...]
    more_stories: int
    overdue_count: int
    board: tuple[BoardLine, ...]
    positive: tuple[Line, ...]
    sources: tuple[Line, ...]
    spikes: tuple[Line, ...]

    @property
    def quiet(self) -> bool:
        """Nothing flagged and nothing overdue: "Không có tin cần chú ý"."""
        return not self.stories


def subject_for(day: date) -> str:
    """The mail subject: "Bản tin dư luận ngày 01/12/2026"."""
    return f"Bản tin dư luận ngày {day:%d/%m/%Y}"


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in Vietnam time, as aware datetimes."""
    start = datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=1)


def decimal(x: float) -> str:
    """One decimal with a comma, as Vietnamese writes it ("4,3"); whole numbers without one."""
    return str(round(x)) if abs(x - round(x)) < 0.05 else f"{x:.1f}".replace(".", ",")


def late_by(delta: timedelta) -> str:
    """How long overdue, in words: "2 giờ 15 phút", "3 ngày 4 giờ"."""
    minutes = max(int(delta.total_seconds() // 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {mins} phút" if mins else f"{hours} giờ"
    return f"{mins} phút"


def _has_tone(a: ArticleFact, tone: str) -> bool:
    return a.tone == tone


def _has_topic(a: ArticleFact, topic: str) -> bool:
    return a.topic == topic


def one_line(text: str) -> str:
    """A title on one line: every run of whitespace (CR and LF included) becomes one space."""
    return " ".join(text.split())


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s) with a host, else None (never a javascript: or data: link in a mail)."""
    if not url or any(c in url for c in "\r\n\t \"'<>"):
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _case_url(base_url: str, case_id: int) -> str | None:
    return safe_url(f"{base_url.rstrip('/')}/cases/{case_id}") if base_url else None


def build_digest(facts: DayFacts, opts: DigestOptions) -> Digest:
    """The digest of `facts.day` for a reader interested in `opts.only` (all targets when empty)."""
    keys = {t.key for t in opts.targets if not opts.only or t.key in opts.only}
    units = {t.key for t in opts.targets if t.kind == "unit"} & keys
    provinces = {t.key for t in opts.targets if t.kind == "province"} & keys

    def mine(targets: Iterable[str]) -> bool:
        return bool(keys.intersection(targets))

    days = [facts.day - timedelta(days=i) for i in range(HISTORY_DAYS, -1, -1)]  # oldest … the day
    articles = [a for a in facts.articles if mine(a.targets)]
    by_day = {d: [a for a in articles if a.at.astimezone(LOCAL_TZ).date() == d] for d in days}
    opened_by_day = Counter(at.astimezone(LOCAL_TZ).date() for at, targets in facts.opened if mine(targets))

    def figure(text: str, count_day: dict[date, int]) -> Figure:
        history = [count_day.get(d, 0) for d in days[:-1]]
        return Figure(text, count_day.get(facts.day, 0), history[-1], sum(history) / len(history))

    def count(pred: Callable[[ArticleFact], bool]) -> dict[date, int]:
        return {d: sum(1 for a in by_day[d] if pred(a)) for d in days}

    figures = (
        # Articles count on the day they were published, cases on the day they were opened: a case opened
        # today may come from yesterday's article, so each label says which day it counts (leaders saw
        # "0 articles" beside "3 flagged" and asked which was wrong).
        figure(
            "Bài viết nhắc đến đơn vị (theo ngày đăng)", count(lambda a: bool(units.intersection(a.targets)))
        ),
        figure(
            "Bài viết nhắc đến địa bàn (theo ngày đăng)",
            count(lambda a: bool(provinces.intersection(a.targets))),
        ),
        figure("Tin bị gắn cờ (vụ việc mở trong ngày, kể cả từ bài đăng trước đó)", dict(opened_by_day)),
    )
    tones = tuple(figure(label(t).capitalize(), count(functools.partial(_has_tone, tone=t))) for t in TONES)
    topics = tuple(
        f
        for f in (figure(label(t), count(functools.partial(_has_topic, topic=t))) for t in TOPICS)
        if f.value or f.previous or f.average
    )
    biggest = max([len(by_day[d]) for d in days] + [1])
    bars = tuple(
        Bar(f"{d:%d/%m}", len(by_day[d]), opened_by_day.get(d, 0), round(100 * len(by_day[d]) / biggest))
        for d in days
    )

    cases = [c for c in facts.cases if mine(c.targets)]
    late = [c for c in cases if is_overdue(c.deadline_at, c.state, facts.as_of)]
    ordered = sorted(late, key=lambda c: c.deadline_at) + [c for c in cases if c not in late]
    stories = tuple(_story(c, facts.as_of, opts.base_url) for c in ordered[: opts.max_stories])

    return Digest(
        day=facts.day,
        day_text=f"{facts.day:%d/%m/%Y}",
        subject=subject_for(facts.day),
        as_of_text=fmt_datetime(facts.as_of),
        scope=", ".join(t.name for t in opts.targets if t.key in keys) or "—",
        figures=figures,
        tones=tones,
        topics=topics,
        bars=bars,
        stories=stories,
        more_stories=max(len(ordered) - opts.max_stories, 0),
        overdue_count=len(late),
        board=tuple(_board(e, opts.base_url) for e in facts.events if mine(e.targets)),
        positive=tuple(
            Line(
                one_line(s.title),
                f"{s.first_outlet} đưa tin đầu tiên · {s.outlet_count} báo",
                safe_url(s.url),
            )
            for s in facts.positive
            if units.intersection(s.targets)
        )[:10],
        sources=tuple(_source(s) for s in facts.sources if s.failures or not s.enabled),
        spikes=_spikes(facts, opts, by_day, days),
    )


def _story(c: CaseFact, as_of: datetime, base_url: str) -> StoryLine:
    late = is_overdue(c.deadline_at, c.state, as_of)
    return StoryLine(
        case_id=c.case_id,
        title=one_line(c.title),
        url=safe_url(c.url),
        case_url=_case_url(base_url, c.case_id),
        first_outlet=c.first_outlet,
        outlet_count=c.outlet_count,
        tone=label(c.tone),
        topic=label(c.topic),
        priority=c.priority,
        priority_label=label(c.priority),
        state=STATE_LABELS.get(c.state, c.state),
        assignee=c.holder_name or "chưa có người nhận",
        deadline=fmt_datetime(c.deadline_at),
        overdue=f"quá hạn {late_by(as_of - c.deadline_at)}" if late else "",
    )


_BOARD_WORDS = {"approve": "Duyệt phản hồi", "return": "Trả lại dự thảo phản hồi", "publish": "Đăng phản hồi"}


def _board(e: BoardEvent, base_url: str) -> BoardLine:
    what = _BOARD_WORDS.get(e.action) or f"Kết luận: {label(e.to_state)}"
    return BoardLine(
        time=e.at.astimezone(LOCAL_TZ).strftime("%H:%M"),
        what=what,
        title=one_line(e.title),
        actor=e.actor_name or "—",
        url=safe_url(e.url),
        case_url=_case_url(base_url, e.case_id),
    )


def _source(s: SourceFact) -> Line:
    if not s.enabled:
        return Line(s.name, "tạm dừng theo cấu hình, không thu thập")
    detail = f"lỗi {s.failures}/{s.fetches} lần tải"
    if s.consecutive_failures:
        detail += f", đang lỗi liên tiếp {s.consecutive_failures} lần"
    if s.last_error:
        detail += f"; lỗi gần nhất: {' '.join(s.last_error.split())[:200]}"
    return Line(s.name, detail)


def _spikes(
    facts: DayFacts, opts: DigestOptions, by_day: dict[date, list[ArticleFact]], days: Sequence[date]
) -> tuple[Line, ...]:
    """Targets mentioned `spike_factor`× their 7-day average (and at least `spike_min_articles` times).

    No spike is judged before the archive covers the 7 days before (a fresh install is not a spike).
    """
    if facts.archive_start is None or facts.archive_start > datetime.combine(
        days[0], datetime.min.time(), LOCAL_TZ
    ):
        return ()
    out = []
    for t in opts.targets:
        if opts.only and t.key not in opts.only:
            continue
        per_day = [sum(1 for a in by_day[d] if t.key in a.targets) for d in days]
        today, average = per_day[-1], sum(per_day[:-1]) / HISTORY_DAYS
        if today >= opts.spike_min_articles and today >= opts.spike_factor * max(average, 1.0):
            out.append(Line(t.name, f"{today} bài, trung bình 7 ngày trước {decimal(average)} bài/ngày"))
    return tuple(out)
