"""`monitor queue` (triage list) and `monitor case ID [action]` (view a case, claim, verify, respond)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from monitor.cli.context import AppContext
from monitor.errors import ConfigError, TransitionError
from monitor.timefmt import LOCAL_TZ, fmt_datetime

if TYPE_CHECKING:
    from monitor.queue.settings import QueueSettings
    from monitor.store.cases import CaseInfo, EventInfo, QueueItem
    from monitor.store.stories import StoryDetail

PRIORITY = {"critical": ("khẩn cấp", "bold red"), "high": ("cao", "yellow"), "normal": ("bình thường", "")}
TONES = {"tieu_cuc": "tiêu cực", "trung_tinh": "trung tính", "tich_cuc": "tích cực"}
STATES = {
    "new": "mới",
    "in_review": "đang xác minh",
    "verified_true": "đúng sự thật",
    "verified_false": "sai sự thật",
    "partly_true": "đúng một phần",
    "irrelevant": "không liên quan",
    "response_needed": "cần phản hồi",
    "response_drafted": "đã soạn phản hồi",
    "response_approved": "đã duyệt phản hồi",
    "response_published": "đã đăng phản hồi",
    "closed": "đã đóng",
}
VERDICTS = {
    "true": "verified_true",
    "false": "verified_false",
    "partly_true": "partly_true",
    "irrelevant": "irrelevant",
}
ACTIONS = {
    "claim": "claim",
    "release": "release",
    "verify": "verify",
    "draft": "draft",
    "approve": "approve",
    "publish": "publish",
    "close": "close",
    "priority": "set_priority",
    "reopen": "reopen",
}


def when(dt: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time, or "—" (pure)."""
    return fmt_datetime(dt)


def format_queue(items: Sequence[QueueItem], now: datetime) -> Table:
    """The queue as a rich table; overdue deadlines in red (pure)."""
    table = Table(title=f"Hàng đợi xác minh ({len(items)} vụ việc)", show_lines=False)
    for col in (
        "#",
        "Ưu tiên",
        "Hạn xử lý",
        "Tiêu đề",
        "Số báo",
        "Sắc thái",
        "Chủ đề",
        "Trạng thái",
        "Người giữ",
    ):
        table.add_column(col, overflow="fold")
    for q in items:
        label, style = PRIORITY.get(q.priority, (q.priority, ""))
        overdue = q.deadline_at < now and q.state != "closed"
        holder = q.holder if q.holder and q.claim_expires_at and q.claim_expires_at >= now else "—"
        table.add_row(
            str(q.case_id),
            Text(label, style=style),
            Text(
                when(q.deadline_at) + (" (quá hạn)" if overdue else ""), style="bold red" if overdue else ""
            ),
            q.title[:90],
            str(q.outlet_count),
            TONES.get(q.tone or "", q.tone or "—"),
            q.topic or "—",
            STATES.get(q.state, q.state),
            holder,
        )
    return table


def queue_json(items: Sequence[QueueItem], now: datetime) -> list[dict[str, Any]]:
    """The queue as plain records for --json (pure)."""
    return [
        {
            "case_id": q.case_id,
            "priority": q.priority,
            "deadline_at": q.deadline_at.astimezone(LOCAL_TZ).isoformat(),
            "overdue": q.deadline_at < now and q.state != "closed",
            "title": q.title,
            "outlet_count": q.outlet_count,
            "tone": q.tone,
            "topic": q.topic,
            "status": q.state,
            "assignee": q.holder,
        }
        for q in items
    ]


def _highlight(snippet: str, alias: str) -> Text:
    text = Text(snippet)
    text.highlight_words([alias], style="bold reverse", case_sensitive=False)
    return text


