"""Verdicts and corrections become labelled examples for `monitor train`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from test_queue_support import NOW, PROOF, seed_cases, seed_users

from monitor.config_tables import QueueSettings
from monitor.queue.service import Decision, act
from monitor.store.corrections import labelled_examples
from monitor.vocab import Action, State

SETTINGS = QueueSettings()


def _decide(db, case_id, verdict, **kw):
    kw = {**PROOF, **kw}
    act(db, case_id, "ctv1", Decision(Action.CLAIM), SETTINGS, NOW)
    act(
        db,
        case_id,
        "ctv1",
        Decision(Action.VERIFY, verdict=verdict, **kw),
        SETTINGS,
        NOW + timedelta(minutes=1),
    )


def test_examples_from_verdicts_and_corrections(db):
    seed_users(db)
    ids = seed_cases(db, 5)
    _decide(db, ids[0], State.VERIFIED_FALSE)  # confirms the model's labels
    _decide(db, ids[1], State.IRRELEVANT, wrong_target=True)  # matcher's problem: no topic/tone example
    _decide(db, ids[2], State.IRRELEVANT, correct_topic="giao_thong", correct_tone="trung_tinh")
    _decide(db, ids[3], State.PARTLY_TRUE, correct_tone="tich_cuc")  # a verdict with a tone correction
    with db.read() as s:
        examples = labelled_examples(s)
    assert [(e["text"].split("\n")[0], e["topic"], e["tone"], e["source"]) for e in examples] == [
        ("Vụ việc số 0", "dich_vu_cong", "tieu_cuc", "verdict"),
        ("Vụ việc số 2", "giao_thong", "trung_tinh", "correction"),
        ("Vụ việc số 3", "dich_vu_cong", "tich_cuc", "correction"),
    ]


def test_one_click_corrections_each_keep_their_label_and_all_stay_in_the_history(db):
    from monitor.queue.views import case_view
    from monitor.store.cases import case_events
    from monitor.store.queue_tables import CorrectionRow

    seed_users(db)
    [case_id] = seed_cases(db, 1)
    _decide(db, case_id, State.VERIFIED_FALSE)
    correct = [
        ("ctv1", {"correct_topic": "giao_thong"}),  # the topic…
        ("ld", {"correct_tone": "tich_cuc"}),  # …then the tone, by someone else: both count
        ("ctv1", {"correct_tone": "trung_tinh"}),  # the tone again: the last one wins
    ]
    for i, (who, fix) in enumerate(correct):
        act(db, case_id, who, Decision(Action.CORRECT, **fix), SETTINGS, NOW + timedelta(minutes=2 + i))
    with db.read() as s:
        [example] = labelled_examples(s)
        stored = s.execute(select(CorrectionRow.topic, CorrectionRow.tone).order_by(CorrectionRow.id)).all()
        events = [e for e in case_events(s, case_id) if e.action == "correct"]
    assert (example["topic"], example["tone"], example["source"]) == (
        "giao_thong",
        "trung_tinh",
        "correction",
    )
    assert stored == [("giao_thong", None), (None, "tich_cuc"), (None, "trung_tinh")]  # every one kept
    assert [(e.actor, e.data) for e in events] == [
        ("ctv1", {"correct_topic": "giao_thong"}),
        ("ld", {"correct_tone": "tich_cuc"}),
        ("ctv1", {"correct_tone": "trung_tinh"}),
    ]
    history = case_view(db, case_id, NOW + timedelta(minutes=9)).history
    assert [e.detail for e in history if e.action == "correct"] == [
        "chủ đề → Giao thông",
        "sắc thái → tích cực",
        "sắc thái → trung tính",
    ]
