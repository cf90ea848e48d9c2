"""Case states, actions, roles and the one pure transition function of the verification workflow.

DESIGN.md "Verification workflow":
    new → in_review (claimed) → verified_true | verified_false | partly_true | irrelevant
    response_needed → response_drafted → response_approved → response_published → closed
A leader may return a drafted (or approved, not yet published) response with a comment:
    response_drafted | response_approved → response_returned → (redraft, submit) → response_drafted
Saving a version of the response text (`draft`) keeps the state (a resting verdict moves on to
response_needed); sending it for approval (`submit`) is the step into response_drafted.
A verdict is recorded as its own step, then followed automatically: verified_false and partly_true go on
to response_needed (configurable), irrelevant closes, verified_true closes unless a response is asked for.
A verdict is never edited: a reporter or leader reopens it (a new event, with a reason) and the case goes
back to `new` for a collaborator to verify again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.vocab import ACTION_LABELS, OPEN_STATES, ROLE_LABELS, STATE_LABELS, VERDICTS, Action, Role, State

CLAIM_ACTIONS = (Action.CLAIM, Action.RELEASE, Action.VERIFY)  # guarded by the claim as well as the version

# Verdict states a case may rest in (when the settings send it neither to a response nor to closed).
_RESTING_VERDICTS = (State.VERIFIED_TRUE, State.VERIFIED_FALSE, State.PARTLY_TRUE)

# action → (states it may start from, roles allowed besides admin, state it leads to or None = stays/verdict)
_RULES: dict[Action, tuple[tuple[State, ...], tuple[Role, ...], State | None]] = {
    Action.CLAIM: ((State.NEW, State.IN_REVIEW), (Role.COLLABORATOR,), State.IN_REVIEW),
    Action.RELEASE: ((State.IN_REVIEW,), (Role.COLLABORATOR,), State.NEW),
    Action.VERIFY: ((State.IN_REVIEW,), (Role.COLLABORATOR,), None),
    # A verdict that rests (settings) can still get a response: drafting passes through response_needed.
    Action.DRAFT: (
        (State.RESPONSE_NEEDED, State.RESPONSE_RETURNED, *_RESTING_VERDICTS),
        (Role.REPORTER,),
        None,
    ),
    Action.SUBMIT: (
        (State.RESPONSE_NEEDED, State.RESPONSE_RETURNED),
        (Role.REPORTER,),
        State.RESPONSE_DRAFTED,
    ),
    Action.APPROVE: ((State.RESPONSE_DRAFTED,), (Role.LEADER,), State.RESPONSE_APPROVED),
    Action.RETURN: (
        (State.RESPONSE_DRAFTED, State.RESPONSE_APPROVED),
        (Role.LEADER,),
        State.RESPONSE_RETURNED,
    ),
    Action.PUBLISH: ((State.RESPONSE_APPROVED,), (Role.REPORTER,), State.RESPONSE_PUBLISHED),
    Action.CLOSE: (
        (State.RESPONSE_PUBLISHED, *_RESTING_VERDICTS),
        (Role.REPORTER, Role.LEADER),
        State.CLOSED,
    ),
    Action.SET_PRIORITY: (OPEN_STATES, (Role.LEADER,), None),
    # every state a verdict leads to (a case reaches closed only through a verdict)
    Action.REOPEN: (
        tuple(s for s in State if s not in (State.NEW, State.IN_REVIEW)),
        (Role.REPORTER, Role.LEADER),
        State.NEW,
    ),
    # A leader gives an open case to a collaborator (who still claims it to work on it).
    Action.ASSIGN: (OPEN_STATES, (Role.LEADER,), None),
    # ... and takes it back (an admin does it for every case of a collaborator being disabled).
    Action.UNASSIGN: (OPEN_STATES, (Role.LEADER,), None),
    # Correcting the models' topic/tone (training data) is a one-click action on any case.
    Action.CORRECT: (tuple(State), (Role.COLLABORATOR, Role.LEADER), None),
    # Saying whether another story tells the same event (queue.events): any state, the case stays put.
    Action.CONFIRM_EVENT: (tuple(State), (Role.COLLABORATOR, Role.LEADER), None),
    Action.SPLIT_EVENT: (tuple(State), (Role.COLLABORATOR, Role.LEADER), None),
}

EVENT_ACTIONS = (Action.CONFIRM_EVENT, Action.SPLIT_EVENT)

# Verdicts that lead to a press response: they must say why and show it.
_RESPONSE_VERDICTS = (State.VERIFIED_FALSE, State.PARTLY_TRUE)


def decision_refusal(
    action: Action, verdict: State | None, *, note: str, evidence: int, wants_response: bool = False
) -> str | None:
    """Why a decision is incomplete (Vietnamese), or None; `evidence` counts links and attached files.

    A verdict that leads to a response (false, partly true, or any verdict sent to a response) needs a
    note and at least one piece of evidence; reopening a verdict needs a reason.
    """
    if action is Action.REOPEN and not note.strip():
        return "Mở lại kết luận cần lý do: --note “…”."
    if action is not Action.VERIFY or verdict is None:
        return None
    if verdict in _RESPONSE_VERDICTS or (wants_response and verdict is State.VERIFIED_TRUE):
        missing = [
            w
            for w, ok in (("ghi chú (--note)", note.strip()), ("bằng chứng (--evidence)", evidence))
            if not ok
        ]
        if missing:
            return (
                f"Kết luận “{STATE_LABELS[verdict]}” dẫn đến phản hồi báo chí nên cần "
                f"{' và '.join(missing)}: ít nhất một đường dẫn hoặc tệp đính kèm."
            )
    return None


def claim_active(holder: object | None, expires_at: datetime | None, now: datetime) -> bool:
    """The only definition of "someone holds this case right now" (the store's SQL form is
    `store.cases.claim_free_or_mine`; tests/test_queue_views.py checks the two agree)."""
    return holder is not None and expires_at is not None and expires_at >= now


def is_overdue(deadline_at: datetime, state: str, now: datetime) -> bool:
    """The only definition of "overdue": past its deadline and not closed."""
    return deadline_at < now and state != State.CLOSED


def overrides_claim(action: Action, role: Role) -> bool:
    """The admin-release exception: an admin may release anyone's claim (the version still guards)."""
    return action is Action.RELEASE and role is Role.ADMIN


