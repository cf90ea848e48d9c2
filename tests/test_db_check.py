"""`monitor db check`: a case record edited behind the log's back, or an event deleted or altered, is found."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from test_queue_support import NOW, PROOF, seed_cases, seed_users
from typer.testing import CliRunner

from monitor.queue.event_check import check_database
from monitor.queue.service import Decision, act
from monitor.queue.settings import QueueSettings
from monitor.store.db import Database
from monitor.vocab import Action, Priority, State


def _history(db: Database) -> list[int]:
    """Three cases with some history: claimed, decided, prioritised."""
    seed_users(db)
    ids = seed_cases(db, 3)
    s = QueueSettings()
    act(db, ids[0], "ctv1", Decision(Action.CLAIM), s, NOW)
    act(db, ids[0], "ctv1", Decision(Action.VERIFY, verdict=State.VERIFIED_FALSE, **PROOF), s, NOW)
    act(db, ids[1], "ctv2", Decision(Action.CLAIM), s, NOW)
    act(db, ids[2], "ld", Decision(Action.SET_PRIORITY, priority=Priority.CRITICAL), s, NOW)
    return ids


def _tamper(db: Database, *statements: str) -> None:
    """An attacker with database access: lifts the append-only triggers, then writes directly."""
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE case_events DISABLE TRIGGER case_events_no_change"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS case_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS case_events_no_delete"))
        for sql in statements:
            conn.execute(text(sql))


def test_an_untouched_database_checks_clean(db: Database) -> None:
    _history(db)
    report = check_database(db)
    assert report.findings == () and report.cases == 3 and report.events >= 7


@pytest.mark.parametrize(
    ("statements", "words"),
    [
        (
            ["UPDATE cases SET state = 'closed' WHERE id = {0}"],
            "trạng thái lưu là “đã đóng” nhưng nhật ký nói",
        ),
        (["UPDATE cases SET priority = 'normal' WHERE id = {2}"], "mức ưu tiên lưu là “bình thường”"),
        (["UPDATE cases SET claimed_by = NULL WHERE id = {1}"], "người giữ"),
        (["UPDATE cases SET version = version + 5 WHERE id = {1}"], "phiên bản"),
        (["UPDATE cases SET verdict = 'verified_true' WHERE id = {0}"], "kết luận lưu là “đúng sự thật”"),
        (["UPDATE case_events SET note = 'Đã sửa' WHERE case_id = {0} AND action = 'verify'"], "chuỗi băm"),
        (
            [
                "DELETE FROM case_events WHERE id = (SELECT MIN(id) FROM case_events WHERE case_id = {0} AND action = 'claim')"
            ],
            "chuỗi băm",
        ),
        (["DELETE FROM case_events WHERE case_id = {2} AND action = 'set_priority'"], "mức ưu tiên"),
        (["DELETE FROM case_events WHERE case_id = {1}"], "không còn sự kiện nào"),
    ],
)
def test_tampering_is_found(db: Database, statements: list[str], words: str) -> None:
    ids = _history(db)
    _tamper(db, *(sql.format(*ids) for sql in statements))
    report = check_database(db)
    assert report.findings, "tampering went unseen"
    assert any(words in f for f in report.findings), report.findings


def test_db_check_from_the_cli(tmp_path, monkeypatch) -> None:
    from monitor.cli import app

    url = f"sqlite:///{tmp_path / 'c.db'}"
    monkeypatch.setenv("MONITOR_DATABASE_URL", url)
    db = Database(url)
    db.migrate()
    ids = _history(db)
    runner = CliRunner()
    clean = runner.invoke(app, ["db", "check"])
    assert clean.exit_code == 0 and "Khớp: 3 vụ việc" in clean.output
    _tamper(db, f"UPDATE cases SET state = 'closed' WHERE id = {ids[0]}")
    db.dispose()
    found = runner.invoke(app, ["db", "check"])
    assert found.exit_code == 1 and f"Vụ việc #{ids[0]}: trạng thái" in found.output
