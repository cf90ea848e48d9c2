"""`monitor digest`: write the daily digest to files (--preview) or send it now (--send), exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import typer

from monitor.app import App
from monitor.errors import ConfigError

OUTCOME_WORDS = {
    "sent": "đã gửi",
    "retry": "gửi tạm thời thất bại, sẽ thử lại",
    "failed": "gửi thất bại",
    "skipped": "bỏ qua",
}
STATE_WORDS = {
    "sent": "đã gửi trước đó",
    "sending": "đang gửi hoặc bị gián đoạn, xem monitor status",
    "retry": "chờ thử lại",
    "failed": "đã thất bại trước đó; dùng --force để gửi lại",
}


def parse_day(text: str | None, now: datetime) -> date:
    """--date as dd/mm/yyyy or yyyy-mm-dd; yesterday in Vietnam time when absent."""
    from monitor.digest.service import default_day

    if not text:
        return default_day(now)
    from monitor.timefmt import parse_local_date

    try:
        return parse_local_date(text).date()
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def digest(
    ctx: typer.Context,
    day: str = typer.Option(None, "--date", help="Ngày của bản tin, dd/mm/yyyy (mặc định: hôm qua)."),
    preview: Path = typer.Option(None, "--preview", help="Ghi bản tin dạng HTML vào tệp này, không gửi."),
    text: Path = typer.Option(None, "--text", help="Ghi thêm phần văn bản thuần vào tệp này."),
    send: bool = typer.Option(
        False, "--send", help="Gửi ngay cho người nhận khai báo ở mục digest của sources.toml."
    ),
    force: bool = typer.Option(False, "--force", help="Gửi lại cả khi ngày này đã gửi cho người nhận."),
) -> None:
    """Bản tin dư luận hằng ngày: xem trước thành tệp hoặc gửi thư ngay (mỗi ngày mỗi người một lần)."""
    from monitor.digest.render import render
    from monitor.digest.service import build, send_day

    obj: App = ctx.obj
    now = datetime.now(UTC)
    the_day = parse_day(day, now)
    yesterday = parse_day(None, now)
    if the_day > yesterday and (send or the_day > yesterday + timedelta(days=1)):
        raise ConfigError(f"Ngày {the_day:%d/%m/%Y} chưa kết thúc: chọn một ngày đã qua.")
    if not send and preview is None and text is None:
        raise ConfigError("Cần --preview TỆP.html (xem trước) hoặc --send (gửi ngay).")
    if force and not send:
        raise ConfigError("--force chỉ dùng cùng --send.")
    config, db = obj.config, obj.db
    if preview is not None or text is not None:
        rendered = render(build(db, config, the_day, now))
        if preview is not None:
            preview.write_text(rendered.html, encoding="utf-8")
            typer.echo(f"Đã ghi bản tin ngày {the_day:%d/%m/%Y} (HTML) vào {preview}.")
        if text is not None:
            text.write_text(rendered.text, encoding="utf-8")
            typer.echo(f"Đã ghi bản tin ngày {the_day:%d/%m/%Y} (văn bản) vào {text}.")
    if not send:
        return
    if not config.digest.recipient:
        raise ConfigError(f"Chưa có người nhận: thêm [[digest.recipient]] vào {config.path.name}.")
    from monitor.mail import SmtpSender

    outcomes = send_day(db, config, the_day, now, SmtpSender(config.smtp), force=force)
    bad = False
    for o in outcomes:
        if o.state == "skipped":
            typer.echo(f"{o.recipient}: bỏ qua ({STATE_WORDS.get(o.detail, o.detail)}).")
            continue
        bad |= o.state != "sent"
        tail = f": {o.detail}" if o.state != "sent" else ""
        typer.echo(f"{o.recipient}: {OUTCOME_WORDS[o.state]}{tail}")
    if bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the `digest` command."""
    app.command("digest")(digest)
