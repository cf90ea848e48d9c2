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


def offline_hint(reports: list[SourceReport]) -> str | None:
    """When every source failed on DNS, the machine is probably offline: say so and suggest the demo (pure)."""
    if reports and all(r.status == "failed" and r.error_kind == "dns" for r in reports):
        return (
            "Không phân giải được tên miền của nguồn nào: máy này có vẻ chưa kết nối Internet. "
            "Kiểm tra mạng, hoặc chạy thử ngoại tuyến với: monitor demo"
        )
    return None


def format_interrupted(done: list[SourceReport], total: int | None, stage: str | None) -> str:
    """What Ctrl+C left behind: what was kept, and that the rest waits for the next run (pure)."""
    new = sum(r.new for r in done)
    updated = sum(r.updated for r in done)
    of = f"/{total}" if total is not None else ""
    where = f" (đang ở bước “{STAGE_VI[stage]}”)" if stage in STAGE_VI else ""
    return (
        f"Đã dừng theo yêu cầu{where}. Đã lưu kết quả của {len(done)}{of} nguồn: {new} bài mới, "
        f"{updated} bài cập nhật. Phần chưa xong sẽ được làm tiếp ở lần chạy sau."
    )


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
    progress = _Done()
    try:
        report = _run_with_progress(
            console, obj, source or None, pages=not no_pages, analysis=not no_analysis, done=progress
        )
    except KeyboardInterrupt:
        typer.echo(format_interrupted(progress.reports, progress.total, progress.stage), err=True)
        raise typer.Exit(130) from None
    out = Console()
    out.print(format_summary(report.sources))
    for line in format_errors(report.sources) + format_footer(report):
        out.print(line)
    hint = offline_hint(report.sources)
    if hint:
        out.print(f"[bold]{hint}[/bold]")
    if report.sources and all(r.status == "failed" for r in report.sources):
        raise typer.Exit(2)


class _Done:
    """What the pass has finished so far (read after Ctrl+C)."""

    def __init__(self) -> None:
        self.reports: list[SourceReport] = []
        self.total: int | None = None
        self.stage: str | None = None


def _run_with_progress(
    console: Console,
    obj: App,
    keys: list[str] | None,
    *,
    pages: bool,
    analysis: bool,
    done: _Done | None = None,
) -> PassReport:
    done = done or _Done()
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
            done.stage = name
            tasks[name] = progress.add_task(STAGE_VI[name], total=None)

        def sources_total(n: int) -> None:
            done.total = n
            progress.update(tasks["ingest"], total=n)

        def source_done(r: SourceReport) -> None:  # called once the source's items are committed
            done.reports.append(r)
            progress.advance(tasks["ingest"])

        callbacks = PassCallbacks(
            stage=stage,
            sources_total=sources_total,
            source_done=source_done,
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
