"""Command-line interface: `monitor …`. Thin edges: parse options, call one domain function, render.

Each command group lives in its own module with `register(app)`; `COMMAND_MODULES` lists them.
"""

from __future__ import annotations

import errno
import importlib
import logging
import re
import sys
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.models import DefaultPlaceholder

from monitor.app import App
from monitor.errors import MonitorError
from monitor.logs import setup_logging
from monitor.settings import Settings

# One module per command group; each exposes register(app: typer.Typer).
COMMAND_MODULES = (
    "monitor.cli.fetch",
    "monitor.cli.run",
    "monitor.cli.worker",
    "monitor.cli.sources",
    "monitor.cli.export",
    "monitor.cli.demo",
    "monitor.cli.queue",
    "monitor.cli.response",
    "monitor.cli.users",
    "monitor.cli.train",
    "monitor.cli.reanalyze",
    "monitor.cli.db",
    "monitor.cli.web",
    "monitor.cli.digest",
    "monitor.cli.status",
)

HELP_TEXT = "Xem hướng dẫn này rồi thoát."


class _VietnameseHelpMixin:
    """click's built-in --help line is English; ours says it in Vietnamese."""

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class _Command(_VietnameseHelpMixin, TyperCommand):
    pass


class _Group(_VietnameseHelpMixin, TyperGroup):
    pass


app = typer.Typer(
    cls=_Group,
    name="monitor",
    help="Giám sát báo chí: thu thập, phân tích và xác minh thông tin về đơn vị và địa phương.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    ctx: typer.Context,
    config: str = typer.Option(
        None, "--config", envvar="MONITOR_CONFIG", help="Tệp cấu hình nguồn tin (mặc định ./sources.toml)."
    ),
    db: str = typer.Option(
        None,
        "--db",
        envvar="MONITOR_DATABASE_URL",
        help="Địa chỉ cơ sở dữ liệu (mặc định tệp SQLite ./monitor.db).",
    ),
    models: str = typer.Option(
        None,
        "--models",
        envvar="MONITOR_MODELS_DIR",
        help="Thư mục mô hình đã huấn luyện lại (mặc định: mô hình đi kèm phần mềm).",
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Ghi nhật ký chi tiết (tiếng Anh) ra stderr."
    ),
) -> None:
    """Giám sát báo chí về Công an tỉnh và địa phương."""
    # English logs are for developers: quiet unless asked; users read the Vietnamese output.
    setup_logging(verbose)
    ctx.obj = App(
        Settings.from_env(config=config, database_url=db, models=models),
        on_notice=lambda notice: typer.echo(f"Lưu ý: {notice}", err=True),
    )


def _is_default(cls: Any, base: type) -> bool:
    return cls is None or cls is base or isinstance(cls, DefaultPlaceholder)


def _localise(typer_app: typer.Typer) -> None:
    """Give every command and group of `typer_app` the Vietnamese --help line."""
    if _is_default(typer_app.info.cls, TyperGroup):
        typer_app.info.cls = _Group
    for command in typer_app.registered_commands:
        if _is_default(command.cls, TyperCommand):
            command.cls = _Command
    for group in typer_app.registered_groups:
        if _is_default(group.cls, TyperGroup):
            group.cls = _Group
        if group.typer_instance is not None:
            _localise(group.typer_instance)


def _localise_help_panels() -> None:
    """The titles and notes typer's rich help draws around our (Vietnamese) help texts."""
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = "Tham số"
    rich_utils.OPTIONS_PANEL_TITLE = "Tùy chọn"
    rich_utils.COMMANDS_PANEL_TITLE = "Lệnh"
    rich_utils.ERRORS_PANEL_TITLE = "Lỗi"
    rich_utils.REQUIRED_LONG_STRING = "[bắt buộc]"
    rich_utils.DEFAULT_STRING = "[mặc định: {}]"
    rich_utils.ENVVAR_STRING = "[biến môi trường: {}]"
    rich_utils.ABORTED_TEXT = "Đã dừng."


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    _localise(app)
    _localise_help_panels()


_register_all()


