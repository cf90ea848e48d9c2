"""The pure transition function, table-driven: every allowed move and the refusals that matter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.queue.workflow import Claim, transition
from monitor.vocab import Action, Role, State

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
FREE = Claim()
MINE = Claim("ctv1", NOW + timedelta(minutes=10))
OTHERS = Claim("ctv2", NOW + timedelta(minutes=10))
EXPIRED = Claim("ctv2", NOW - timedelta(minutes=1))

S, A, R = State, Action, Role

# (state, action, role, claim, verdict, wants_response) → (final state, steps)
ALLOWED = [
    (S.NEW, A.CLAIM, R.COLLABORATOR, FREE, None, False, S.IN_REVIEW, [(S.NEW, S.IN_REVIEW)]),
    (S.IN_REVIEW, A.CLAIM, R.COLLABORATOR, MINE, None, False, S.IN_REVIEW, [(S.IN_REVIEW, S.IN_REVIEW)]),
    (S.IN_REVIEW, A.CLAIM, R.COLLABORATOR, EXPIRED, None, False, S.IN_REVIEW, [(S.IN_REVIEW, S.IN_REVIEW)]),
    (S.NEW, A.CLAIM, R.ADMIN, FREE, None, False, S.IN_REVIEW, [(S.NEW, S.IN_REVIEW)]),
    (S.IN_REVIEW, A.RELEASE, R.COLLABORATOR, MINE, None, False, S.NEW, [(S.IN_REVIEW, S.NEW)]),
    (S.IN_REVIEW, A.RELEASE, R.ADMIN, OTHERS, None, False, S.NEW, [(S.IN_REVIEW, S.NEW)]),
    (
        S.IN_REVIEW,
        A.VERIFY,
        R.COLLABORATOR,
        MINE,
        S.VERIFIED_FALSE,
        False,
        S.RESPONSE_NEEDED,
        [(S.IN_REVIEW, S.VERIFIED_FALSE), (S.VERIFIED_FALSE, S.RESPONSE_NEEDED)],
    ),
    (
        S.IN_REVIEW,
        A.VERIFY,
        R.COLLABORATOR,
        MINE,
        S.PARTLY_TRUE,
        False,
        S.RESPONSE_NEEDED,
        [(S.IN_REVIEW, S.PARTLY_TRUE), (S.PARTLY_TRUE, S.RESPONSE_NEEDED)],
    ),
    (
        S.IN_REVIEW,
        A.VERIFY,
        R.COLLABORATOR,
        MINE,
        S.IRRELEVANT,
        False,
        S.CLOSED,
        [(S.IN_REVIEW, S.IRRELEVANT), (S.IRRELEVANT, S.CLOSED)],
    ),
    (
        S.IN_REVIEW,
        A.VERIFY,
        R.COLLABORATOR,
        MINE,
        S.VERIFIED_TRUE,
        False,
        S.CLOSED,
        [(S.IN_REVIEW, S.VERIFIED_TRUE), (S.VERIFIED_TRUE, S.CLOSED)],
    ),
    (
        S.IN_REVIEW,
        A.VERIFY,
        R.COLLABORATOR,
        MINE,
        S.VERIFIED_TRUE,
        True,
        S.RESPONSE_NEEDED,
        [(S.IN_REVIEW, S.VERIFIED_TRUE), (S.VERIFIED_TRUE, S.RESPONSE_NEEDED)],
    ),
    (
        S.IN_REVIEW,
        A.VERIFY,
        R.ADMIN,
        FREE,
        S.VERIFIED_FALSE,
        False,
        S.RESPONSE_NEEDED,
        [(S.IN_REVIEW, S.VERIFIED_FALSE), (S.VERIFIED_FALSE, S.RESPONSE_NEEDED)],
    ),
    # a verdict left resting (settings) can still be answered or closed
    (
        S.VERIFIED_FALSE,
        A.DRAFT,
        R.REPORTER,
        FREE,
        None,
        False,
        S.RESPONSE_NEEDED,
        [(S.VERIFIED_FALSE, S.RESPONSE_NEEDED)],
    ),
    (
        S.VERIFIED_TRUE,
        A.DRAFT,
        R.REPORTER,
        FREE,
        None,
        False,
        S.RESPONSE_NEEDED,
        [(S.VERIFIED_TRUE, S.RESPONSE_NEEDED)],
    ),
    (S.PARTLY_TRUE, A.CLOSE, R.LEADER, FREE, None, False, S.CLOSED, [(S.PARTLY_TRUE, S.CLOSED)]),
    # press responses: save versions, send for approval, return with a comment, redraft, approve
    (
        S.RESPONSE_NEEDED,
        A.DRAFT,
        R.REPORTER,
        FREE,
        None,
        False,
        S.RESPONSE_NEEDED,
        [(S.RESPONSE_NEEDED,) * 2],
    ),
    (
        S.RESPONSE_NEEDED,
        A.SUBMIT,
        R.REPORTER,
        FREE,
        None,
        False,
        S.RESPONSE_DRAFTED,
        [(S.RESPONSE_NEEDED, S.RESPONSE_DRAFTED)],
    ),
    (
        S.RESPONSE_DRAFTED,
        A.RETURN,
        R.LEADER,
        FREE,
        None,
        False,
        S.RESPONSE_RETURNED,
        [(S.RESPONSE_DRAFTED, S.RESPONSE_RETURNED)],
    ),
    (
        S.RESPONSE_APPROVED,
        A.RETURN,
        R.LEADER,
        FREE,
        None,
        False,
        S.RESPONSE_RETURNED,
        [(S.RESPONSE_APPROVED, S.RESPONSE_RETURNED)],
    ),
    (
        S.RESPONSE_RETURNED,
        A.DRAFT,
        R.REPORTER,
        FREE,
        None,
        False,
        S.RESPONSE_RETURNED,
        [(S.RESPONSE_RETURNED, S.RESPONSE_RETURNED)],
    ),
    (
        S.RESPONSE_RETURNED,
        A.SUBMIT,
        R.REPORTER,
        FREE,
        None,
        False,
        S.RESPONSE_DRAFTED,
        [(S.RESPONSE_RETURNED, S.RESPONSE_DRAFTED)],
    ),
    (
        S.RESPONSE_RETURNED,
        A.SUBMIT,
        R.ADMIN,
        FREE,
        None,
        False,
        S.RESPONSE_DRAFTED,
        [(S.RESPONSE_RETURNED, S.RESPONSE_DRAFTED)],
    ),
    (
        S.RESPONSE_DRAFTED,
        A.APPROVE,
        R.LEADER,
        FREE,
        None,
        False,
        S.RESPONSE_APPROVED,
        [(S.RESPONSE_DRAFTED, S.RESPONSE_APPROVED)],
    ),
    (
        S.RESPONSE_APPROVED,
        A.PUBLISH,
        R.REPORTER,
        FREE,
        None,
        False,
        S.RESPONSE_PUBLISHED,
        [(S.RESPONSE_APPROVED, S.RESPONSE_PUBLISHED)],
    ),
    (
        S.RESPONSE_PUBLISHED,
        A.CLOSE,
        R.REPORTER,
        FREE,
        None,
        False,
        S.CLOSED,
        [(S.RESPONSE_PUBLISHED, S.CLOSED)],
    ),
    (
        S.RESPONSE_PUBLISHED,
        A.CLOSE,
        R.LEADER,
        FREE,
        None,
        False,
        S.CLOSED,
        [(S.RESPONSE_PUBLISHED, S.CLOSED)],
    ),
    (S.VERIFIED_TRUE, A.CLOSE, R.LEADER, FREE, None, False, S.CLOSED, [(S.VERIFIED_TRUE, S.CLOSED)]),
    (S.IN_REVIEW, A.SET_PRIORITY, R.LEADER, OTHERS, None, False, S.IN_REVIEW, [(S.IN_REVIEW, S.IN_REVIEW)]),
    (
        S.RESPONSE_DRAFTED,
        A.APPROVE,
        R.ADMIN,
        FREE,
        None,
        False,
        S.RESPONSE_APPROVED,
        [(S.RESPONSE_DRAFTED, S.RESPONSE_APPROVED)],
    ),
]


@pytest.mark.parametrize(("state", "action", "role", "claim", "verdict", "wants", "final", "steps"), ALLOWED)
def test_allowed(state, action, role, claim, verdict, wants, final, steps):
    out = transition(
        state, action, role, actor="ctv1", claim=claim, now=NOW, verdict=verdict, wants_response=wants
    )
    assert out.ok, out.refusal
    assert out.state is final
    assert list(out.steps) == steps


# (state, action, role, claim, verdict, words the Vietnamese refusal must contain, conflict?)
REFUSED = [
    (S.NEW, A.CLAIM, R.REPORTER, FREE, None, "báo cáo viên", False),
    (S.NEW, A.CLAIM, R.LEADER, FREE, None, "lãnh đạo", False),
    (S.IN_REVIEW, A.CLAIM, R.COLLABORATOR, OTHERS, None, "ctv2", True),
    (S.IN_REVIEW, A.VERIFY, R.COLLABORATOR, OTHERS, S.VERIFIED_FALSE, "ctv2", True),
    (S.IN_REVIEW, A.RELEASE, R.COLLABORATOR, OTHERS, None, "ctv2", True),
    (S.NEW, A.VERIFY, R.COLLABORATOR, FREE, S.VERIFIED_FALSE, "mới", False),
    # a verdict comes from whoever holds the case: an expired or absent claim must be taken first
    (S.IN_REVIEW, A.VERIFY, R.COLLABORATOR, EXPIRED, S.VERIFIED_FALSE, "nhận vụ việc", False),
    (S.IN_REVIEW, A.VERIFY, R.COLLABORATOR, FREE, S.VERIFIED_FALSE, "nhận vụ việc", False),
    (S.IN_REVIEW, A.VERIFY, R.COLLABORATOR, MINE, None, "Kết luận", False),
    (S.IN_REVIEW, A.VERIFY, R.COLLABORATOR, MINE, S.CLOSED, "Kết luận", False),
    (S.RESPONSE_NEEDED, A.APPROVE, R.LEADER, FREE, None, "cần phản hồi", False),
    (S.RESPONSE_DRAFTED, A.APPROVE, R.REPORTER, FREE, None, "báo cáo viên", False),
    (S.RESPONSE_DRAFTED, A.PUBLISH, R.REPORTER, FREE, None, "đã soạn phản hồi", False),
    (S.RESPONSE_NEEDED, A.DRAFT, R.COLLABORATOR, FREE, None, "cộng tác viên", False),
    (S.RESPONSE_DRAFTED, A.DRAFT, R.REPORTER, FREE, None, "đã soạn phản hồi", False),  # wait for a verdict
    (S.RESPONSE_APPROVED, A.DRAFT, R.REPORTER, FREE, None, "đã duyệt phản hồi", False),
    (S.RESPONSE_DRAFTED, A.SUBMIT, R.REPORTER, FREE, None, "đã soạn phản hồi", False),
    (S.VERIFIED_FALSE, A.SUBMIT, R.REPORTER, FREE, None, "sai sự thật", False),  # draft first
    (S.RESPONSE_NEEDED, A.SUBMIT, R.LEADER, FREE, None, "lãnh đạo", False),
    (S.RESPONSE_DRAFTED, A.RETURN, R.REPORTER, FREE, None, "báo cáo viên", False),
    (S.RESPONSE_NEEDED, A.RETURN, R.LEADER, FREE, None, "cần phản hồi", False),
    (S.RESPONSE_PUBLISHED, A.RETURN, R.LEADER, FREE, None, "đã đăng phản hồi", False),
    (S.RESPONSE_RETURNED, A.APPROVE, R.LEADER, FREE, None, "phản hồi bị trả lại", False),
    (S.RESPONSE_RETURNED, A.PUBLISH, R.REPORTER, FREE, None, "phản hồi bị trả lại", False),
    (S.RESPONSE_APPROVED, A.PUBLISH, R.LEADER, FREE, None, "lãnh đạo", False),
    (S.CLOSED, A.CLAIM, R.COLLABORATOR, FREE, None, "đã đóng", False),
    (S.CLOSED, A.SET_PRIORITY, R.LEADER, FREE, None, "đã đóng", False),
    (S.NEW, A.CLOSE, R.LEADER, FREE, None, "mới", False),
    (S.IN_REVIEW, A.SET_PRIORITY, R.COLLABORATOR, MINE, None, "cộng tác viên", False),
]


@pytest.mark.parametrize(("state", "action", "role", "claim", "verdict", "words", "conflict"), REFUSED)
def test_refused(state, action, role, claim, verdict, words, conflict):
    out = transition(state, action, role, actor="ctv1", claim=claim, now=NOW, verdict=verdict)
    assert not out.ok and out.state is state and not out.steps
    assert words in (out.refusal or "")
    assert out.conflict is conflict


# (state, action, role, claim, forbidden?): a role that may never do it is a permission refusal (audited,
# 403 in the web app); a wrong state or a taken claim is a workflow refusal.
FORBIDDEN = [
    (S.NEW, A.CLAIM, R.REPORTER, FREE, True),
    (S.RESPONSE_DRAFTED, A.APPROVE, R.REPORTER, FREE, True),
    (S.RESPONSE_DRAFTED, A.RETURN, R.REPORTER, FREE, True),
    (S.RESPONSE_APPROVED, A.PUBLISH, R.LEADER, FREE, True),
    (S.RESPONSE_NEEDED, A.DRAFT, R.COLLABORATOR, FREE, True),
    (S.RESPONSE_NEEDED, A.SUBMIT, R.LEADER, FREE, True),
    (S.IN_REVIEW, A.SET_PRIORITY, R.COLLABORATOR, MINE, True),
    (S.RESPONSE_NEEDED, A.APPROVE, R.LEADER, FREE, False),  # the right role, the wrong state
    (S.IN_REVIEW, A.CLAIM, R.COLLABORATOR, OTHERS, False),  # taken
    (S.CLOSED, A.CLAIM, R.COLLABORATOR, FREE, False),
]


@pytest.mark.parametrize(("state", "action", "role", "claim", "forbidden"), FORBIDDEN)
def test_a_role_refusal_is_marked_forbidden(state, action, role, claim, forbidden):
    out = transition(state, action, role, actor="ctv1", claim=claim, now=NOW)
    assert not out.ok and out.forbidden is forbidden


def test_claim_sets_holder_and_expiry():
    out = transition(S.NEW, A.CLAIM, R.COLLABORATOR, actor="ctv1", claim=FREE, now=NOW, claim_minutes=30)
    assert out.claim == Claim("ctv1", NOW + timedelta(minutes=30))


@pytest.mark.parametrize(
    ("false_needs", "true_closes", "verdict", "final"),
    [
        (False, True, S.VERIFIED_FALSE, S.VERIFIED_FALSE),
        (True, False, S.VERIFIED_TRUE, S.VERIFIED_TRUE),
        (False, False, S.PARTLY_TRUE, S.PARTLY_TRUE),
    ],
)
def test_verdict_follow_up_is_configurable(false_needs, true_closes, verdict, final):
    out = transition(
        S.IN_REVIEW,
        A.VERIFY,
        R.COLLABORATOR,
        actor="ctv1",
        claim=MINE,
        now=NOW,
        verdict=verdict,
        false_needs_response=false_needs,
        true_closes=true_closes,
    )
    assert out.state is final and out.steps == ((S.IN_REVIEW, verdict),)
