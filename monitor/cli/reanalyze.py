"""`monitor reanalyze`: analyse again every article analysed by another model version (after training)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from monitor.app import App


def reanalyze(
    ctx: typer.Context,
    workers: int = typer.Option(None, "--workers", help="Số tiến trình phân tích (mặc định: số lõi CPU)."),
) -> None:
    """Phân tích lại các bài viết bằng phiên bản mô hình hiện tại (sau khi huấn luyện lại)."""
    from monitor.pipeline.analyse import analyse_pending
    from monitor.store.analyses import count_pending_analysis

    obj: App = ctx.obj
    analysers = obj.analysers()
    version = analysers.analyzer.version
    with obj.db.read() as session:
        total = count_pending_analysis(session, stale_version=version)
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(f"Phân tích lại (mô hình {version})", total=total)
        report = analyse_pending(
            obj.db,
            obj.config,
            analysers,
            reanalyse=True,
            workers=workers,
            on_batch=lambda n: progress.advance(task, n),
        )
    typer.echo(
        f"Đã phân tích lại {report.analysed} bài: {report.mentioned} bài nhắc đến mục tiêu, "
        f"{report.flagged} bài cần chú ý, {report.cases_opened} hồ sơ mới."
    )


def register(app: typer.Typer) -> None:
    """Add the `reanalyze` command."""
    app.command("reanalyze")(reanalyze)
