"""Acting on a case: read it, ask the pure transition function, write the change as one conditional UPDATE."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from monitor.config_tables import QueueSettings
from monitor.errors import (
    ClaimConflictError,
    MonitorError,
    NotFoundError,
    PermissionDeniedError,
    StaleVersionError,
    TransitionError,
)
from monitor.queue.priority import deadline
from monitor.queue.workflow import EVENT_ACTIONS, Claim, claim_active, decision_refusal, transition
from monitor.store import cases as store_cases
from monitor.store import corrections as store_corrections
from monitor.store import relations as store_relations
from monitor.store import users as store_users
from monitor.timefmt import fmt_datetime
from monitor.vocab import (
    ACTION_LABELS,
    PRIORITY_LABELS,
    PRIORITY_RANK,
    TONES,
    TOPICS,
    Action,
    Priority,
    Relation,
    Role,
    State,
)

if TYPE_CHECKING:
    from monitor.store.db import Database, Session

# Actions on a case's press response: they go through queue/response_service.py, which records the text.
RESPONSE_ACTIONS = (Action.DRAFT, Action.SUBMIT, Action.APPROVE, Action.RETURN, Action.PUBLISH)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    """What a user asks to do to a case."""

    action: Action
    verdict: State | None = None
    note: str = ""
    evidence: tuple[str, ...] = ()
    wants_response: bool = False
    attachments: tuple[str, ...] = ()  # attached evidence files (names), counted as evidence
    correct_topic: str | None = None
    correct_tone: str | None = None
    wrong_target: bool = False
    url: str | None = None
    priority: Priority | None = None
    expected_version: int | None = None  # the version the user looked at; None = the current one
    details: dict[str, Any] = field(default_factory=dict)  # more facts for the event (response version…)
    assignee: str | None = None  # assign: the collaborator's username
    other_case: int | None = None  # confirm_event / split_event: the case of the other story…
    other_story: int | None = None  # … or the other story itself (a story without a case)


def when(dt: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Vietnam time, or "—"."""
    return fmt_datetime(dt)


def _holder_text(case: store_cases.CaseInfo) -> str:
    return f"{case.holder_name} ({case.holder}), đến {when(case.claim_expires_at)}"


def _check_input(d: Decision) -> None:
    """Refuse incomplete decisions before touching the database."""
    if d.action is Action.VERIFY and d.verdict is None:
        raise TransitionError("Hãy chọn kết luận xác minh (--verdict true|false|partly_true|irrelevant).")
    refusal = decision_refusal(
        d.action,
        d.verdict,
        note=d.note,
        evidence=len(d.evidence) + len(d.attachments),
        wants_response=d.wants_response,
    )
    if refusal:
        raise TransitionError(refusal)
    for url in d.evidence + ((d.url,) if d.url else ()):
        if not url.startswith(("http://", "https://")):
            raise TransitionError(f"Đường dẫn “{url}” không hợp lệ: cần bắt đầu bằng http:// hoặc https://.")
    if (
        d.action is Action.VERIFY
        and d.verdict is State.IRRELEVANT
        and not (d.wrong_target or d.correct_topic or d.correct_tone)
    ):
        raise TransitionError(
            "Kết luận “không liên quan” cần ghi rõ sai ở đâu: --wrong-target, "
            "--correct-topic hoặc --correct-tone."
        )
    if d.correct_topic and d.correct_topic not in TOPICS:
        raise TransitionError(f"Chủ đề “{d.correct_topic}” không có; chọn một trong: {', '.join(TOPICS)}.")
    if d.correct_tone and d.correct_tone not in TONES:
        raise TransitionError(f"Sắc thái “{d.correct_tone}” không có; chọn một trong: {', '.join(TONES)}.")
    if d.action is Action.PUBLISH and not d.url:
        raise TransitionError("Cần --url của bài phản hồi đã đăng.")
    if d.action is Action.SET_PRIORITY and d.priority is None:
        raise TransitionError("Cần --priority critical|high|normal.")
    if d.action is Action.ASSIGN and not d.assignee:
        raise TransitionError("Cần chọn cộng tác viên để giao vụ việc.")
    if d.action is Action.CORRECT and not (d.correct_topic or d.correct_tone or d.wrong_target):
        raise TransitionError("Cần chọn chủ đề hoặc sắc thái đúng.")
    if d.action in EVENT_ACTIONS and d.other_case is None and d.other_story is None:
        raise TransitionError("Cần chỉ rõ vụ việc kia: --with SỐ_VỤ_VIỆC (hoặc --story SỐ_TIN).")


