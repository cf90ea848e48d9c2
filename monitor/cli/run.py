"""`monitor run`: the daemon — fetch due sources on schedule, analyse, queue; one per database.

What the daemon says (a startup line, one line per pass, waiting and takeover notices) is formatted by
the pure `format_*` functions here; the scheduler only reports events.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import typer

from monitor.cli.context import AppContext
from monitor.timefmt import fmt_datetime

if TYPE_CHECKING:
    from monitor.pipeline import PassReport
    from monitor.store.leases import Lease

log = logging.getLogger(__name__)


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


def format_pass(report: PassReport, seconds: float, at: datetime) -> str:
    """One line per pass: sources fetched, new articles, mentions, flagged, cases opened, errors, time (pure)."""
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
    return f"{seconds:.1f}".replace(".", ",") + " giây"


def run(
    ctx: typer.Context,
    wait: bool = typer.Option(False, "--wait", help="Chờ nếu đã có một bộ lập lịch khác đang chạy."),
    tick: float = typer.Option(60.0, "--tick", help="Bao lâu (giây) kiểm tra nguồn đến hạn một lần."),
    job_timeout: float = typer.Option(
        1200.0, "--job-timeout", help="Cắt một lượt chạy quá thời gian này (giây)."
    ),
    no_analysis: bool = typer.Option(False, "--no-analysis", help="Chỉ thu thập, không phân tích."),
) -> None:
    """Chạy liên tục: thu thập các nguồn đến hạn, phân tích và đưa tin cần chú ý vào hàng đợi."""
    from monitor.pipeline import run_pass_async
    from monitor.scheduler import LeaseEvents, SchedulerOptions, run_daemon, run_with_timeout
    from monitor.store.db import display_url

    obj: AppContext = ctx.obj
    config, db = obj.config, obj.db
    opts = SchedulerOptions(
        tick=timedelta(seconds=tick),
        job_timeout=timedelta(seconds=job_timeout),
        wait_for_lease=wait,
    )
    loaded: dict[str, Any] = {}

    def say(line: str) -> None:
        typer.echo(line, err=True)

    def analysers() -> Any:
        if "a" not in loaded:
            from monitor.pipeline.analyse import Analysers

            loaded["a"] = Analysers.load(config, obj.settings.models_dir)
        return loaded["a"]

    def one_pass(stop: threading.Event) -> None:
        if stop.is_set():
            return
        started = time.monotonic()
        try:
            report = run_with_timeout(
                lambda cancel: run_pass_async(
                    db,
                    config,
                    only_due=True,
                    analysers=None if no_analysis else analysers,
                    stop=lambda: stop.is_set() or cancel.is_set(),
                ),
                opts.job_timeout,
            )
            log.info("pass done sources=%d", len(report.sources))
            say(format_pass(report, time.monotonic() - started, datetime.now(UTC)))
        except TimeoutError:
            log.error("pass cut off after job_timeout=%s", opts.job_timeout)
            say(
                f"{fmt_datetime(datetime.now(UTC))} lượt chạy bị cắt sau {job_timeout:g} giây (--job-timeout)."
            )
        except Exception:  # the daemon must survive a bad pass; the next tick tries again
            log.exception("pass failed")
            say(f"{fmt_datetime(datetime.now(UTC))} lượt chạy gặp lỗi; lượt sau sẽ thử lại (chi tiết: -v).")

    events = LeaseEvents(
        waiting=lambda lease: say(format_waiting(lease)),
        taken_over=lambda gone: say(format_taken_over(gone)),
    )
    started_line = format_startup(display_url(db.url), str(config.path), len(config.sources), tick)
    run_daemon(db, config, opts, {"pass": one_pass}, events, on_started=lambda: say(started_line))
    say("Đã dừng bộ lập lịch.")


def register(app: typer.Typer) -> None:
    """Add the `run` command."""
    app.command("run")(run)
