"""Dates and numbers for people: Asia/Ho_Chi_Minh, dd/mm/yyyy, a decimal comma; ISO 8601 with +07:00 for exports."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(dt: datetime) -> datetime:
    """The same instant in Vietnam time (naive datetimes are taken as UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(LOCAL_TZ)


def fmt_date(dt: datetime | None) -> str:
    """dd/mm/yyyy in Vietnam time, or '—'."""
    return local(dt).strftime("%d/%m/%Y") if dt else "—"


def fmt_datetime(dt: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time, or '—'."""
    return local(dt).strftime("%H:%M %d/%m/%Y") if dt else "—"


def fmt_decimal(value: float, places: int = 2) -> str:
    """A number as Vietnamese writes it, with a decimal comma: 0.85 → "0,85"."""
    return f"{value:.{places}f}".replace(".", ",")


def iso_local(dt: datetime | None) -> str | None:
    """ISO 8601 with the +07:00 offset, or None."""
    return local(dt).isoformat() if dt else None


def parse_local_date(text: str) -> datetime:
    """Parse 'dd/mm/yyyy' (or 'HH:MM dd/mm/yyyy', ISO 'yyyy-mm-dd[THH:MM]') in Vietnam time (aware)."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%H:%M %d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            continue
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f'Ngày "{text}" không hợp lệ: dùng dạng dd/mm/yyyy, ví dụ 27/11/2026.') from None
    return dt if dt.tzinfo else dt.replace(tzinfo=LOCAL_TZ)
