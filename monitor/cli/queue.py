"""`monitor queue` (triage list) and `monitor case ID [action]` (view a case, claim, verify, respond).

A thin renderer: filters and action words are validated by `monitor.queue.inputs`, the listing and the
case view come from `monitor.queue.views` with every label already in Vietnamese.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from monitor.app import App
from monitor.errors import ConfigError, PermissionDeniedError
from monitor.timefmt import fmt_datetime, fmt_decimal

if TYPE_CHECKING:
    from monitor.queue.views import ArticleView, CaseView, QueuePage

PRIORITY_STYLE = {"critical": "bold red", "high": "yellow"}
MENTIONS_PER_ARTICLE = 5


def when(dt: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time, or "—" (pure)."""
    return fmt_datetime(dt)


def _deadline(deadline_at: datetime, overdue: bool) -> Text:
    return Text(when(deadline_at) + (" (quá hạn)" if overdue else ""), style="bold red" if overdue else "")


def format_queue(page: QueuePage) -> Table:
    """The queue as a rich table; overdue deadlines in red (pure)."""
    table = Table(title=f"Hàng đợi xác minh ({page.total_text} vụ việc)", show_lines=False)
    for col in ("#", "Ưu tiên", "Hạn xử lý", "Tiêu đề", "Số báo", "Sắc thái", "Chủ đề", "Trạng thái"):
        table.add_column(col, overflow="fold")
    table.add_column("Người giữ", overflow="fold")
    for q in page.lines:
        table.add_row(
            str(q.case_id),
            Text(q.priority_label, style=PRIORITY_STYLE.get(q.priority, "")),
            _deadline(q.deadline_at, q.overdue),
            q.title[:90],
            str(q.outlet_count),
            q.tone_label,
            q.topic_label,
            q.state_label,
            q.holder_name or q.holder or "—",
        )
    if page.pages > 1:
        table.caption = f"Trang {page.page}/{page.pages_text}; xem trang sau: --page {page.page + 1}"
    return table


def _highlight(snippet: str, alias: str) -> Text:
    text = Text(snippet)
    text.highlight_words([alias], style="bold reverse", case_sensitive=False)
    return text


def _head(c: CaseView) -> Text:
    head = Text()
    head.append(f"Trạng thái: {c.state_label}   Ưu tiên: ")
    head.append(c.priority_label, style=PRIORITY_STYLE.get(c.priority, ""))
    head.append("   Hạn: ")
    head.append_text(_deadline(c.deadline_at, c.overdue))
    head.append(f"   Phiên bản: {c.version}\n")
    holder = f"{c.holder_name} ({c.holder}) đến {when(c.claim_expires_at)}" if c.holder else "chưa ai nhận"
    head.append(f"Người giữ: {holder}\n")
    head.append(
        f"Đưa tin đầu tiên: {c.first_outlet} lúc {when(c.first_seen_at)}; "
        f"{c.article_count} bài trên {len(c.outlets)} báo, gần nhất {when(c.last_seen_at)}\n"
    )
    if c.targets:
        head.append(f"Nhắc đến: {', '.join(c.targets)}\n")
    head.append(f"Chủ đề: {c.topic_label} ({c.topic_reason or '—'})\n")
    score = fmt_decimal(c.tone_score) if c.tone_score is not None else "—"
    head.append(f"Sắc thái: {c.tone_label} {score} ({c.tone_reason or '—'})")
    if c.verdict_label:
        head.append(f"\nKết luận: {c.verdict_label}")
    if c.response_url:
        head.append(f"\nPhản hồi đã đăng: {c.response_url}")
    return head


def _article(a: ArticleView) -> Text:
    text = Text()
    text.append(f"{when(a.seen_at)} · {a.outlet}\n", style="bold")
    text.append(f"{a.title}\n{a.url}\n")
    for m in a.mentions[:MENTIONS_PER_ARTICLE]:
        text.append(f"  [{m.target_name}] ")
        text.append_text(_highlight(m.snippet, m.alias))
        text.append("\n")
    if len(a.mentions) > MENTIONS_PER_ARTICLE:
        text.append(f"  … và {len(a.mentions) - MENTIONS_PER_ARTICLE} lần nhắc khác\n")
    return text


