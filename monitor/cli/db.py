"""`monitor db upgrade|check`: bring the schema up to date; check case records against their events."""

from __future__ import annotations

import typer

from monitor.app import App

db_app = typer.Typer(help="Quản lý cơ sở dữ liệu.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Cập nhật cấu trúc cơ sở dữ liệu lên phiên bản mới nhất."""
    obj: App = ctx.obj
    _ = obj.db  # opening the database runs the migrations
    typer.echo("Cơ sở dữ liệu đã được cập nhật.")


@db_app.command("check")
def check(ctx: typer.Context) -> None:
    """Đối chiếu hồ sơ vụ việc với nhật ký sự kiện (và chuỗi băm); báo mọi chỗ không khớp."""
    from monitor.queue.event_check import check_database

    obj: App = ctx.obj
    report = check_database(obj.db)
    for line in report.findings:
        typer.echo(line)
    if report.findings:
        typer.echo(f"Phát hiện {len(report.findings)} chỗ không khớp trong {report.cases} vụ việc.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Khớp: {report.cases} vụ việc, {report.events} sự kiện, chuỗi băm nguyên vẹn.")


def register(app: typer.Typer) -> None:
    """Add the `db` command group."""
    app.add_typer(db_app, name="db")
