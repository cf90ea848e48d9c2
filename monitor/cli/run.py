"""`monitor run`: the daemon — starts the jobs `monitor.app.JOBS` defines; one per database.

What the daemon says (a startup line, one line per pass, waiting and takeover notices) is formatted by the
pure `format_*` functions here; the scheduler and the jobs only report events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import typer

from monitor.app import App
from monitor.settings import DAEMON_JOB_TIMEOUT, DAEMON_TICK
from monitor.timefmt import fmt_datetime, fmt_decimal

if TYPE_CHECKING:
    from monitor.pipeline import PassReport
    from monitor.store.leases import Lease


def format_startup(database: str, config_path: str, sources: int, tick: float) -> str:
    """The daemon's first line: where it reads and writes, and when it runs (pure)."""
    return (
        f"Bộ lập lịch bắt đầu: cơ sở dữ liệu {database}; cấu hình {config_path} ({sources} nguồn); "
        f"lượt đầu chạy ngay, sau đó cứ {tick:g} giây xét các nguồn đến hạn. Nhấn Ctrl+C để dừng."
    )


def format_waiting(lease: Lease) -> str:
    """Said once when --wait waits for another scheduler (pure)."""
    return (
        f"Đang chờ: bộ lập lịch {lease.holder} đang chạy trên cơ sở dữ liệu này từ "
        f"{fmt_datetime(lease.acquired_at)}. Sẽ tự chạy khi nó dừng (Ctrl+C để thôi chờ)."
    )


def format_taken_over(gone: str) -> str:
    """Said when the lease of a dead process on this machine is taken at once (pure)."""
    return f"Tiến trình {gone} đã dừng đột ngột (không còn chạy trên máy này): tiếp quản ngay."


def format_pass(report: PassReport | None, seconds: float, at: datetime) -> str:
    """One line per pass: sources fetched, new articles, mentions, flagged, cases opened, errors, time (pure)."""
    if report is None:
        return (
            f"{fmt_datetime(at)} lượt chạy gặp lỗi hoặc bị cắt sau {_seconds(seconds)}; lượt sau sẽ thử lại."
        )
    fetched = sum(1 for r in report.sources if r.status in ("ok", "not_modified"))
    failed = sum(1 for r in report.sources if r.status == "failed")
    new = sum(r.new for r in report.sources)
    a = report.analysis
    mentioned, flagged, opened = (a.mentioned, a.flagged, a.cases_opened) if a else (0, 0, 0)
    pages_failed = report.pages.failed if report.pages else 0
    errors = f"{failed} nguồn lỗi" + (f", {pages_failed} trang bài lỗi" if pages_failed else "")
    return (
        f"{fmt_datetime(at)} lượt chạy: {fetched}/{len(report.sources)} nguồn đã lấy, {new} bài mới, "
        f"{mentioned} bài nhắc đến mục tiêu, {flagged} bài gắn cờ, {opened} vụ việc mới, {errors}, "
        f"{_seconds(seconds)}."
    )


def _seconds(seconds: float) -> str:
    return f"{fmt_decimal(seconds, 1)} giây"


def run(
    ctx: typer.Context,
    wait: bool = typer.Option(False, "--wait", help="Chờ nếu đã có một bộ lập lịch khác đang chạy."),
    tick: float = typer.Option(
        DAEMON_TICK.total_seconds(), "--tick", help="Bao lâu (giây) kiểm tra nguồn đến hạn một lần."
    ),
    job_timeout: float = typer.Option(
        DAEMON_JOB_TIMEOUT.total_seconds(),
        "--job-timeout",
        help="Cắt một lượt chạy quá thời gian này (giây).",
    ),
    no_analysis: bool = typer.Option(False, "--no-analysis", help="Chỉ thu thập, không phân tích."),
) -> None:
    """Chạy liên tục: thu thập các nguồn đến hạn, phân tích và đưa tin cần chú ý vào hàng đợi."""
    from monitor.app import DaemonOptions, daemon_jobs
    from monitor.scheduler import LeaseEvents, SchedulerOptions, run_daemon
    from monitor.store.db import display_url

    app: App = ctx.obj

    def say(line: str) -> None:
        typer.echo(line, err=True)

    opts = DaemonOptions(
        SchedulerOptions(
            tick=timedelta(seconds=tick), job_timeout=timedelta(seconds=job_timeout), wait_for_lease=wait
        ),
        analysis=not no_analysis,
        on_pass=lambda report, seconds: say(format_pass(report, seconds, datetime.now(UTC))),
    )
    events = LeaseEvents(
        waiting=lambda lease: say(format_waiting(lease)),
        taken_over=lambda gone: say(format_taken_over(gone)),
    )
    started = format_startup(
        display_url(app.settings.database_url), str(app.config.path), len(app.config.sources), tick
    )
    run_daemon(app.db, opts.scheduler, daemon_jobs(app, opts), events, on_started=lambda: say(started))
    say("Đã dừng bộ lập lịch.")


def register(app: typer.Typer) -> None:
    """Add the `run` command."""
    app.command("run")(run)
