"""Verdicts and corrections become labelled examples for `monitor train`."""

from __future__ import annotations

from datetime import timedelta

from test_queue_support import NOW, PROOF, seed_cases, seed_users

from monitor.queue.service import Decision, act
from monitor.queue.settings import QueueSettings
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
