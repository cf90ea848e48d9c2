"""`monitor web`: the web app behind a production WSGI server."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from monitor.app import App


def web(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Địa chỉ lắng nghe."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Cổng."),
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="Số tiến trình xử lý."),
    secret_file: Path = typer.Option(
        None, "--secret-file", help="Tệp chứa khóa bí mật của phiên đăng nhập (thay cho MONITOR_SECRET_KEY)."
    ),
    https: bool = typer.Option(
        False, "--https", help="Trang được phục vụ qua HTTPS (cookie Secure, __Host-, HSTS)."
    ),
    trusted_proxy: list[str] = typer.Option(
        None,
        "--trusted-proxy",
        help="Địa chỉ/mạng của proxy được tin cậy để đọc X-Forwarded-For (lặp lại được).",
    ),
) -> None:
    """Chạy trang web cho cán bộ (hàng đợi, vụ việc, tìm kiếm, quản trị)."""
    from monitor.accounts.policy import AccountPolicy
    from monitor.web.settings import SECRET_ENV, WebContext, WebSettings, load_secret

    obj: App = ctx.obj
    secret = load_secret(os.environ.get(SECRET_ENV), secret_file)  # refuses to start without one
    settings = WebSettings(
        secret_key=secret,
        https=https,
        policy=AccountPolicy(trusted_proxies=tuple(trusted_proxy or ())),
    )
    config = obj.config  # validated once, before any worker starts
    obj.db.dispose()  # migrated here; each worker opens its own engine after the fork
    url = obj.settings.database_url

    def factory() -> object:
        from monitor.store.db import Database
        from monitor.web import create_app

        return create_app(WebContext(Database(url), config, settings))

    from monitor.web.server import serve

    typer.echo(f"Trang web: http://{host}:{port}/ ({workers} tiến trình). Dừng bằng Ctrl+C.")
    serve(factory, host, port, workers)


def register(app: typer.Typer) -> None:
    """Add the `web` command."""
    app.command("web")(web)