def main() -> None:
    """Entry point: run the app; a MonitorError becomes a Vietnamese sentence and exit code 1."""
    try:
        code = app(standalone_mode=False, prog_name="monitor")
        if isinstance(code, int) and code:
            sys.exit(code)
    except MonitorError as exc:
        logging.getLogger("monitor").info("command failed: %s", exc)
        typer.echo(f"Lỗi: {exc.message}", err=True)
        sys.exit(1)
    except typer.Abort:
        typer.echo("Đã dừng.", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("Đã dừng.", err=True)
        sys.exit(130)
    except Exception as exc:
        # typer vendors its own click: recognise its usage errors by shape, not by class.
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            ctx = getattr(exc, "ctx", None)
            typer.echo(f"Lỗi: {usage_message(exc.format_message())}", err=True)
            if ctx is not None:
                typer.echo(f"Xem hướng dẫn: {ctx.command_path} --help", err=True)
            sys.exit(exc.exit_code)
        message = infrastructure_message(exc)
        if message is None:
            raise
        logging.getLogger("monitor").info("command failed", exc_info=True)
        typer.echo(f"Lỗi: {message}", err=True)
        sys.exit(1)


# click's usage messages, in Vietnamese (the parts in quotes are the user's own words, kept as typed).
_USAGE_VI = (
    (re.compile(r"No such command '(.+)'\."), r"không có lệnh '\1'."),
    (re.compile(r"No such option: (\S+)(?: Did you mean (\S+)\?)?"), r"không có tùy chọn \1."),
    (re.compile(r"Missing option '(.+)'\."), r"thiếu tùy chọn \1."),
    (re.compile(r"Missing argument '(.+)'\."), r"thiếu tham số \1."),
    (re.compile(r"Option '(.+)' requires an argument\."), r"tùy chọn \1 cần một giá trị."),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), r"thừa tham số: \1."),
    (re.compile(r"Invalid value for '?([^':]+)'?: (.+)", re.S), r"giá trị không hợp lệ cho \1: \2"),
)


_DETAIL_VI = (
    (re.compile(r"Input should be a valid integer.*"), "cần một số nguyên."),
    (re.compile(r"Input should be a valid number.*"), "cần một số."),
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"cần lớn hơn hoặc bằng \1."),
    (re.compile(r"'(.+)' is not one of (.+)\."), r"'\1' không thuộc \2."),
)


def usage_message(text: str) -> str:
    """A command-line usage error in Vietnamese (unknown shapes pass through unchanged)."""
    for pattern, vietnamese in _USAGE_VI:
        if pattern.match(text):
            text = pattern.sub(vietnamese, text, count=1)
            break
    for pattern, vietnamese in _DETAIL_VI:
        text = pattern.sub(vietnamese, text)
    return text


# What a user can do about each database problem (the driver's English text goes to the log only).
DATABASE_VI = {
    "url": "Địa chỉ cơ sở dữ liệu không hợp lệ. Ví dụ: sqlite:///monitor.db",
    "corrupt": "Tệp cơ sở dữ liệu không phải SQLite hoặc đã hỏng; kiểm tra lại --db (hoặc khôi phục bản sao lưu).",
    "readonly": "Cơ sở dữ liệu chỉ cho đọc, không ghi được; kiểm tra quyền ghi của tệp và thư mục chứa nó.",
    "cannot_open": "Không mở được tệp cơ sở dữ liệu: thư mục không tồn tại hoặc không có quyền.",
    "locked": "Cơ sở dữ liệu đang bị một tiến trình khác khóa; thử lại sau ít phút.",
    "connect": "Không kết nối được tới cơ sở dữ liệu; kiểm tra địa chỉ --db, máy chủ và quyền truy cập.",
}

# errno → Vietnamese (the OS's English strerror goes to the log only).
OS_ERRORS_VI = {
    errno.ENOENT: "không tìm thấy tệp hoặc thư mục",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không được phép",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENOSPC: "ổ đĩa đã hết chỗ",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EEXIST: "tệp đã tồn tại",
    errno.ENAMETOOLONG: "tên tệp quá dài",
}


def os_error_message(exc: OSError) -> str:
    """An OS error as a Vietnamese sentence naming the file (pure)."""
    where = f" {exc.filename}" if exc.filename else ""
    what = OS_ERRORS_VI.get(exc.errno or 0, "lỗi hệ điều hành khi đọc/ghi")
    return f"Lỗi tệp{where}: {what}."


def infrastructure_message(exc: BaseException) -> str | None:
    """A Vietnamese sentence for database and file errors a user can fix, or None for real bugs."""
    from monitor.store.db import database_error

    problem = database_error(exc)
    if problem is not None:
        return DATABASE_VI[problem[0]]
    if isinstance(exc, OSError):
        return os_error_message(exc)
    return None