def format_related(c: CaseView) -> Text:
    """Other stories that may tell the same event, with the commands that confirm or split (pure)."""
    text = Text()
    for r in c.related:
        other = f"vụ việc #{r.case_id}" if r.case_id is not None else f"tin #{r.story_id} (chưa có vụ việc)"
        text.append(f"{r.status_label[:1].upper()}{r.status_label[1:]}: {other} “{r.title}”", style="bold")
        text.append(f" ({r.outlet}, {when(r.seen_at)})")
        if r.score is not None:
            text.append(f" — độ giống {fmt_decimal(r.score)}")
        if r.decided_by:
            text.append(f" — {r.decided_by}, {when(r.decided_at)}")
        text.append("\n")
        ref = f"--with {r.case_id}" if r.case_id is not None else f"--story {r.story_id}"
        if r.open:
            text.append(f"  Xác nhận: monitor case {c.case_id} cùng-sự-việc {ref}")
            text.append(f"   ·   Tách: monitor case {c.case_id} tách {ref}\n")
    return text


def format_case(c: CaseView) -> Group:
    """The case view: story, articles with their highlighted mentions, reasons, history, response (pure)."""
    reasons = Text("\n".join(f"• {r}" for r in c.reasons) or "—")
    articles: list[RenderableType] = [_article(a) for a in c.articles] or [Text("—")]
    history = Table(title="Lịch sử", show_header=True)
    for col in ("Thời gian", "Người", "Thao tác", "Từ", "Sang", "Ghi chú", "Bằng chứng"):
        history.add_column(col, overflow="fold")
    for e in c.history:
        history.add_row(
            when(e.at),
            e.actor or "hệ thống",
            e.action_label,
            e.from_label,
            e.to_label,
            " — ".join(t for t in (e.note, e.detail) if t),
            "\n".join(e.evidence),
        )
    parts: list[RenderableType] = [
        Panel(_head(c), title=f"Vụ việc #{c.case_id}: {c.title}"),
        Panel(reasons, title="Lý do"),
        *([Panel(format_related(c), title="Cùng sự việc?")] if c.related else []),
        Panel(Group(*articles), title="Các bài viết và đoạn nhắc đến"),
        history,
    ]
    if c.response is not None:
        r = c.response
        text = Text(f"{r.kind_label}: {r.title}\nTình trạng: {r.status}")
        if r.url:
            text.append(f"\nĐường dẫn: {r.url}")
        parts.append(Panel(text, title=f"Phản hồi báo chí (xem: monitor response {c.case_id})"))
    return Group(*parts)


def print_renderable(renderable: RenderableType) -> None:
    """Render to the terminal."""
    Console().print(renderable)


@contextmanager
def audited(obj: App, user: str) -> Iterator[None]:
    """A refused action (the acting user may not do it) goes to the audit log, as in the web app, then up."""
    try:
        yield
    except PermissionDeniedError as exc:
        from monitor.accounts.service import Actor, record_refusal

        record_refusal(obj.db, Actor(user, "cli"), exc, datetime.now(UTC))
        raise


def _user(obj: App, as_user: str | None) -> str:
    user = as_user or obj.settings.user
    if not user:
        raise ConfigError("Cần chỉ rõ người thao tác: --as TÊN hoặc biến môi trường MONITOR_USER.")
    return user


