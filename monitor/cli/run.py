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
    from monitor.scheduler import SchedulerOptions, run_daemon, run_with_timeout

    obj: AppContext = ctx.obj
    config, db = obj.config, obj.db
    opts = SchedulerOptions(
        tick=timedelta(seconds=tick),
        job_timeout=timedelta(seconds=job_timeout),
        wait_for_lease=wait,
        digest_time=config.digest.time,
    )
    loaded: dict[str, Any] = {}

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
                ),
                opts.job_timeout,
            )
            log.info("pass done sources=%d", len(report.sources))
        except TimeoutError:
            log.error("pass cut off after job_timeout=%s", opts.job_timeout)
        except Exception:  # the daemon must survive a bad pass; the next tick tries again
            log.exception("pass failed")

    typer.echo(f"Bộ lập lịch đang chạy ({len(config.sources)} nguồn). Nhấn Ctrl+C để dừng.", err=True)
    run_daemon(db, config, opts, {"pass": one_pass, **notify_jobs(config, db)})
    typer.echo("Đã dừng bộ lập lịch.", err=True)


def notify_jobs(config: Any, db: Any) -> dict[str, Any]:
    """The digest job (cron + catch-up) and the minute job (alerts, digest retries), when configured."""
    from datetime import UTC, datetime

    from monitor.alerts.service import run_alerts
    from monitor.alerts.webhook import WebhookPoster
    from monitor.digest.service import send_due
    from monitor.mail import SmtpSender

    mailer = SmtpSender(config.smtp)
    poster = WebhookPoster(config.alerts.webhook_url) if config.alerts.webhook_url else None

    def digest(stop: threading.Event) -> None:
        if stop.is_set():
            return
        try:
            send_due(db, config, datetime.now(UTC), mailer)
        except Exception:  # the daemon survives; the outbox shows what is owed
            log.exception("digest job failed")

    def notify(stop: threading.Event) -> None:
        if stop.is_set():
            return
        now = datetime.now(UTC)
        try:
            run_alerts(db, config, now, mailer, poster)
        except Exception:
            log.exception("alerts job failed")
        digest(stop)  # retries of a digest that met a temporary failure (idempotent)

    jobs: dict[str, Any] = {}
    if config.digest.recipient:
        jobs["digest"] = digest
    if config.digest.recipient or config.alerts.enabled:
        jobs["notify"] = notify
    return jobs


def register(app: typer.Typer) -> None:
    """Add the `run` command."""
    app.command("run")(run)