def _other_story(session: Session, case: store_cases.CaseInfo, d: Decision) -> tuple[int, int | None]:
    """The other story of a confirm/split (and its case), refused in Vietnamese when it makes no sense."""
    other_case: int | None
    if d.other_case is not None:
        other = store_cases.get_case(session, d.other_case)
        if other is None:
            raise NotFoundError(f"Không có vụ việc #{d.other_case}.")
        story, other_case = other.story_id, other.id
    else:
        assert d.other_story is not None
        if not store_relations.story_exists(session, d.other_story):
            raise NotFoundError(f"Không có tin #{d.other_story}.")
        found = store_cases.case_of_story(session, d.other_story)
        story, other_case = d.other_story, found.id if found else None
    if story == case.story_id:
        raise TransitionError("Hai vụ việc là một tin; chọn vụ việc khác.")
    return story, other_case


def _values(
    d: Decision,
    case: store_cases.CaseInfo,
    claim: Claim,
    actor_id: int,
    username: str,
    settings: QueueSettings,
    assignee_id: int | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if d.action in (Action.CLAIM, Action.RELEASE, Action.VERIFY):
        mine = claim.holder == username and d.action is Action.CLAIM
        values["claimed_by"] = actor_id if mine else None
        values["claim_expires_at"] = claim.expires_at if mine else None
    if d.action is Action.VERIFY:
        values["verdict"] = d.verdict.value if d.verdict else None
    if d.action is Action.REOPEN:  # the verdict stays in the events; the case waits for a new one
        values.update(verdict=None, claimed_by=None, claim_expires_at=None, closed_at=None)
    if d.action is Action.PUBLISH:
        values["response_url"] = d.url
    if d.action is Action.ASSIGN and assignee_id is not None:
        values["assignee_id"] = assignee_id
    if d.action is Action.UNASSIGN:
        values["assignee_id"] = None
    if d.action is Action.SET_PRIORITY and d.priority is not None:
        values.update(
            priority=d.priority.value,
            priority_rank=PRIORITY_RANK[d.priority],
            priority_locked=True,
            priority_reasons=[f"lãnh đạo đặt mức {PRIORITY_LABELS[d.priority]}"],
            deadline_at=deadline(case.opened_at, d.priority, settings),
        )
    return values


def act(
    db: Database, case_id: int, username: str, d: Decision, settings: QueueSettings, now: datetime
) -> store_cases.CaseInfo:
    """Do `d` to the case as `username`; refused with a Vietnamese WorkflowError; the case afterwards."""
    if d.action in RESPONSE_ACTIONS:
        # a response has a text, versions and comments: queue/response_service.py records them
        raise TransitionError(
            f"Thao tác “{ACTION_LABELS[d.action]}” thuộc phản hồi báo chí: dùng lệnh "
            f"monitor response {case_id} {d.action.value} …"
        )
    with db.write() as session:
        return decide(session, case_id, username, d, settings, now)


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did: the cases changed, and each refused case with its Vietnamese reason."""

    done: tuple[int, ...]
    refused: tuple[tuple[int, str], ...]


def act_many(
    db: Database, case_ids: list[int], username: str, d: Decision, settings: QueueSettings, now: datetime
) -> BulkResult:
    """Do `d` to each case on its own (role, state and version checked per case, one transaction each).

    A case in the wrong state or taken meanwhile is refused and the others go on; a role that may not
    do `d` at all raises PermissionDeniedError before any case changes (the first case already says so).
    """
    done: list[int] = []
    refused: list[tuple[int, str]] = []
    for case_id in case_ids:
        try:
            act(db, case_id, username, d, settings, now)
        except PermissionDeniedError:
            raise
        except MonitorError as exc:  # this case's state, claim or version: the others go on
            refused.append((case_id, exc.message))
        else:
            done.append(case_id)
    return BulkResult(tuple(done), tuple(refused))


def decide(
    session: Session, case_id: int, username: str, d: Decision, settings: QueueSettings, now: datetime
) -> store_cases.CaseInfo:
    """`act` inside the caller's write transaction (the response service adds its own rows to it)."""
    _check_input(d)
    user = store_users.get_user(session, username)
    case = store_cases.get_case(session, case_id)
    if case is None:
        raise NotFoundError(f"Không có vụ việc #{case_id}.")
    if d.expected_version is not None and d.expected_version != case.version:
        raise StaleVersionError(
            f"Vụ việc #{case_id} đã thay đổi (phiên bản {case.version}, bạn xem "
            f"phiên bản {d.expected_version}); hãy xem lại rồi thao tác."
        )
    outcome = transition(
        State(case.state),
        d.action,
        Role(user.role),
        actor=user.username,
        claim=Claim(case.holder, case.claim_expires_at),
        now=now,
        claim_minutes=settings.claim_minutes,
        verdict=d.verdict,
        wants_response=d.wants_response,
        false_needs_response=settings.false_needs_response,
        true_closes=settings.verified_true_closes,
    )
    if not outcome.ok:
        if outcome.forbidden:
            raise PermissionDeniedError(
                outcome.refusal or "Thao tác bị từ chối.",
                action=f"case_{d.action.value}",
                obj=f"case {case_id}",
            )
        if outcome.conflict:
            raise ClaimConflictError(
                f"Vụ việc #{case_id} đang do {_holder_text(case)} giữ; hãy chờ hoặc chọn vụ khác."
            )
        raise TransitionError(outcome.refusal or "Thao tác bị từ chối.")
    assignee_id = _assignee_id(session, d) if d.action is Action.ASSIGN else None
    other: tuple[int, int | None] | None = None
    note = d.note
    if d.action in EVENT_ACTIONS:
        other = _other_story(session, case, d)
        what = f"vụ việc #{other[1]}" if other[1] is not None else f"tin #{other[0]}"
        same = d.action is Action.CONFIRM_EVENT
        note = note or f"{'Cùng' if same else 'Khác'} sự việc với {what}."
    change = store_cases.Change(
        action=d.action.value,
        state=outcome.state.value,
        steps=[(f.value, t.value) for f, t in outcome.steps],
        values=_values(d, case, outcome.claim, user.id, user.username, settings, assignee_id),
        note=note,
        evidence=d.evidence,
        data={
            k: v
            for k, v in {
                "verdict": d.verdict,
                "priority": d.priority,
                "url": d.url,
                "correct_topic": d.correct_topic,
                "correct_tone": d.correct_tone,
                "wrong_target": d.wrong_target or None,
                "attachments": list(d.attachments) or None,
                "assignee": d.assignee,
                "other_story": other[0] if other else None,
                "other_case": other[1] if other else None,
                **d.details,
            }.items()
            if v
        },
    )
    version = store_cases.apply_change(
        session,
        case_id,
        case.version,
        user.id,
        change,
        now,
        guard_claim=outcome.guard_claim,
    )
    if version is None:
        _refuse_lost_race(session, case_id, username, now)
    if other is not None:
        status = Relation.CONFIRMED if d.action is Action.CONFIRM_EVENT else Relation.SPLIT
        store_relations.decide(session, case.story_id, other[0], status.value, user.id, now)
    if d.action in (Action.VERIFY, Action.CORRECT) and (d.wrong_target or d.correct_topic or d.correct_tone):
        store_corrections.record_correction(
            session,
            case_id=case_id,
            story_id=case.story_id,
            actor_id=user.id,
            verdict=str(d.verdict or case.verdict or case.state),
            wrong_target=d.wrong_target,
            topic=d.correct_topic,
            tone=d.correct_tone,
            now=now,
        )
    log.info("case action", extra={"case_id": case_id, "action": d.action.value, "user": username})
    after = store_cases.get_case(session, case_id)
    assert after is not None
    return after


def _assignee_id(session: Session, d: Decision) -> int:
    """The id of the active collaborator a case is assigned to (refused in Vietnamese otherwise)."""
    assignee = store_users.find_user(session, d.assignee or "")
    if assignee is None or not assignee.active:
        raise NotFoundError(f"Không có người dùng “{d.assignee}” đang hoạt động.")
    if assignee.role != Role.COLLABORATOR:
        raise TransitionError(
            f"Chỉ giao vụ việc cho cộng tác viên; “{assignee.name}” không phải cộng tác viên."
        )
    return assignee.id


def _refuse_lost_race(session: Session, case_id: int, username: str, now: datetime) -> None:
    """Our conditional UPDATE matched no row: say who got there first."""
    fresh = store_cases.get_case(session, case_id)
    assert fresh is not None
    if claim_active(fresh.holder, fresh.claim_expires_at, now) and fresh.holder != username:
        raise ClaimConflictError(
            f"Vụ việc #{case_id} vừa được {_holder_text(fresh)} nhận; hãy chờ hoặc chọn vụ khác."
        )
    raise StaleVersionError(
        f"Vụ việc #{case_id} vừa thay đổi (nay ở phiên bản {fresh.version}); hãy xem lại rồi thao tác."
    )
