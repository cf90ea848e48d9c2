"""Per-source health: weighted failures, jittered backoff, Retry-After, labels (pure, table-driven)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import (
    BlockedAddressError,
    DeadlineExceededError,
    FailureKind,
    FetchError,
    HttpStatusError,
    PoolExhaustedError,
)
from monitor.fetch import (
    Health,
    is_due,
    on_failure,
    on_success,
    parse_retry_after,
    status_label,
    wants_unconditional,
)
from monitor.fetch.health import MAX_BACKOFF, backoff_ceiling

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 14:00 in Hà Nội
INTERVAL = timedelta(minutes=15)


class Fixed(random.Random):
    """A Random whose random() is a constant: 0 gives the lowest delay, 1 the highest (the ceiling)."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


HIGHEST, LOWEST = Fixed(1.0), Fixed(0.0)


def http_error(status: int, retry_after: float | None = None) -> HttpStatusError:
    kind = FailureKind.TRANSIENT if status >= 500 or status == 429 else FailureKind.HARD
    return HttpStatusError(f"Máy chủ trả về lỗi {status}", status=status, kind=kind, retry_after=retry_after)


DNS = FetchError("Không phân giải được tên miền: baokontum.com.vn", kind=FailureKind.DNS)


@pytest.mark.parametrize(
    ("error", "weight"),
    [
        (BlockedAddressError("Địa chỉ nội bộ bị chặn: 10.0.0.5"), 3.0),
        (http_error(404), 3.0),
        (http_error(500), 1.0),
        (http_error(429), 1.0),
        (DeadlineExceededError("Quá thời gian tải (30 giây)"), 1.0),
        (DNS, 0.5),
    ],
)
def test_failures_are_weighted_by_kind(error: FetchError, weight: float) -> None:
    h = on_failure(Health(), error, NOW, INTERVAL, LOWEST)
    assert (h.consecutive_failures, h.failure_score) == (1, weight)
    assert (h.last_error, h.last_error_at) == (error.message, NOW)


def test_pool_exhaustion_does_not_count_against_the_outlet() -> None:
    error = PoolExhaustedError("Hết kết nối trống")
    h = on_failure(Health(consecutive_failures=2, failure_score=2.0), error, NOW, INTERVAL, HIGHEST)
    assert (h.consecutive_failures, h.failure_score, h.next_fetch_at) == (2, 2.0, NOW + INTERVAL)
    assert h.last_error == "Hết kết nối trống"


def test_repeated_500s_back_off_further_and_further() -> None:
    h, delays = Health(), []
    for _ in range(8):
        h = on_failure(h, http_error(500), NOW, INTERVAL, HIGHEST)
        assert h.next_fetch_at is not None
        delays.append(h.next_fetch_at - NOW)
    assert h.consecutive_failures == 8 and h.failure_score == 8.0
    assert delays == sorted(delays) and delays[0] < delays[3] < delays[6]
    assert delays[0] == INTERVAL * 2
    assert delays[-1] == MAX_BACKOFF  # 15 min · 2^8 = 64 h, capped at 24 h


@pytest.mark.parametrize(
    ("score", "ceiling"),
    [
        (0.0, INTERVAL),
        (0.5, INTERVAL * 2**0.5),
        (1.0, INTERVAL * 2),
        (3.0, INTERVAL * 8),
        (10.0, MAX_BACKOFF),
        (10_000.0, MAX_BACKOFF),
    ],
)
def test_backoff_ceiling(score: float, ceiling: timedelta) -> None:
    assert backoff_ceiling(score, INTERVAL) == ceiling


def test_backoff_is_jittered_but_never_below_interval() -> None:
    rng = random.Random(42)
    failing = Health(failure_score=4.0)
    delays = {on_failure(failing, http_error(500), NOW, INTERVAL, rng).next_fetch_at for _ in range(50)}
    assert len(delays) > 40  # sources failing together do not come back together
    assert all(d is not None and NOW + INTERVAL <= d <= NOW + INTERVAL * 32 for d in delays)
    low = on_failure(Health(failure_score=9.0), http_error(500), NOW, INTERVAL, LOWEST)
    assert low.next_fetch_at == NOW + INTERVAL


