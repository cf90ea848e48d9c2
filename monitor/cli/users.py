"""`monitor users add|list|role|disable|passwd`: the people who act on cases, and their roles.

Who may manage users is decided by `monitor.queue.users.can_manage_users`; this module only renders.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

import typer
from rich.console import Console
from rich.table import Table

from monitor.app import App
from monitor.errors import MonitorError, StoreError
from monitor.vocab import label

if TYPE_CHECKING:
    from monitor.store.users import User

users_app = typer.Typer(help="Quản lý người dùng và vai trò.", no_args_is_help=True)


def format_users(users: Sequence[User]) -> Table:
    """A table of users (pure)."""
    table = Table(title=f"Người dùng ({len(users)})")
    for col in ("Tên đăng nhập", "Họ tên", "Vai trò", "Thư điện tử", "Hoạt động"):
        table.add_column(col)
    for u in users:
        table.add_row(u.username, u.name, label(u.role), u.email or "—", "có" if u.active else "không")
    return table


def print_users(users: Sequence[User]) -> None:
    """Render the users table."""
    Console().print(format_users(users))


@users_app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Tên đăng nhập, ví dụ: ctv.an"),
    role: str = typer.Option(
        ..., "--role", help="cộng tác viên dư luận (ctv) | báo cáo viên (bcv) | lãnh đạo | quản trị"
    ),
    name: str = typer.Option(..., "--name", help='Họ và tên, ví dụ: "Nguyễn Văn An"'),
    email: str = typer.Option(None, "--email", help="Địa chỉ thư nhận cảnh báo, ví dụ: an.nv@example.vn"),
    as_user: str = typer.Option(None, "--as", help="Quản trị viên thao tác (mặc định MONITOR_USER)."),
) -> None:
    """Thêm người dùng với vai trò: cộng tác viên, báo cáo viên, lãnh đạo hoặc quản trị."""
    from monitor.queue.users import add_user

    obj: App = ctx.obj
    user = add_user(obj.db, as_user or obj.settings.user, username, role, name, datetime.now(UTC), email)
    typer.echo(f"Đã thêm {user.name} ({user.username}) — {label(user.role)}.")


@users_app.command("role")
def role_(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Tên đăng nhập."),
    role: str = typer.Argument(..., help="collaborator | reporter | leader | admin"),
    as_user: str = typer.Option(None, "--as", help="Quản trị viên thao tác (mặc định MONITOR_USER)."),
) -> None:
    """Đổi vai trò của một người dùng (chỉ quản trị viên)."""
    from monitor.queue.users import set_role

    obj: App = ctx.obj
    user = set_role(obj.db, as_user or obj.settings.user, username, role)
    typer.echo(f"{user.name} ({user.username}) nay là {label(user.role)}.")


@users_app.command("disable")
def disable(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Tên đăng nhập."),
    as_user: str = typer.Option(None, "--as", help="Quản trị viên thao tác (mặc định MONITOR_USER)."),
) -> None:
    """Vô hiệu hóa một người dùng: không thao tác được nữa, các vụ việc đang giữ được trả lại."""
    from monitor.config_tables import QueueSettings
    from monitor.queue.users import disable_user

    obj: App = ctx.obj
    try:
        settings = obj.config.queue
    except MonitorError:  # a broken sources.toml must not keep an admin from locking someone out
        settings = QueueSettings()
    user, released = disable_user(obj.db, as_user or obj.settings.user, username, settings, datetime.now(UTC))
    freed = f"; đã trả lại vụ việc {', '.join(f'#{i}' for i in released)}" if released else ""
    typer.echo(f"Đã vô hiệu hóa {user.name} ({user.username}){freed}.")


@users_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Liệt kê người dùng và vai trò."""
    from monitor.store.users import list_users

    obj: App = ctx.obj
    with obj.db.read() as session:
        users = list_users(session)
    print_users(users)


def read_password(stdin: TextIO) -> str:
    """The new password: one line from stdin when piped, else typed twice without echo."""
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Mật khẩu mới: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise StoreError("Hai lần nhập mật khẩu không khớp.")
    return first


@users_app.command("passwd")
def passwd(
    ctx: typer.Context,
    username: str = typer.Argument(..., help="Tên đăng nhập cần đặt mật khẩu."),
    as_user: str = typer.Option(
        None,
        "--as",
        help="Người thao tác (mặc định MONITOR_USER): quản trị viên, hoặc chính người dùng đó. "
        "Không cần khi đặt mật khẩu đầu tiên cho quản trị viên đầu tiên.",
    ),
) -> None:
    """Đặt mật khẩu đăng nhập trang web (đọc từ stdin khi dẫn vào, không hiện khi gõ)."""
    from monitor.accounts.service import Actor, may_set_password, set_password

    obj: App = ctx.obj
    name = as_user or obj.settings.user
    actor = Actor(name, "local") if name else None
    may_set_password(obj.db, username, datetime.now(UTC), actor=actor)  # refused before the password is asked
    password = read_password(sys.stdin)
    user = set_password(obj.db, username, password, datetime.now(UTC), actor=actor)
    typer.echo(f"Đã đặt mật khẩu cho {user.name} ({user.username}); các phiên đăng nhập cũ đã kết thúc.")


def register(app: typer.Typer) -> None:
    """Add the `users` command group."""
    app.add_typer(users_app, name="users")
