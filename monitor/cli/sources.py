"""`monitor sources`: configured outlets and their fetch health, as a rich table."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from monitor.app import App
from monitor.config import Config
from monitor.fetch.health import Health, status_label
from monitor.store.sources import SourceState, list_sources, sync_sources
from monitor.timefmt import fmt_datetime

KIND_VI = {"rss": "RSS/Atom", "html": "Trang chuyên mục"}


def format_sources(config: Config, states: list[SourceState], now: datetime) -> Table:
    """The health table (pure: builds, does not print)."""
    table = Table(title=f"Nguồn tin ({len(states)})")
    for col in (
        "Khóa",
        "Tên",
        "Loại",
        "Chu kỳ",
        "Tình trạng",
        "Thành công gần nhất",
        "Lỗi gần nhất",
        "Lần tải tới",
    ):
        table.add_column(col)
    configured = {s.key: s for s in config.sources}
    for st in states:
        health = Health(**st.health)
        src = configured.get(st.key)
        interval = f"{config.interval_of(src)} phút" if src else "—"
        if st.paused:
            label = f"Tạm dừng (quản trị, từ {fmt_datetime(st.paused_at)})"
        else:
            label = status_label(health, now) if st.enabled else "Đã tắt"
        style = (
            "red"
            if health.consecutive_failures and st.enabled
            else ("dim" if not st.enabled or st.paused else None)
        )
        error = f"{fmt_datetime(health.last_error_at)}: {health.last_error}" if health.last_error else ""
        table.add_row(
            st.key,
            st.name,
            KIND_VI.get(st.kind, st.kind),
            interval,
            label,
            fmt_datetime(health.last_success_at),
            error,
            fmt_datetime(health.next_fetch_at),
            style=style,
        )
    return table


def sources(ctx: typer.Context) -> None:
    """Xem danh sách nguồn tin và tình trạng thu thập của từng nguồn."""
    obj: App = ctx.obj
    now = datetime.now(UTC)
    with obj.db.write() as session:
        sync_sources(session, obj.config.sources, now)
        states = list_sources(session)
    Console().print(format_sources(obj.config, states, now))


def register(app: typer.Typer) -> None:
    """Add the `sources` command."""
    app.command("sources")(sources)
