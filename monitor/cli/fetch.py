"""`monitor fetch`: one full pass now, with a progress bar and a summary table per source."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.app import App
from monitor.pipeline import PassCallbacks, PassReport, run_pass
from monitor.pipeline.ingest import SourceReport

STATUS_VI = {"ok": "có tin", "not_modified": "không đổi (304)", "failed": "lỗi", "pending": "chưa chạy"}
STAGE_VI = {"ingest": "Tải nguồn tin", "pages": "Tải trang bài viết", "analyse": "Phân tích"}


def format_summary(reports: list[SourceReport]) -> Table:
    """The per-source summary table (pure: builds, does not print)."""
    table = Table(title="Kết quả thu thập", show_lines=False)
    for col, justify in (
        ("Nguồn", "left"),
        ("Trạng thái", "left"),
        ("Mới", "right"),
        ("Cập nhật", "right"),
        ("Không đổi", "right"),
        ("Lỗi", "right"),
        ("Thời gian", "right"),
    ):
        table.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for r in sorted(reports, key=lambda r: r.key):
        style = "red" if r.status == "failed" else None
        table.add_row(
            r.key,
            STATUS_VI.get(r.status, r.status),
            str(r.new),
            str(r.updated),
            str(r.unchanged),
            str(r.failed),
            f"{r.elapsed:.1f} s",
            style=style,
        )
    totals = [sum(getattr(r, f) for r in reports) for f in ("new", "updated", "unchanged", "failed")]
    table.add_section()
    table.add_row("Tổng", f"{len(reports)} nguồn", *map(str, totals), "")
    return table


def format_errors(reports: list[SourceReport]) -> list[str]:
    """One line per failed source: its key and the Vietnamese error (full width, below the table)."""
    return [
        f"[red]• {r.key}[/red]: {escape(r.error)}" for r in sorted(reports, key=lambda r: r.key) if r.error
    ]


def format_footer(report: PassReport) -> list[str]:
    """Lines about the later stages of the pass."""
    lines = []
    if report.pages is not None:
        p = report.pages
        lines.append(
            f"Trang bài viết: {p.extracted} đã trích xuất, {p.failed} lỗi (sẽ thử lại), {p.merged} trùng bài."
        )
    if report.analysis is not None:
        a = report.analysis
        lines.append(
            f"Phân tích: {a.analysed} bài, {a.mentioned} bài nhắc đến mục tiêu theo dõi, "
            f"{a.flagged} bài cần chú ý, {a.skipped} bài bỏ qua; hồ sơ mới: {a.cases_opened}."
        )
    return lines


def fetch(
    ctx: typer.Context,
    source: list[str] = typer.Option(
        None, "--source", "-s", help="Chỉ thu thập nguồn có khóa này (lặp lại được)."
    ),
    no_pages: bool = typer.Option(False, "--no-pages", help="Không tải trang bài viết đầy đủ."),
    no_analysis: bool = typer.Option(False, "--no-analysis", help="Không phân tích sau khi thu thập."),
) -> None:
    """Thu thập ngay một lượt: tải nguồn tin, trích xuất bài viết, phân tích và đưa vào hàng đợi."""
    obj: App = ctx.obj
    config = obj.config
    for key in source or ():
        config.source(key)  # unknown key → a Vietnamese error
    console = Console(stderr=True)
    report = _run_with_progress(console, obj, source or None, pages=not no_pages, analysis=not no_analysis)
    out = Console()
    out.print(format_summary(report.sources))
    for line in format_errors(report.sources) + format_footer(report):
        out.print(line)
    if report.sources and all(r.status == "failed" for r in report.sources):
        raise typer.Exit(2)


def _run_with_progress(
    console: Console, obj: App, keys: list[str] | None, *, pages: bool, analysis: bool
) -> PassReport:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def stage(name: str) -> None:
            tasks[name] = progress.add_task(STAGE_VI[name], total=None)

        callbacks = PassCallbacks(
            stage=stage,
            sources_total=lambda n: progress.update(tasks["ingest"], total=n),
            source_done=lambda r: progress.advance(tasks["ingest"]),
            page_done=lambda: progress.advance(tasks["pages"]),
            analysed=lambda n: progress.advance(tasks["analyse"], n),
        )
        return run_pass(
            obj.db,
            obj.config,
            keys=keys,
            pages=pages,
            analysers=obj.analysers if analysis else None,
            callbacks=callbacks,
        )


def register(app: typer.Typer) -> None:
    """Add the `fetch` command."""
    app.command("fetch")(fetch)
