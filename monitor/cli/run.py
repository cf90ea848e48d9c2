"""`monitor run`: the daemon — fetch due sources on schedule, analyse, queue; one per database."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

import typer

from monitor.cli.context import AppContext

log = logging.getLogger(__name__)


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
    from monitor.scheduler import SchedulerOptions, holder_id, run_daemon, run_with_timeout

    obj: AppContext = ctx.obj
    config, db = obj.config, obj.db
    opts = SchedulerOptions(
        tick=timedelta(seconds=tick),
        job_timeout=timedelta(seconds=job_timeout),
        wait_for_lease=wait,
    )
    loaded: dict[str, Any] = {}
    # Beside `monitor worker`s (PostgreSQL), the daemon's passes claim their work like any worker does.
    claim = None
    if db.dialect == "postgresql":
        from monitor.store.claims import Claim

        claim = Claim(holder_id(), opts.job_timeout + timedelta(minutes=5))

    def analysers() -> Any:
        if "a" not in loaded:
            from monitor.pipeline.analyse import Analysers

            loaded["a"] = Analysers.load(config, obj.settings.models_dir)
        return loaded["a"]

    def one_pass(stop: threading.Event) -> None:
        if stop.is_set():
            return
        try:
            report = run_with_timeout(
                lambda cancel: run_pass_async(
                    db,
                    config,
                    only_due=True,
                    analysers=None if no_analysis else analysers,
                    stop=lambda: stop.is_set() or cancel.is_set(),
                    claim=claim,
                ),
                opts.job_timeout,
            )
            log.info("pass done sources=%d", len(report.sources))
        except TimeoutError:
            log.error("pass cut off after job_timeout=%s", opts.job_timeout)
        except Exception:  # the daemon must survive a bad pass; the next tick tries again
            log.exception("pass failed")

    typer.echo(f"Bộ lập lịch đang chạy ({len(config.sources)} nguồn). Nhấn Ctrl+C để dừng.", err=True)
    run_daemon(db, config, opts, {"pass": one_pass})
    typer.echo("Đã dừng bộ lập lịch.", err=True)


def register(app: typer.Typer) -> None:
    """Add the `run` command."""
    app.command("run")(run)
