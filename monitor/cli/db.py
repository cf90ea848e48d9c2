"""`monitor db upgrade`: bring the database schema up to date."""

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


def register(app: typer.Typer) -> None:
    """Add the `db` command group."""
    app.add_typer(db_app, name="db")