def queue(
    ctx: typer.Context,
    status: list[str] = typer.Option(
        None, "--status", help="Trạng thái, ví dụ: mới, đang xác minh (lặp lại được); mặc định: chưa đóng."
    ),
    priority: list[str] = typer.Option(
        None, "--priority", help="khẩn cấp | cao | bình thường (lặp lại được)."
    ),
    topic: list[str] = typer.Option(None, "--topic", help="Chủ đề, ví dụ: ma túy (lặp lại được)."),
    tone: list[str] = typer.Option(None, "--tone", help="tiêu cực | trung tính | tích cực (lặp lại được)."),
    target: list[str] = typer.Option(
        None, "--target", help="Đối tượng theo dõi được nhắc đến (tên hoặc khóa)."
    ),
    outlet: list[str] = typer.Option(None, "--outlet", help="Báo đã đăng (tên hoặc khóa nguồn)."),
    assignee: str = typer.Option(None, "--assignee", help="Chỉ các vụ việc người này đang giữ."),
    mine: bool = typer.Option(False, "--mine", help="Chỉ các vụ việc tôi đang giữ."),
    date_from: str = typer.Option(None, "--from", help="Mở từ ngày (dd/mm/yyyy)."),
    date_to: str = typer.Option(None, "--to", help="Mở đến hết ngày (dd/mm/yyyy)."),
    as_json: bool = typer.Option(False, "--json", help="In JSON thay vì bảng."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Số vụ việc mỗi trang."),
    page: int = typer.Option(1, "--page", min=1, help="Trang thứ mấy."),
    as_user: str = typer.Option(None, "--as", help="Người thao tác (mặc định MONITOR_USER)."),
) -> None:
    """Xem hàng đợi xác minh, khẩn cấp và sắp đến hạn trước."""
    from monitor.queue.inputs import parse_filter
    from monitor.queue.views import lines_as_records, queue_listing

    obj: App = ctx.obj
    f = parse_filter(
        status=status or (),
        priority=priority or (),
        topic=topic or (),
        tone=tone or (),
        target=target or (),
        outlet=outlet or (),
        assignee=assignee,
        mine=mine,
        user=as_user or obj.settings.user,
        date_from=date_from,
        date_to=date_to,
        page=page,
        limit=limit,
        names=obj.names(required=bool(target or outlet)),
    )
    listing = queue_listing(obj.db, f, datetime.now(UTC))
    if as_json:
        typer.echo(json.dumps(lines_as_records(listing), ensure_ascii=False, indent=2))
    else:
        print_renderable(format_queue(listing))


def case(
    ctx: typer.Context,
    case_id: int = typer.Argument(..., help="Số vụ việc."),
    action: str = typer.Argument(
        None,
        help="nhận | trả lại | kết luận | đóng | ưu tiên | giao việc | sửa nhãn | mở lại | cùng sự việc | tách "
        "(hoặc claim, verify, assign, correct, reopen, confirm_event, split_event…); phản hồi: monitor response",
    ),
    verdict: str = typer.Option(
        None, "--verdict", help="đúng | sai | một phần | không liên quan (hoặc true, false…)"
    ),
    note: str = typer.Option("", "--note", help="Ghi chú (lý do, nội dung đã kiểm tra)."),
    evidence: list[str] = typer.Option(None, "--evidence", help="Đường dẫn bằng chứng (lặp lại được)."),
    correct_topic: str = typer.Option(None, "--correct-topic", help="Chủ đề đúng (khi máy phân loại sai)."),
    correct_tone: str = typer.Option(
        None, "--correct-tone", help="Sắc thái đúng: tiêu cực | trung tính | tích cực."
    ),
    wrong_target: bool = typer.Option(False, "--wrong-target", help="Bài không nói về đơn vị/địa phương."),
    respond: bool = typer.Option(False, "--respond", help="Vẫn cần phản hồi dù thông tin đúng sự thật."),
    set_priority: str = typer.Option(
        None, "--priority", help="Mức ưu tiên mới (ưu tiên): khẩn cấp | cao | bình thường."
    ),
    expect_version: int = typer.Option(None, "--expect-version", help="Phiên bản bạn đã xem (chống ghi đè)."),
    assignee: str = typer.Option(None, "--assignee", help="Cộng tác viên được giao vụ việc (giao việc)."),
    with_case: int = typer.Option(
        None, "--with", help="Vụ việc kia khi xác nhận cùng sự việc hoặc tách (cùng sự việc | tách)."
    ),
    with_story: int = typer.Option(None, "--story", help="Tin kia (khi tin đó chưa có vụ việc)."),
    as_user: str = typer.Option(None, "--as", help="Người thao tác (mặc định MONITOR_USER)."),
) -> None:
    """Xem một vụ việc, hoặc thao tác: nhận, trả, kết luận, đặt ưu tiên, đóng, mở lại, cùng sự việc, tách."""
    from monitor.queue.inputs import parse_decision
    from monitor.queue.service import act
    from monitor.queue.views import case_view
    from monitor.vocab import label

    obj: App = ctx.obj
    now = datetime.now(UTC)
    if action is None:
        print_renderable(format_case(case_view(obj.db, case_id, now, obj.names())))
        return
    decision = parse_decision(
        action,
        verdict=verdict,
        note=note,
        evidence=evidence or (),
        correct_topic=correct_topic,
        correct_tone=correct_tone,
        wrong_target=wrong_target,
        respond=respond,
        priority=set_priority,
        expect_version=expect_version,
        assignee=assignee,
        other_case=with_case,
        other_story=with_story,
    )
    user = _user(obj, as_user)
    with audited(obj, user):
        done = act(obj.db, case_id, user, decision, obj.config.queue, now)
    typer.echo(f"Vụ việc #{case_id}: {label(done.state)} (phiên bản {done.version}).")


def register(app: typer.Typer) -> None:
    """Add the `queue` and `case` commands."""
    app.command("queue")(queue)
    app.command("case")(case)
