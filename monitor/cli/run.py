"""`monitor run`: the daemon — starts the jobs `monitor.app.JOBS` defines; one per database."""

from __future__ import annotations

from datetime import timedelta

import typer

from monitor.app import App


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
    from monitor.app import DaemonOptions, daemon_jobs
    from monitor.scheduler import SchedulerOptions, run_daemon

    app: App = ctx.obj
    opts = DaemonOptions(
        SchedulerOptions(
            tick=timedelta(seconds=tick), job_timeout=timedelta(seconds=job_timeout), wait_for_lease=wait
        ),
        analysis=not no_analysis,
    )
    typer.echo(f"Bộ lập lịch đang chạy ({len(app.config.sources)} nguồn). Nhấn Ctrl+C để dừng.", err=True)
    run_daemon(app.db, opts.scheduler, daemon_jobs(app, opts))
    typer.echo("Đã dừng bộ lập lịch.", err=True)


def register(app: typer.Typer) -> None:
    """Add the `run` command."""
    app.command("run")(run)
