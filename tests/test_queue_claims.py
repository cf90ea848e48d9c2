"""Claims and decisions against a real database: conflicts, stale versions, expiry, full flow, corrections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from test_queue_support import NOW, PROOF, seed_cases, seed_users

from monitor.config_tables import QueueSettings
from monitor.errors import ClaimConflictError, PermissionDeniedError, StaleVersionError, TransitionError
from monitor.queue import response_service as responses
from monitor.queue.responses import clean_draft
from monitor.queue.service import Decision, act
from monitor.store.cases import case_events, get_case, queue_page
from monitor.store.corrections import labelled_examples
from monitor.store.queue_tables import CaseEventRow, CorrectionRow
from monitor.vocab import Action, Priority, State

SETTINGS = QueueSettings()
CLAIM = Decision(Action.CLAIM)


@pytest.fixture
def case_id(db):
    seed_users(db)
    return seed_cases(db, 1)[0]


def test_second_claim_is_refused_naming_the_holder(db, case_id):
    act(db, case_id, "ctv1", CLAIM, SETTINGS, NOW)
    with pytest.raises(ClaimConflictError) as err:
        act(db, case_id, "ctv2", CLAIM, SETTINGS, NOW + timedelta(minutes=5))
    assert "Nguyễn Văn An (ctv1)" in err.value.message
    assert "10:30 27/11/2026" in err.value.message  # 03:30 UTC shown in Asia/Ho_Chi_Minh
    with pytest.raises(ClaimConflictError):
        act(
            db, case_id, "ctv2", Decision(Action.VERIFY, verdict=State.VERIFIED_FALSE, **PROOF), SETTINGS, NOW
        )


def test_expired_claim_can_be_taken_over_and_renewed(db, case_id):
    act(db, case_id, "ctv1", CLAIM, SETTINGS, NOW)
    later = NOW + timedelta(minutes=31)
    case = act(db, case_id, "ctv2", CLAIM, SETTINGS, later)
    assert case.holder == "ctv2" and case.claim_expires_at == later + timedelta(minutes=30)
    case = act(db, case_id, "ctv2", CLAIM, SETTINGS, later + timedelta(minutes=20))  # renew
    assert case.claim_expires_at == later + timedelta(minutes=50) and case.version == 4


def test_decision_on_a_stale_version_is_refused(db, case_id):
    seen = act(db, case_id, "ctv1", CLAIM, SETTINGS, NOW).version
    act(db, case_id, "ctv1", CLAIM, SETTINGS, NOW + timedelta(minutes=1))  # the case moved on meanwhile
    stale = Decision(Action.VERIFY, verdict=State.VERIFIED_FALSE, expected_version=seen, **PROOF)
    with pytest.raises(StaleVersionError) as err:
        act(db, case_id, "ctv1", stale, SETTINGS, NOW + timedelta(minutes=2))
    assert "phiên bản" in err.value.message


def test_full_flow_writes_one_event_per_step(db, case_id):
    steps = [
        ("ctv1", CLAIM),
        (
            "ctv1",
            Decision(
                Action.VERIFY,
                verdict=State.PARTLY_TRUE,
                note="Có xếp hàng nhưng không quá 2 giờ",
                evidence=("https://congan.kontum.gov.vn/thong-bao",),
            ),
        ),
    ]
    for i, (user, d) in enumerate(steps):
        case = act(db, case_id, user, d, SETTINGS, NOW + timedelta(minutes=i))
    draft = clean_draft("press_statement", "Thông cáo về việc cấp căn cước", "Dự thảo thông cáo")
    responses.save_draft(db, case_id, "bcv", draft, SETTINGS, NOW + timedelta(minutes=2))
    responses.submit(db, case_id, "bcv", SETTINGS, NOW + timedelta(minutes=3))
    responses.approve(db, case_id, "ld", SETTINGS, NOW + timedelta(minutes=4))
    at = NOW + timedelta(minutes=5)
    responses.publish(db, case_id, "bcv", "Báo Kon Tum", "https://baokontum.vn/phan-hoi", at, SETTINGS, at)
    case = act(db, case_id, "bcv", Decision(Action.CLOSE), SETTINGS, NOW + timedelta(minutes=6))
    assert case.state == "closed" and case.verdict == "partly_true" and case.closed_at is not None
    assert case.response_url == "https://baokontum.vn/phan-hoi" and case.holder is None
    with db.read() as s:
        events = case_events(s, case_id)
    assert [(e.from_state, e.to_state) for e in events] == [
        (None, "new"),  # the case was opened (seed_cases goes through open_case)
        ("new", "in_review"),
        ("in_review", "partly_true"),
        ("partly_true", "response_needed"),
        ("response_needed", "response_needed"),  # version 1 of the text saved
        ("response_needed", "response_drafted"),  # sent for approval
        ("response_drafted", "response_approved"),
        ("response_approved", "response_published"),
        ("response_published", "closed"),
    ]
    assert events[2].evidence == ["https://congan.kontum.gov.vn/thong-bao"] and events[2].actor == "ctv1"
    assert [e.version for e in events] == [1, 2, 3, 3, 4, 5, 6, 7, 8]


def test_irrelevant_closes_and_records_a_correction(db, case_id):
    act(db, case_id, "ctv1", CLAIM, SETTINGS, NOW)
    with pytest.raises(TransitionError):  # irrelevant must say what was wrong
        act(db, case_id, "ctv1", Decision(Action.VERIFY, verdict=State.IRRELEVANT), SETTINGS, NOW)
    with pytest.raises(TransitionError, match="trung_tinh"):
        act(
            db,
            case_id,
            "ctv1",
            Decision(Action.VERIFY, verdict=State.IRRELEVANT, correct_tone="binh_thuong"),
            SETTINGS,
            NOW,
        )
    d = Decision(Action.VERIFY, verdict=State.IRRELEVANT, correct_tone="trung_tinh", note="Tin thông báo")
    assert act(db, case_id, "ctv1", d, SETTINGS, NOW).state == "closed"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(CorrectionRow)) == 1
        examples = labelled_examples(s)
    assert examples == [
        {
            "text": "Vụ việc số 0\nNội dung phản ánh.",
            "topic": "dich_vu_cong",
            "tone": "trung_tinh",
            "source": "correction",
        }
    ]


def test_roles_and_leader_priority(db, case_id):
    with pytest.raises(PermissionDeniedError) as err:
        act(db, case_id, "bcv", CLAIM, SETTINGS, NOW)
    assert "báo cáo viên" in err.value.message
    case = act(db, case_id, "ld", Decision(Action.SET_PRIORITY, priority=Priority.CRITICAL), SETTINGS, NOW)
    assert (
        case.priority == "critical" and case.priority_locked and case.deadline_at == NOW + timedelta(hours=2)
    )


def test_queue_filters(db):
    seed_users(db)
    ids = seed_cases(db, 5)
    act(db, ids[2], "ctv1", CLAIM, SETTINGS, NOW)
    act(db, ids[3], "ld", Decision(Action.SET_PRIORITY, priority=Priority.HIGH), SETTINGS, NOW)
    with db.read() as s:
        assert [q.case_id for q in queue_page(s)][:1] == [ids[3]]
        assert [q.case_id for q in queue_page(s, states=["in_review"])] == [ids[2]]
        assert [q.case_id for q in queue_page(s, priorities=["high"])] == [ids[3]]
        mine = queue_page(s, user_id=1)
        assert [q.case_id for q in mine] == [ids[2]] and mine[0].holder == "ctv1"
        assert get_case(s, ids[2]).version == 2
        assert s.scalar(select(func.count()).select_from(CaseEventRow)) == 5 + 2  # 5 opened, 2 actions


def test_admin_releases_someone_elses_active_claim(db, case_id):
    act(db, case_id, "ctv1", CLAIM, SETTINGS, NOW)
    released = act(db, case_id, "qt", Decision(Action.RELEASE), SETTINGS, NOW + timedelta(minutes=1))
    assert released.state == State.NEW.value and released.holder is None
    act(db, case_id, "ctv1", CLAIM, SETTINGS, NOW + timedelta(minutes=2))
    with pytest.raises(ClaimConflictError):  # a collaborator still may not
        act(db, case_id, "ctv2", Decision(Action.RELEASE), SETTINGS, NOW + timedelta(minutes=3))


def test_verdict_needs_the_claim(db, case_id):
    act(db, case_id, "ctv1", CLAIM, SETTINGS, NOW)
    late = NOW + timedelta(minutes=45)  # ctv1's claim expired; ctv2 never claimed
    with pytest.raises(TransitionError, match="nhận vụ việc"):
        act(
            db,
            case_id,
            "ctv2",
            Decision(Action.VERIFY, verdict=State.VERIFIED_FALSE, **PROOF),
            SETTINGS,
            late,
        )


def test_a_resting_verdict_can_still_be_closed_or_answered(db):
    from dataclasses import replace

    seed_users(db)
    settings = replace(SETTINGS, false_needs_response=False)
    first, second = seed_cases(db, 2)
    for case in (first, second):
        act(db, case, "ctv1", CLAIM, settings, NOW)
        rested = act(
            db, case, "ctv1", Decision(Action.VERIFY, verdict=State.VERIFIED_FALSE, **PROOF), settings, NOW
        )
        assert rested.state == State.VERIFIED_FALSE.value
    assert act(db, first, "ld", Decision(Action.CLOSE), settings, NOW).state == State.CLOSED.value
    draft = clean_draft("thông cáo báo chí", "Thông cáo", "Nội dung thông cáo.")
    responses.save_draft(db, second, "bcv", draft, settings, NOW)
    assert responses.submit(db, second, "bcv", settings, NOW).submitted_version == 1
    with db.read() as s:
        assert get_case(s, second).state == State.RESPONSE_DRAFTED.value