def format_case(case: CaseInfo, story: StoryDetail, events: Sequence[EventInfo], now: datetime) -> Group:
    """The case view: story, articles, highlighted mentions, reasons, history (pure)."""
    label, style = PRIORITY.get(case.priority, (case.priority, ""))
    overdue = case.deadline_at < now and case.state != "closed"
    head = Text()
    head.append(f"Trạng thái: {STATES.get(case.state, case.state)}   Ưu tiên: ")
    head.append(label, style=style)
    head.append("   Hạn: ")
    head.append(
        when(case.deadline_at) + (" (quá hạn)" if overdue else ""), style="bold red" if overdue else ""
    )
    head.append(f"   Phiên bản: {case.version}\n")
    holder = (
        f"{case.holder_name} ({case.holder}) đến {when(case.claim_expires_at)}"
        if case.holder and case.claim_expires_at and case.claim_expires_at >= now
        else "chưa ai nhận"
    )
    head.append(f"Người giữ: {holder}\n")
    head.append(
        f"Đưa tin đầu tiên: {story.first_source} lúc {when(story.first_seen_at)}; "
        f"{story.article_count} bài trên {len(story.outlets)} báo, gần nhất {when(story.last_seen_at)}\n"
    )
    head.append(f"Chủ đề: {story.topic or '—'} ({story.topic_reason or '—'})\n")
    score = f"{story.tone_score:.2f}" if story.tone_score is not None else "—"
    head.append(f"Sắc thái: {TONES.get(story.tone or '', '—')} {score} ({story.tone_reason or '—'})")
    if case.verdict:
        head.append(f"\nKết luận: {STATES.get(case.verdict, case.verdict)}")
    reasons = Text("\n".join(f"• {r}" for r in [*story.flag_reasons, *case.priority_reasons]) or "—")
    articles = Table(title="Các bài viết", show_header=True)
    for col in ("Thời gian", "Báo", "Tiêu đề", "Đường dẫn"):
        articles.add_column(col, overflow="fold")
    for a in story.articles:
        articles.add_row(when(a.seen_at), a.source, a.title, a.url)
    mentions = Text()
    for m in story.mentions[:20]:
        mentions.append(f"[{m.target}] ")
        mentions.append_text(_highlight(m.snippet, m.alias))
        mentions.append("\n")
    history = Table(title="Lịch sử", show_header=True)
    for col in ("Thời gian", "Người", "Thao tác", "Từ", "Sang", "Ghi chú", "Bằng chứng"):
        history.add_column(col, overflow="fold")
    for e in events:
        history.add_row(
            when(e.at),
            e.actor or "hệ thống",
            e.action,
            STATES.get(e.from_state or "", "—"),
            STATES.get(e.to_state, e.to_state),
            e.note,
            "\n".join(e.evidence),
        )
    return Group(
        Panel(head, title=f"Vụ việc #{case.id}: {story.title}"),
        Panel(reasons, title="Lý do"),
        articles,
        Panel(mentions or Text("—"), title="Nhắc đến"),
        history,
    )


def print_renderable(renderable: Any) -> None:
    """Render to the terminal."""
    Console().print(renderable)


def _settings(obj: AppContext) -> QueueSettings:
    try:
        return obj.config.queue
    except ImportError:  # config loader not there yet: defaults
        from monitor.queue.settings import QueueSettings

        return QueueSettings()


def _user(obj: AppContext, as_user: str | None) -> str:
    user = as_user or obj.settings.user
    if not user:
        raise ConfigError("Cần chỉ rõ người thao tác: --as TÊN hoặc biến môi trường MONITOR_USER.")
    return user


