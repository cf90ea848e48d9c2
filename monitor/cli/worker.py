"""`monitor worker`: one of N processes that share a PostgreSQL database's work through claims."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta

import typer

from monitor.app import App


def worker(
    ctx: typer.Context,
    batch: int = typer.Option(200, "--batch", min=1, help="Số nguồn, trang hoặc bài nhận mỗi lần."),
    lease: float = typer.Option(
        600.0,
        "--lease",
        min=1.0,
        help="Giữ phần việc đã nhận bao lâu (giây) trước khi tiến trình khác được lấy lại.",
    ),
    idle: float = typer.Option(5.0, "--idle", min=0.1, help="Chờ bao lâu (giây) khi không còn việc."),
    once: bool = typer.Option(False, "--once", help="Dừng khi không còn việc nào để nhận."),
    processes: int = typer.Option(
        1, "--processes", min=1, help="Số tiến trình phân tích của tiến trình này."
    ),
    no_analysis: bool = typer.Option(False, "--no-analysis", help="Chỉ thu thập, không phân tích."),
) -> None:
    """Một trong N tiến trình xử lý chung một cơ sở dữ liệu PostgreSQL (không bao giờ làm trùng việc)."""
    from monitor.pipeline.worker import WorkerOptions, run_worker
    from monitor.scheduler import holder_id

    app: App = ctx.obj
    if app.settings.database_url.startswith("sqlite"):
        typer.echo(
            "Lỗi: `monitor worker` cần PostgreSQL; với SQLite chỉ một tiến trình được ghi, hãy dùng `monitor run`.",
            err=True,
        )
        raise typer.Exit(2)
    config, db = app.config, app.db
    stop = threading.Event()
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda *_: stop.set())
    opts = WorkerOptions(
        holder=holder_id(),
        ttl=timedelta(seconds=lease),
        batch=batch,
        idle=idle,
        once=once,
        processes=processes,
    )
    typer.echo(f"Tiến trình xử lý {opts.holder} đang chạy. Nhấn Ctrl+C để dừng.", err=True)
    r = run_worker(db, config, opts, None if no_analysis else app.analysers, stop)
    typer.echo(
        f"Tiến trình xử lý {opts.holder} đã dừng: {r.sources} nguồn, {r.pages} trang, "
        f"{r.analysed} bài đã phân tích, {r.cases_opened} vụ việc mới."
    )


def register(app: typer.Typer) -> None:
    """Add the `worker` command."""
    app.command("worker")(worker)
