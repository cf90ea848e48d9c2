"""Dates and numbers as Vietnamese readers write them (timefmt.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.timefmt import fmt_date, fmt_datetime, fmt_decimal


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [(0.85, 2, "0,85"), (0.444, 2, "0,44"), (14.25, 1, "14,2"), (3.0, 1, "3,0"), (1234.5, 1, "1234,5")],
)
def test_decimal_comma(value: float, places: int, text: str) -> None:
    assert fmt_decimal(value, places) == text


def test_dates_in_vietnam_time() -> None:
    at = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)  # 00:05 the next day in Vietnam
    assert (fmt_date(at), fmt_datetime(at), fmt_date(None)) == ("01/12/2026", "00:05 01/12/2026", "—")