@dataclass(frozen=True)
class Claim:
    """Who holds a case and until when (None when nobody does)."""

    holder: str | None = None
    expires_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Whether someone holds the case right now."""
        return claim_active(self.holder, self.expires_at, now)


@dataclass(frozen=True)
class Outcome:
    """The result of asking for a transition: refused with a reason, or the steps to record."""

    ok: bool
    state: State
    steps: tuple[tuple[State, State], ...] = ()  # one event per step (a verdict is followed automatically)
    claim: Claim = field(default_factory=Claim)
    verdict: State | None = None
    refusal: str | None = None  # Vietnamese, shown to the user
    conflict: bool = False  # refused because another user holds the claim
    forbidden: bool = False  # refused because the role may never do this (a permission refusal)
    guard_claim: bool = False  # the write must also check that the claim is still free or the actor's


def _refuse(
    state: State, claim: Claim, message: str, *, conflict: bool = False, forbidden: bool = False
) -> Outcome:
    return Outcome(
        ok=False, state=state, claim=claim, refusal=message, conflict=conflict, forbidden=forbidden
    )


def _after_verdict(
    verdict: State, wants_response: bool, false_needs_response: bool, true_closes: bool
) -> State | None:
    """The state a verdict leads on to (None: the verdict state is where the case rests)."""
    if verdict is State.IRRELEVANT:
        return State.CLOSED
    if verdict in (State.VERIFIED_FALSE, State.PARTLY_TRUE):
        return State.RESPONSE_NEEDED if (false_needs_response or wants_response) else None
    if wants_response:
        return State.RESPONSE_NEEDED
    return State.CLOSED if true_closes else None


def transition(
    state: State,
    action: Action,
    role: Role,
    *,
    actor: str,
    claim: Claim,
    now: datetime,
    claim_minutes: float = 30,
    verdict: State | None = None,
    wants_response: bool = False,
    false_needs_response: bool = True,
    true_closes: bool = True,
) -> Outcome:
    """Decide whether `actor` (with `role`) may do `action` on a case in `state`, and what follows."""
    starts, roles, target = _RULES[action]
    if role is not Role.ADMIN and role not in roles:
        return _refuse(
            state, claim, f"Vai trò {ROLE_LABELS[role]} không được {ACTION_LABELS[action]}.", forbidden=True
        )
    if state not in starts:
        return _refuse(
            state,
            claim,
            f"Không thể {ACTION_LABELS[action]} khi vụ việc đang ở trạng thái “{STATE_LABELS[state]}”.",
        )
    held_by_other = claim.active(now) and claim.holder != actor
    guard_claim = action in CLAIM_ACTIONS and not overrides_claim(action, role)
    if guard_claim and held_by_other:
        return _refuse(
            state, claim, f"Vụ việc đang do {claim.holder} giữ; hãy chờ hoặc chọn vụ khác.", conflict=True
        )
    if (
        action is Action.VERIFY
        and role is not Role.ADMIN
        and not (claim.active(now) and claim.holder == actor)
    ):
        # DESIGN: in_review is "claimed by a collaborator"; a verdict comes from the one who holds the case.
        return _refuse(state, claim, "Hãy nhận vụ việc (claim) trước khi kết luận xác minh.")
    if action is Action.CLAIM:
        new_claim = Claim(actor, now + timedelta(minutes=claim_minutes))
        # renewing or taking over an expired claim stays in review, but is still an event
        steps: tuple[tuple[State, State], ...] = ((state, State.IN_REVIEW),)
        return Outcome(ok=True, state=State.IN_REVIEW, steps=steps, claim=new_claim, guard_claim=True)
    if action is Action.VERIFY:
        if verdict not in VERDICTS:
            return _refuse(state, claim, "Kết luận phải là một trong: true, false, partly_true, irrelevant.")
        steps = ((state, verdict),)
        follow = _after_verdict(verdict, wants_response, false_needs_response, true_closes)
        if follow is not None:
            steps += ((verdict, follow),)
        return Outcome(
            ok=True, state=follow or verdict, steps=steps, verdict=verdict, guard_claim=guard_claim
        )
    if action in (Action.SET_PRIORITY, Action.ASSIGN, Action.UNASSIGN, Action.CORRECT, *EVENT_ACTIONS):
        return Outcome(ok=True, state=state, steps=((state, state),), claim=claim)
    if action is Action.DRAFT:
        # a new version of the text: one event; a resting verdict now needs its response
        follow = State.RESPONSE_NEEDED if state in _RESTING_VERDICTS else state
        return Outcome(ok=True, state=follow, steps=((state, follow),), claim=claim)
    assert target is not None
    kept = claim if action not in (Action.RELEASE, Action.REOPEN) else Claim()
    return Outcome(ok=True, state=target, steps=((state, target),), claim=kept, guard_claim=guard_claim)
