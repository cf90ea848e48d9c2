"""Who is told what, and when (pure): recent events in, alerts and ready batches out.

Four events raise an alert (DESIGN.md "Alerts"): a case opens (or is raised) at critical priority, a case
passes its deadline, a case is given to someone by another person, a drafted response waits for a leader.
Each alert says why in one Vietnamese sentence. Exactly once per (case, event key, recipient) is the
outbox's unique key; this module only says what is owed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from monitor.config import AlertSettings, is_address
from monitor.store.alert_facts import CaseSignal, EventSignal, Person
from monitor.timefmt import LOCAL_TZ, fmt_datetime
from monitor.vocab import label

WEBHOOK = "webhook"  # the recipient name of the webhook's rows in the outbox
EVENT_ACTIONS = ("open", "priority", "claim", "assign", "draft", "submit")


@dataclass(frozen=True)
class Trigger:
    """One event that owes alerts, before recipients are known."""

    case_id: int
    event: str  # critical | overdue | assigned | approval
    event_key: str  # what makes it new: "critical", "overdue", "assigned:ctv1", "approval:v5"
    reason: str
    urgent: bool
    assignee: str | None  # username of the case's holder (or the person it was given to)


@dataclass(frozen=True)
class Alert:
    """One alert owed to one recipient (a row of the outbox)."""

    case_id: int
    event: str
    event_key: str
    recipient: str  # e-mail address, or WEBHOOK
    recipient_name: str
    urgent: bool
    reason: str
    title: str


def triggers(
    events: Sequence[EventSignal], overdue_ids: Sequence[int], cases: dict[int, CaseSignal]
) -> list[Trigger]:
    """Every alert-worthy event among recent events and newly overdue cases."""
    out: list[Trigger] = []
    for e in events:
        c = cases.get(e.case_id)
        if c is None or c.state == "closed":
            continue
        if e.action in ("open", "priority") and e.data.get("priority") == "critical":
            out.append(
                Trigger(
                    c.case_id,
                    "critical",
                    "critical",
                    f"Vụ việc #{c.case_id} có mức ưu tiên khẩn cấp, phải xử lý trước {fmt_datetime(c.deadline_at)}.",
                    True,
                    c.holder,
                )
            )
        elif e.action in ("claim", "assign"):
            # a claim is self-service (nobody to tell); a leader's `assign` names the collaborator
            who = str(e.data.get("assignee") or "")
            if who and who != e.actor:
                out.append(
                    Trigger(
                        c.case_id,
                        "assigned",
                        f"assigned:{who}:v{e.version}",
                        f"Vụ việc #{c.case_id} vừa được giao cho {who} xử lý, "
                        f"hạn {fmt_datetime(c.deadline_at)}.",
                        c.priority == "critical",
                        who,
                    )
                )
        elif e.to_state == "response_drafted" and c.state == "response_drafted":  # submitted for approval
            out.append(
                Trigger(
                    c.case_id,
                    "approval",
                    f"approval:v{e.version}",
                    f"Phản hồi của vụ việc #{c.case_id} đã soạn xong và đang chờ lãnh đạo duyệt.",
                    c.priority == "critical",
                    c.holder,
                )
            )
    for case_id in overdue_ids:
        c = cases.get(case_id)
        if c is None:
            continue
        out.append(
            Trigger(
                c.case_id,
                "overdue",
                "overdue",
                f"Vụ việc #{c.case_id} đã quá hạn xử lý từ {fmt_datetime(c.deadline_at)} "
                f"(đang ở trạng thái “{label(c.state)}”).",
                c.priority == "critical",
                c.holder,
            )
        )
    return out


def recipients(trigger: Trigger, who: Sequence[str], people: Sequence[Person]) -> list[tuple[str, str]]:
    """(address, name) of everyone `who` names for this trigger: roles, "assignee", literal addresses."""
    out: dict[str, str] = {}
    for entry in who:
        if entry == "assignee":
            for p in people:
                if p.username == trigger.assignee and p.email:
                    out.setdefault(p.email.lower(), p.name)
        elif is_address(entry):
            out.setdefault(entry.lower(), "")
        else:
            for p in people:
                if p.role == entry and p.email:
                    out.setdefault(p.email.lower(), p.name)
    return sorted(out.items())


def alerts_for(
    found: Sequence[Trigger], cases: dict[int, CaseSignal], people: Sequence[Person], settings: AlertSettings
) -> list[Alert]:
    """The alerts owed for these triggers: one per recipient (and one for the webhook, if configured)."""
    out: list[Alert] = []
    for t in found:
        title = " ".join(cases[t.case_id].title.split())
        pairs = recipients(t, getattr(settings, t.event), people)
        if settings.webhook_url:
            pairs.append((WEBHOOK, ""))
        out.extend(
            Alert(t.case_id, t.event, t.event_key, addr, name, t.urgent, t.reason, title)
            for addr, name in pairs
        )
    return out


def _hhmm(text: str) -> time:
    h, m = (int(x) for x in text.split(":"))
    return time(h, m)


def in_quiet_hours(now: datetime, settings: AlertSettings) -> bool:
    """Whether `now` (Vietnam time) falls in [quiet_start, quiet_end), which may span midnight."""
    if not settings.quiet_start or not settings.quiet_end:
        return False
    t = now.astimezone(LOCAL_TZ).time()
    start, end = _hhmm(settings.quiet_start), _hhmm(settings.quiet_end)
    return start <= t < end if start <= end else (t >= start or t < end)


@dataclass(frozen=True)
class Waiting:
    """An alert in the outbox as batching sees it."""

    id: int
    recipient: str
    urgent: bool
    created_at: datetime


def ready_batches(waiting: Sequence[Waiting], now: datetime, settings: AlertSettings) -> list[list[int]]:
    """Ids to send together, one batch per recipient.

    A recipient's alerts go out once the oldest has waited `group_minutes` (so several events arriving
    together make one mail). In quiet hours only urgent ones go; the others wait for morning.
    """
    quiet = in_quiet_hours(now, settings)
    window = timedelta(minutes=settings.group_minutes)
    by_recipient: dict[str, list[Waiting]] = defaultdict(list)
    for w in waiting:
        if quiet and not w.urgent:
            continue
        by_recipient[w.recipient].append(w)
    batches = []
    for recipient in sorted(by_recipient):
        group = by_recipient[recipient]
        if min(w.created_at for w in group) + window <= now:
            batches.append(sorted(w.id for w in group))
    return batches
