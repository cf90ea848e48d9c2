"""Verdicts that lead to a response carry a note and evidence; a verdict is reopened, never edited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from test_queue_support import NOW, PROOF, seed_cases, seed_users
from typer.testing import CliRunner

from monitor.config_tables import QueueSettings
from monitor.errors import PermissionDeniedError, TransitionError
from monitor.queue.service import Decision, act
from monitor.queue.workflow import Claim, decision_refusal, transition
from monitor.store.cases import case_events, get_case
from monitor.store.queue_tables import CaseEventRow
from monitor.vocab import ACTION_LABELS, Action, Role, State, label, parse

A, S, R = Action, State, Role
LINK = 1


@pytest.mark.parametrize(
    ("action", "verdict", "note", "evidence", "wants", "words"),
    [
        (A.VERIFY, S.VERIFIED_FALSE, "", 0, False, "ghi chú (--note) và bằng chứng (--evidence)"),
        (A.VERIFY, S.VERIFIED_FALSE, "Đã gọi Phòng CSGT", 0, False, "bằng chứng"),
        (A.VERIFY, S.VERIFIED_FALSE, "   ", LINK, False, "ghi chú"),
        (A.VERIFY, S.PARTLY_TRUE, "", LINK, False, "ghi chú"),
        (A.VERIFY, S.VERIFIED_TRUE, "", 0, True, "ghi chú"),  # true, but sent to a response
        (A.VERIFY, S.VERIFIED_FALSE, "Đã gọi Phòng CSGT", LINK, False, None),
        (A.VERIFY, S.PARTLY_TRUE, "Có xếp hàng nhưng không quá 2 giờ", 2, False, None),
        (A.VERIFY, S.VERIFIED_TRUE, "", 0, False, None),
        (A.VERIFY, S.IRRELEVANT, "", 0, False, None),
        (A.REOPEN, None, "", 0, False, "lý do"),
        (A.REOPEN, None, "Báo đã đính chính, cần xác minh lại", 0, False, None),
        (A.CLAIM, None, "", 0, False, None),
    ],
)
def test_decision_refusal(action, verdict, note, evidence, wants, words):
    got = decision_refusal(action, verdict, note=note, evidence=evidence, wants_response=wants)
    assert (got is None) == (words is None)
    if words:
        assert words in got


@pytest.mark.parametrize(
    ("state", "role", "ok"),
    [
        (S.VERIFIED_FALSE, R.REPORTER, True),
        (S.RESPONSE_NEEDED, R.LEADER, True),
        (S.CLOSED, R.LEADER, True),
        (S.PARTLY_TRUE, R.ADMIN, True),
        (S.VERIFIED_FALSE, R.COLLABORATOR, False),
        (S.NEW, R.LEADER, False),
        (S.IN_REVIEW, R.LEADER, False),
    ],
)
def test_reopen_table(state, role, ok):
    out = transition(state, A.REOPEN, role, actor="ld", claim=Claim(), now=NOW)
    assert out.ok is ok
    if ok:
        assert out.state is S.NEW and out.steps == ((state, S.NEW),)


def test_reopen_has_its_vietnamese_word():
    assert label(A.REOPEN) == ACTION_LABELS[A.REOPEN] == "mở lại kết luận"
    assert parse(Action, "mo lai ket luan") is A.REOPEN


def test_a_false_verdict_without_evidence_is_refused_and_nothing_is_written(db):
    seed_users(db)
    [case_id] = seed_cases(db, 1)
    act(db, case_id, "ctv1", Decision(A.CLAIM), QueueSettings(), NOW)
    with pytest.raises(TransitionError, match="bằng chứng"):
        act(
            db,
            case_id,
            "ctv1",
            Decision(A.VERIFY, verdict=S.VERIFIED_FALSE, note="Sai"),
            QueueSettings(),
            NOW,
        )
    with db.read() as s:
        assert get_case(s, case_id).state == "in_review"


def test_a_verdict_is_reopened_as_a_new_event_and_verified_again(db):
    seed_users(db)
    [case_id] = seed_cases(db, 1)
    settings = QueueSettings()
    act(db, case_id, "ctv1", Decision(A.CLAIM), settings, NOW)
    act(db, case_id, "ctv1", Decision(A.VERIFY, verdict=S.VERIFIED_FALSE, **PROOF), settings, NOW)
    with db.read() as s:
        before = [(e.action, e.to_state, e.note) for e in case_events(s, case_id)]
    with pytest.raises(TransitionError, match="lý do"):
        act(db, case_id, "ld", Decision(A.REOPEN), settings, NOW)
    with pytest.raises(PermissionDeniedError, match="cộng tác viên"):
        act(db, case_id, "ctv1", Decision(A.REOPEN, note="Tôi muốn sửa"), settings, NOW)
    reopened = act(
        db, case_id, "ld", Decision(A.REOPEN, note="Báo đã đính chính, cần xác minh lại"), settings, NOW
    )
    assert (reopened.state, reopened.verdict, reopened.holder) == ("new", None, None)
    with db.read() as s:
        after = [(e.action, e.to_state, e.note) for e in case_events(s, case_id)]
    assert after[: len(before)] == before  # history kept as it was
    assert after[len(before) :] == [("reopen", "new", "Báo đã đính chính, cần xác minh lại")]
    act(db, case_id, "ctv2", Decision(A.CLAIM), settings, NOW)
    again = act(db, case_id, "ctv2", Decision(A.VERIFY, verdict=S.VERIFIED_TRUE), settings, NOW)
    assert again.state == "closed"


def test_reopen_from_the_cli(tmp_path, monkeypatch):
    from monitor.cli import app
    from monitor.store.db import Database

    url = f"sqlite:///{tmp_path / 'r.db'}"
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    monkeypatch.delenv("MONITOR_USER", raising=False)
    db = Database(url)
    db.migrate()
    seed_users(db)
    [case_id] = seed_cases(db, 1)
    act(db, case_id, "ctv1", Decision(A.CLAIM), QueueSettings(), NOW)
    act(db, case_id, "ctv1", Decision(A.VERIFY, verdict=S.PARTLY_TRUE, **PROOF), QueueSettings(), NOW)
    db.dispose()
    run = CliRunner().invoke
    refused = run(app, ["case", str(case_id), "reopen", "--as", "bcv"])
    assert refused.exit_code != 0 and "lý do" in refused.exception.message
    done = run(app, ["case", str(case_id), "reopen", "--note", "Có tình tiết mới", "--as", "bcv"])
    assert done.exit_code == 0 and "mới" in done.output
    db = Database(url)
    with db.read() as s:
        assert (
            s.scalar(select(func.count()).select_from(CaseEventRow).where(CaseEventRow.action == "reopen"))
            == 1
        )
        assert s.execute(text("select verdict from cases")).scalar() is None
    db.dispose()
