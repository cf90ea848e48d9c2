"""`monitor response CASE_ID [action]`: the press response of a case — draft, send for approval,
approve or return, publish, comment, download as .docx. Thin: parse, call queue/response_service, render."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from monitor.app import App
from monitor.cli.queue import audited, print_renderable
from monitor.errors import ConfigError, TransitionError
from monitor.timefmt import fmt_datetime, parse_local_date
from monitor.vocab import label

if TYPE_CHECKING:
    from monitor.queue.response_service import ResponseView
    from monitor.store.responses import CommentInfo

ACTIONS = ("draft", "submit", "approve", "return", "publish", "comment", "export")


def _comments(comments: Sequence[CommentInfo]) -> Table:
    table = Table(title="Trao đổi", show_header=True)
    for col in ("Thời gian", "Người", "Bản", "Loại", "Nội dung"):
        table.add_column(col, overflow="fold")
    for c in comments:
        kind = label(c.action) if c.action != "comment" else "góp ý"
        table.add_row(fmt_datetime(c.at), f"{c.author_name} ({c.author})", str(c.version), kind, c.text)
    return table


def format_response(view: ResponseView) -> Group:
    """The response of a case: its text, status, versions and comments (pure)."""
    from monitor.queue.responses import status_text

    resp = view.response
    state = label(view.case.state)
    if resp is None:
        hint = "Chưa có phản hồi. Soạn: monitor response {0} draft --kind … --title … --body …"
        return Group(Text(f"Vụ việc #{view.case.id} ({state}). " + hint.format(view.case.id)))
    head = Text()
    head.append(f"Loại: {label(resp.kind)}\n")
    head.append(f"Gửi tới: {resp.outlet_name or '—'}\n")
    head.append(f"Tình trạng: {status_text(resp, view.case.state)}; vụ việc: {state}\n")
    if resp.url:
        head.append(f"Đường dẫn: {resp.url}\n")
    head.append(f"\n{resp.title}\n\n", style="bold")
    head.append(resp.body)
    versions = Table(title="Các bản đã lưu", show_header=True)
    for col in ("Bản", "Thời gian", "Người soạn", "Tiêu đề"):
        versions.add_column(col, overflow="fold")
    for v in view.versions:
        versions.add_row(str(v.version), fmt_datetime(v.at), f"{v.author_name} ({v.author})", v.title)
    parts: list[Panel | Table | Text] = [
        Panel(head, title=f"Phản hồi báo chí — vụ việc #{view.case.id}"),
        versions,
    ]
    if view.comments:
        parts.append(_comments(view.comments))
    if view.allowed:
        parts.append(Text("Bạn có thể: " + ", ".join(label(a) for a in view.allowed)))
    return Group(*parts)


def _user(obj: App, as_user: str | None) -> str:
    user = as_user or obj.settings.user
    if not user:
        raise ConfigError("Cần chỉ rõ người thao tác: --as TÊN hoặc biến môi trường MONITOR_USER.")
    return user


def _body(body: str | None, body_file: Path | None) -> str | None:
    """The body text: --body (or "-" for standard input) or --body-file."""
    if body is not None and body_file is not None:
        raise TransitionError("Chỉ dùng một trong --body và --body-file.")
    if body_file is not None:
        try:
            return body_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TransitionError(f"Không tìm thấy tệp {body_file}.") from None
        except UnicodeDecodeError:
            raise TransitionError(f"Tệp {body_file} phải được lưu với mã UTF-8.") from None
    if body == "-":
        return sys.stdin.read()
    return body


def _when(text: str | None, now: datetime) -> datetime:
    if not text:
        return now
    try:
        return parse_local_date(text)
    except ValueError:
        raise TransitionError(
            f"Thời điểm “{text}” không hợp lệ: dùng dạng HH:MM dd/mm/yyyy, ví dụ 09:30 01/12/2026."
        ) from None


def response(
    ctx: typer.Context,
    case_id: int = typer.Argument(..., help="Số vụ việc."),
    action: str = typer.Argument(
        None, help="draft | submit | approve | return | publish | comment | export (bỏ trống: xem)"
    ),
    kind: str = typer.Option(
        None,
        "--kind",
        help="Loại (draft): press_statement (thông cáo báo chí), correction_request (đề nghị cải chính), "
        "unit_post (bài đăng trên trang của đơn vị).",
    ),
    title: str = typer.Option(None, "--title", help="Tiêu đề (draft)."),
    body: str = typer.Option(None, "--body", help="Nội dung (draft); “-” để đọc từ đầu vào chuẩn."),
    body_file: Path = typer.Option(None, "--body-file", help="Đọc nội dung từ tệp UTF-8 (draft)."),
    outlet: str = typer.Option(
        None, "--outlet", help="Cơ quan báo chí nhận: khóa nguồn tin hoặc tên (draft)."
    ),
    note: str = typer.Option(
        "", "--note", help="Nhận xét: lý do trả lại (return), góp ý (comment), lời nhắn (submit, approve)."
    ),
    channel: str = typer.Option(None, "--channel", help="Kênh đã đăng (publish), ví dụ “Báo Kon Tum”."),
    url: str = typer.Option(None, "--url", help="Đường dẫn bài đã đăng (publish)."),
    at: str = typer.Option(
        None, "--at", help="Thời điểm đăng “HH:MM dd/mm/yyyy” (publish; mặc định: bây giờ)."
    ),
    output: Path = typer.Option(None, "--output", help="Tệp .docx để lưu văn bản (export)."),
    read_version: int = typer.Option(
        None, "--response-version", help="Bản phản hồi bạn đã đọc (approve, return: chống duyệt nhầm bản)."
    ),
    expect_version: int = typer.Option(
        None, "--expect-version", help="Phiên bản vụ việc bạn đã xem (draft)."
    ),
    as_user: str = typer.Option(None, "--as", help="Người thao tác (mặc định MONITOR_USER)."),
) -> None:
    """Phản hồi báo chí của một vụ việc: soạn, gửi duyệt, duyệt hoặc trả lại, đăng, góp ý, tải văn bản."""
    from monitor.queue import response_service as svc
    from monitor.queue.letters import issuer_name
    from monitor.queue.responses import clean_draft, parse_kind
    from monitor.vocab import ResponseKind

    obj: App = ctx.obj
    now = datetime.now(UTC)
    user = _user(obj, as_user)
    with audited(obj, user):
        if action is None:
            print_renderable(format_response(svc.view(obj.db, case_id, user, now)))
            return
        if action not in ACTIONS:
            raise TransitionError(f"Thao tác “{action}” không hợp lệ; chọn một trong: {', '.join(ACTIONS)}.")
        settings = obj.config.queue
        if action == "draft":
            text = _body(body, body_file)
            outlet_key, outlet_name = svc.resolve_outlet(obj.db, outlet)
            if kind is None:
                raise TransitionError("Cần --kind: press_statement, correction_request hoặc unit_post.")
            if parse_kind(kind) is ResponseKind.CORRECTION_REQUEST and title is None and text is None:
                units = tuple(w.name for w in obj.config.watches if w.kind == "unit")
                draft = svc.prefill_correction(
                    obj.db, case_id, issuer_name(obj.config.letters, units), outlet_key
                )
            else:
                if title is None or text is None:
                    raise TransitionError("Cần --title và --body (hoặc --body-file) cho bản thảo.")
                draft = clean_draft(kind, title, text, outlet_key, outlet_name)
            saved = svc.save_draft(obj.db, case_id, user, draft, settings, now, expect_version)
            typer.echo(f"Vụ việc #{case_id}: đã lưu bản {saved.version} của phản hồi “{saved.title}”.")
        elif action == "submit":
            saved = svc.submit(obj.db, case_id, user, settings, now, note)
            typer.echo(f"Vụ việc #{case_id}: đã gửi bản {saved.version} để lãnh đạo duyệt.")
        elif action == "approve":
            saved = svc.approve(obj.db, case_id, user, settings, now, note, read_version)
            typer.echo(f"Vụ việc #{case_id}: đã duyệt bản {saved.version} của phản hồi.")
        elif action == "return":
            saved = svc.return_for_revision(obj.db, case_id, user, note, settings, now, read_version)
            typer.echo(f"Vụ việc #{case_id}: đã trả lại bản {saved.version} để báo cáo viên sửa.")
        elif action == "publish":
            saved = svc.publish(
                obj.db, case_id, user, channel or "", url or "", _when(at, now), settings, now
            )
            typer.echo(f"Vụ việc #{case_id}: đã ghi nhận phản hồi đăng trên {saved.channel} ({saved.url}).")
        elif action == "comment":
            svc.comment(obj.db, case_id, user, note, now)
            typer.echo(f"Vụ việc #{case_id}: đã thêm góp ý.")
        else:
            _export(obj, case_id, user, output, now)


def _export(obj: App, case_id: int, user: str, output: Path | None, now: datetime) -> None:
    from monitor.queue import response_service as svc

    if output is None or output.suffix.lower() != ".docx":
        raise TransitionError("Cần --output TỆP.docx để lưu văn bản phản hồi.")
    doc = svc.document(obj.db, case_id, user, obj.config, now)
    try:
        output.write_bytes(doc.content)
    except OSError as exc:
        raise TransitionError(f"Không ghi được tệp {output}: {exc.strerror}.") from None
    typer.echo(f"Đã lưu văn bản phản hồi của vụ việc #{case_id} vào {output}.")


def register(app: typer.Typer) -> None:
    """Add the `response` command."""
    app.command("response")(response)