def queue(
    ctx: typer.Context,
    status: list[str] = typer.Option(
        None, "--status", help="Trạng thái (lặp lại được); mặc định: mọi vụ chưa đóng."
    ),
    priority: list[str] = typer.Option(None, "--priority", help="critical | high | normal (lặp lại được)."),
    mine: bool = typer.Option(False, "--mine", help="Chỉ các vụ việc tôi đang giữ."),
    as_json: bool = typer.Option(False, "--json", help="In JSON thay vì bảng."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Số vụ việc mỗi trang."),
    page: int = typer.Option(1, "--page", min=1, help="Trang thứ mấy."),
    as_user: str = typer.Option(None, "--as", help="Người thao tác (mặc định MONITOR_USER)."),
) -> None:
    """Xem hàng đợi xác minh, khẩn cấp và sắp đến hạn trước."""
    from monitor.store.cases import OPEN, queue_page
    from monitor.store.users import get_user

    bad = [x for x in status or [] if x not in STATES and x != "open"] + [
        x for x in priority or [] if x not in PRIORITY
    ]
    if bad:
        raise TransitionError(
            f"Giá trị lọc không hợp lệ: {', '.join(bad)}. Trạng thái: open, "
            f"{', '.join(STATES)}; ưu tiên: {', '.join(PRIORITY)}."
        )
    obj: AppContext = ctx.obj
    now = datetime.now(UTC)
    with obj.db.read() as session:
        user_id = get_user(session, _user(obj, as_user)).id if mine else None
        items = queue_page(
            session,
            states=status or [OPEN],
            priorities=priority or [],
            user_id=user_id,
            limit=limit,
            offset=(page - 1) * limit,
        )
    if as_json:
        typer.echo(json.dumps(queue_json(items, now), ensure_ascii=False, indent=2))
    else:
        print_renderable(format_queue(items, now))


def case(
    ctx: typer.Context,
    case_id: int = typer.Argument(..., help="Số vụ việc."),
    action: str = typer.Argument(
        None, help="claim | release | verify | draft | approve | publish | close | priority | reopen"
    ),
    verdict: str = typer.Option(None, "--verdict", help="true | false | partly_true | irrelevant"),
    note: str = typer.Option("", "--note", help="Ghi chú (lý do, nội dung đã kiểm tra)."),
    evidence: list[str] = typer.Option(None, "--evidence", help="Đường dẫn bằng chứng (lặp lại được)."),
    correct_topic: str = typer.Option(None, "--correct-topic", help="Chủ đề đúng (khi máy phân loại sai)."),
    correct_tone: str = typer.Option(
        None, "--correct-tone", help="Sắc thái đúng: tieu_cuc | trung_tinh | tich_cuc."
    ),
    wrong_target: bool = typer.Option(False, "--wrong-target", help="Bài không nói về đơn vị/địa phương."),
    respond: bool = typer.Option(False, "--respond", help="Vẫn cần phản hồi dù thông tin đúng sự thật."),
    url: str = typer.Option(None, "--url", help="Đường dẫn bài phản hồi đã đăng (publish)."),
    set_priority: str = typer.Option(
        None, "--priority", help="Mức ưu tiên mới (priority): critical|high|normal."
    ),
    expect_version: int = typer.Option(None, "--expect-version", help="Phiên bản bạn đã xem (chống ghi đè)."),
    as_user: str = typer.Option(None, "--as", help="Người thao tác (mặc định MONITOR_USER)."),
) -> None:
    """Xem một vụ việc, hoặc thao tác: nhận, trả, kết luận, soạn, duyệt, đăng phản hồi, đóng, mở lại."""
    from monitor.store.cases import case_events, get_case
    from monitor.store.stories import story_detail

    obj: AppContext = ctx.obj
    now = datetime.now(UTC)
    if action is not None:
        from monitor.queue.service import Decision, act
        from monitor.vocab import Action, Priority, State

        if action not in ACTIONS or (verdict is not None and verdict not in VERDICTS):
            raise TransitionError(f"Thao tác “{action}” hoặc kết luận “{verdict}” không hợp lệ.")
        if set_priority is not None and set_priority not in PRIORITY:
            raise TransitionError("Mức ưu tiên phải là critical, high hoặc normal.")
        decision = Decision(
            Action(ACTIONS[action]),
            verdict=State(VERDICTS[verdict]) if verdict else None,
            note=note,
            evidence=tuple(evidence or ()),
            wants_response=respond,
            correct_topic=correct_topic,
            correct_tone=correct_tone,
            wrong_target=wrong_target,
            url=url,
            priority=Priority(set_priority) if set_priority else None,
            expected_version=expect_version,
        )
        done = act(obj.db, case_id, _user(obj, as_user), decision, _settings(obj), now)
        typer.echo(f"Vụ việc #{case_id}: {STATES.get(done.state, done.state)} (phiên bản {done.version}).")
        return
    from monitor.errors import NotFoundError

    with obj.db.read() as session:
        info = get_case(session, case_id)
        if info is None:
            raise NotFoundError(f"Không có vụ việc #{case_id}.")
        story = story_detail(session, info.story_id)
        events = case_events(session, case_id)
    assert story is not None
    print_renderable(format_case(info, story, events, now))


def register(app: typer.Typer) -> None:
    """Add the `queue` and `case` commands."""
    app.command("queue")(queue)
    app.command("case")(case)
