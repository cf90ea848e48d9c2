"""`monitor status`: one screen — the daemon, failing sources, digests, alerts, overdue cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import typer
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from monitor.app import App
from monitor.timefmt import fmt_datetime
from monitor.vocab import label

if TYPE_CHECKING:
    from monitor.digest.status import StatusReport

STUCK_AFTER = timedelta(minutes=10)  # a `sending` row older than this was interrupted, not in progress
DIGEST_WORDS = {"sent": "đã gửi", "failed": "thất bại", "retry": "chờ thử lại", "sending": "đang gửi"}
ALERT_WORDS = {
    "pending": "chờ gửi",
    "sending": "đang gửi",
    "sent": "đã gửi",
    "retry": "chờ thử lại",
    "failed": "thất bại",
}


def _ago(now: datetime, then: datetime | None) -> str:
    return fmt_datetime(then) if then else "—"


def format_status(r: StatusReport) -> Group:
    """The status screen as rich renderables (pure)."""
    parts: list[object] = []
    if r.daemon_alive and r.lease:
        daemon = Text(
            f"Bộ lập lịch: đang chạy ({r.lease.holder}), giữ quyền đến {fmt_datetime(r.lease.expires_at)}"
        )
    else:
        daemon = Text("Bộ lập lịch: KHÔNG chạy (khởi động bằng: monitor run)", style="bold red")
    parts.append(daemon)
    parts.append(
        Text(
            f"Lượt thu thập gần nhất: {_ago(r.now, r.last_pass_at)} · lượt tới: {_ago(r.now, r.next_pass_at)}"
        )
    )

    if r.failing:
        t = Table(title=f"Nguồn đang lỗi ({len(r.failing)})", title_justify="left")
        for col in ("Nguồn", "Lỗi liên tiếp", "Lỗi gần nhất", "Thử lại lúc"):
            t.add_column(col)
        for f in r.failing:
            t.add_row(
                f.name,
                str(f.failures),
                " ".join((f.last_error or "—").split())[:80],
                fmt_datetime(f.next_fetch_at),
            )
        parts.append(t)
    else:
        parts.append(Text("Nguồn tin: không có nguồn nào đang lỗi."))

    t = Table(title="Bản tin hằng ngày (lần gần nhất của mỗi người nhận)", title_justify="left")
    for col in ("Người nhận", "Ngày bản tin", "Tình trạng", "Lúc", "Ghi chú"):
        t.add_column(col)
    for addr in sorted(set(r.recipients) | set(r.digests)):
        e = r.digests.get(addr)
        if e is None:
            t.add_row(addr, "—", "chưa gửi lần nào", "—", "")
            continue
        state = DIGEST_WORDS.get(e.state, e.state)
        note = e.error or ""
        style = ""
        if e.state == "sending" and r.now - e.updated_at > STUCK_AFTER:
            state, style = "bị gián đoạn", "bold red"
            note = f"kiểm tra nhật ký máy chủ thư với Message-ID {e.message_id}, rồi monitor digest --send --force nếu thư chưa đi"
        elif e.state == "failed":
            style = "bold red"
        elif e.state == "retry":
            note = f"thử lại lúc {fmt_datetime(e.next_attempt_at)}: {e.error or ''}"
        t.add_row(
            addr,
            f"{e.digest_date:%d/%m/%Y}",
            Text(state, style=style),
            fmt_datetime(e.sent_at or e.updated_at),
            note,
        )
    parts.append(
        t
        if (r.recipients or r.digests)
        else Text("Bản tin: chưa cấu hình người nhận ([[digest.recipient]]).")
    )

    counts = ", ".join(f"{ALERT_WORDS.get(k, k)} {n}" for k, n in sorted(r.alert_counts.items())) or "chưa có"
    parts.append(Text(f"Cảnh báo: {counts}"))
    if r.alert_problems:
        t = Table(title="Cảnh báo cần xem", title_justify="left")
        for col in ("Vụ việc", "Sự kiện", "Người nhận", "Tình trạng", "Lỗi"):
            t.add_column(col)
        for a in r.alert_problems:
            t.add_row(f"#{a.case_id}", a.event, a.recipient, ALERT_WORDS.get(a.state, a.state), a.error or "")
        parts.append(t)

    if r.overdue_total:
        t = Table(title=f"Vụ việc quá hạn ({r.overdue_total})", title_justify="left", title_style="bold red")
        for col in ("Vụ việc", "Ưu tiên", "Hạn", "Tin"):
            t.add_column(col)
        for c in r.overdue:
            t.add_row(
                f"#{c.case_id}",
                label(c.priority),
                fmt_datetime(c.deadline_at),
                " ".join(c.title.split())[:70],
            )
        parts.append(t)
    else:
        parts.append(Text("Vụ việc: không có vụ việc quá hạn."))
    return Group(*parts)  # type: ignore[arg-type]


def status(ctx: typer.Context) -> None:
    """Tình trạng hệ thống trên một màn hình: bộ lập lịch, nguồn lỗi, bản tin, cảnh báo, vụ việc quá hạn."""
    from monitor.digest.status import status_report

    obj: App = ctx.obj
    report = status_report(obj.db, obj.config, datetime.now(UTC))
    Console().print(format_status(report))


def register(app: typer.Typer) -> None:
    """Add the `status` command."""
    app.command("status")(status)
