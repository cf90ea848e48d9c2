"""Per-source health as pure functions: failures weighted by kind, jittered backoff, labels.

A failing outlet slows down and is shown; it is never disabled (peers that stop after three errors
silently lose sources). Nothing here does I/O: the caller passes `now` and a `random.Random`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from monitor.errors import FailureKind, FetchError
from monitor.timefmt import fmt_datetime

MAX_BACKOFF = timedelta(hours=24)
WEIGHTS = {FailureKind.HARD: 3.0, FailureKind.TRANSIENT: 1.0, FailureKind.DNS: 0.5, FailureKind.OURS: 0.0}


@dataclass(frozen=True)
class Health:
    """What we know about how a source has been answering."""

    consecutive_failures: int = 0
    failure_score: float = 0.0  # weighted: hard 3, transient 1, dns 0.5 (ours: 0)
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None  # Vietnamese sentence
    next_fetch_at: datetime | None = None
    last_unconditional_at: datetime | None = None


def failure_weight(kind: FailureKind) -> float:
    """How much one failure of this kind counts against the outlet."""
    return WEIGHTS[kind]


def on_success(h: Health, now: datetime, interval: timedelta, *, unconditional: bool) -> Health:
    """Health after a successful fetch (200 or 304): the failure streak ends, the next poll is due."""
    return replace(
        h,
        consecutive_failures=0,
        failure_score=0.0,
        last_success_at=now,
        next_fetch_at=now + interval,
        last_unconditional_at=now if unconditional else h.last_unconditional_at,
    )


def backoff_ceiling(score: float, interval: timedelta) -> timedelta:
    """The largest delay for a failure score: interval · 2^score, capped at 24 h (never below interval)."""
    if score >= 32:  # 2**32 intervals is past any cap; avoid float overflow on absurd scores
        return max(interval, MAX_BACKOFF)
    return max(interval, min(MAX_BACKOFF, interval * float(2.0**score)))


def backoff_delay(score: float, interval: timedelta, rng: random.Random) -> timedelta:
    """A jittered delay in [interval, ceiling]: full jitter, floored so we never poll faster than usual."""
    ceiling = backoff_ceiling(score, interval)
    return interval + (ceiling - interval) * rng.random()


def on_failure(
    h: Health, error: FetchError, now: datetime, interval: timedelta, rng: random.Random
) -> Health:
    """Health after a failed fetch: weighted score grows, next poll backs off (honouring Retry-After)."""
    weight = failure_weight(error.kind)
    if weight == 0:  # our own fault (pool exhausted): recorded, but the outlet keeps its standing
        return replace(h, last_error_at=now, last_error=error.message, next_fetch_at=now + interval)
    score = h.failure_score + weight
    delay = backoff_delay(score, interval, rng)
    if error.retry_after is not None:
        # RFC 9110 §10.2.3: the server tells us when to come back; a hostile value still caps at 24 h.
        delay = max(delay, min(timedelta(seconds=error.retry_after), MAX_BACKOFF))
    return replace(
        h,
        consecutive_failures=h.consecutive_failures + 1,
        failure_score=score,
        last_error_at=now,
        last_error=error.message,
        next_fetch_at=now + delay,
    )


def wants_unconditional(h: Health, now: datetime, every: timedelta = timedelta(hours=24)) -> bool:
    """Whether the next fetch should skip validators, to catch a server stuck on a stale ETag."""
    return h.last_unconditional_at is None or now - h.last_unconditional_at >= every


def is_due(h: Health, now: datetime) -> bool:
    """Whether the source should be fetched now."""
    return h.next_fetch_at is None or h.next_fetch_at <= now


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)  # IMF-fixdate plus the obsolete RFC 850 / asctime forms
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # an HTTP-date is always GMT (RFC 9110 §5.6.7)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def status_label(h: Health, now: datetime, *, interval: timedelta = timedelta(hours=1)) -> str:
    """A short Vietnamese label for a source's health, for tables and the web page.

    A failing source is "postponed" when backoff pushed its next poll further than `interval` past
    the last error (pass the source's own interval; one hour by default); otherwise it is "failing".
    """
    if h.consecutive_failures == 0:
        if h.last_success_at is None and h.last_error_at is None:
            return "Chưa tải lần nào"
        return "Tốt"
    nxt, since = h.next_fetch_at, h.last_error_at or now
    if nxt is not None and nxt > now and nxt - since > interval:
        return f"Tạm hoãn đến {fmt_datetime(nxt)} (lỗi {h.consecutive_failures} lần)"
    return f"Đang lỗi ({h.consecutive_failures} lần)"
