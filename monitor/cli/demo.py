"""`monitor demo`: serve the sample outlets on 127.0.0.1 and run the real pipeline on them, offline."""

from __future__ import annotations

import dataclasses
import tempfile
from contextlib import ExitStack
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from monitor.app import App
from monitor.timefmt import fmt_decimal
from monitor.vocab import label


def format_articles(records: list[dict]) -> Table:  # type: ignore[type-arg]
    """What the pipeline made of each demo article (pure)."""
    table = Table(title="Kết quả phân tích bài viết mẫu")
    # Fits an 80-column terminal: the outlet goes under the title, the short columns never wrap.
    table.add_column("Bài viết (nguồn)", overflow="fold")
    table.add_column("Nhắc đến")
    table.add_column("Chủ đề")
    table.add_column("Sắc thái")
    table.add_column("Chú ý", no_wrap=True)
    table.add_column("Câu\nchuyện", no_wrap=True, justify="right")
    for r in records:
        mentions = ", ".join(sorted({m["alias"] for m in r["mentions"] or []})) or "—"
        tone = f"{label(r['tone'])} ({fmt_decimal(r['tone_score'])})" if r["tone"] else "—"
        title = Text(r["title"])  # a Text, never markup: a feed's "[red]" stays as written
        title.append(f"\n{r['source']}", style="dim")
        table.add_row(
            title,
            mentions,
            label(r["topic"]),
            tone,
            "CÓ" if r["flagged"] else "",
            str(r["story_id"] or "—"),
            style="bold red" if r["flagged"] else None,
        )
    return table


def demo(
    ctx: typer.Context,
    keep: bool = typer.Option(False, "--keep", help="Giữ lại cơ sở dữ liệu demo và in đường dẫn."),
) -> None:
    """Chạy thử toàn bộ quy trình trên các báo mẫu phục vụ tại máy này (không cần Internet)."""
    from monitor.cli.fetch import _run_with_progress, format_errors, format_footer, format_summary
    from monitor.demo.config import demo_config
    from monitor.demo.server import serve_demo
    from monitor.store.export import export_batches

    obj: App = ctx.obj
    console = Console()
    with ExitStack() as stack:
        if keep:
            folder = Path(tempfile.mkdtemp(prefix="monitor-demo-"))
        else:  # removed when the demo ends, whatever happens
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="monitor-demo-")))
        url = f"sqlite:///{folder / 'demo.db'}"
        outlets = stack.enter_context(serve_demo())
        demo_obj = App(dataclasses.replace(obj.settings, database_url=url), config=demo_config(outlets))
        stack.callback(demo_obj.close)
        console.print(f"Đang phục vụ {len(outlets)} báo mẫu tại {outlets[0].url.rsplit('/', 2)[0]} …")
        report = _run_with_progress(Console(stderr=True), demo_obj, None, pages=True, analysis=True)
        console.print(format_summary(report.sources))
        for line in format_errors(report.sources) + format_footer(report):
            console.print(line)
        with demo_obj.db.read() as session:
            records = [r for batch in export_batches(session, None) for r in batch]
        console.print(format_articles(records))
        if keep:
            console.print(f"Cơ sở dữ liệu demo: {url}\nXem hàng đợi: monitor --db {url} queue")


def register(app: typer.Typer) -> None:
    """Add the `demo` command."""
    app.command("demo")(demo)