def test_long_interval_is_kept_even_past_the_cap() -> None:
    h = on_failure(Health(), http_error(500), NOW, timedelta(hours=48), HIGHEST)
    assert h.next_fetch_at == NOW + timedelta(hours=48)


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        (3600.0, timedelta(hours=1)),  # longer than the backoff: the server wins
        (10.0, INTERVAL),  # shorter: never poll faster than usual
        (7 * 86400.0, MAX_BACKOFF),  # hostile: capped, the outlet is never silenced for a week
    ],
)
def test_retry_after_is_honoured(retry_after: float, expected: timedelta) -> None:
    h = on_failure(Health(), http_error(429, retry_after), NOW, INTERVAL, LOWEST)
    assert h.next_fetch_at == NOW + expected


def test_a_source_is_never_disabled() -> None:
    h = Health()
    for _ in range(500):
        h = on_failure(h, BlockedAddressError("Địa chỉ nội bộ bị chặn: 10.0.0.5"), NOW, INTERVAL, HIGHEST)
    assert h.next_fetch_at == NOW + MAX_BACKOFF
    assert is_due(h, NOW + MAX_BACKOFF)


def test_success_clears_the_streak_and_keeps_the_last_error() -> None:
    failing = on_failure(Health(), http_error(500), NOW, INTERVAL, HIGHEST)
    later = NOW + timedelta(hours=1)
    h = on_success(failing, later, INTERVAL, unconditional=False)
    assert (h.consecutive_failures, h.failure_score, h.last_success_at) == (0, 0.0, later)
    assert (h.next_fetch_at, h.last_unconditional_at) == (later + INTERVAL, None)
    assert h.last_error == failing.last_error  # history stays visible
    assert on_success(h, later, INTERVAL, unconditional=True).last_unconditional_at == later


@pytest.mark.parametrize(
    ("last", "now", "expected"),
    [
        (None, NOW, True),
        (NOW - timedelta(hours=1), NOW, False),
        (NOW - timedelta(hours=24), NOW, True),
        (NOW - timedelta(days=3), NOW, True),
    ],
)
def test_wants_unconditional(last: datetime | None, now: datetime, expected: bool) -> None:
    assert wants_unconditional(Health(last_unconditional_at=last), now) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Fri, 27 Nov 2026 08:00:00 GMT", 3600.0),  # IMF-fixdate
        ("Friday, 27-Nov-26 08:00:00 GMT", 3600.0),  # obsolete RFC 850 form
        ("Fri Nov 27 08:00:00 2026", 3600.0),  # obsolete asctime form
        ("Fri, 27 Nov 2026 06:00:00 GMT", 0.0),  # in the past
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("health", "label"),
    [
        (Health(), "Chưa tải lần nào"),
        (Health(last_success_at=NOW), "Tốt"),
        (
            Health(consecutive_failures=3, last_error_at=NOW, next_fetch_at=NOW + timedelta(minutes=20)),
            "Đang lỗi (3 lần)",
        ),
        (
            Health(consecutive_failures=1, last_error_at=NOW - timedelta(hours=1), next_fetch_at=NOW),
            "Đang lỗi (1 lần)",
        ),
        (
            Health(
                consecutive_failures=5, last_error_at=NOW, next_fetch_at=NOW + timedelta(hours=24, minutes=5)
            ),
            "Tạm hoãn đến 14:05 28/11/2026 (lỗi 5 lần)",
        ),
    ],
)
def test_status_label(health: Health, label: str) -> None:
    assert status_label(health, NOW) == label


def test_status_label_uses_the_source_interval() -> None:
    h = Health(consecutive_failures=2, last_error_at=NOW, next_fetch_at=NOW + timedelta(minutes=40))
    assert status_label(h, NOW, interval=timedelta(minutes=15)) == "Tạm hoãn đến 14:40 27/11/2026 (lỗi 2 lần)"
