"""Under real concurrency: one claim wins per case, a kill -9 mid-transition leaves no half-change,
and the event log cannot be edited (database triggers), on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from test_queue_support import NOW, seed_cases, seed_users

from monitor.config_tables import QueueSettings
from monitor.errors import WorkflowError
from monitor.queue.service import Decision, act
from monitor.store.cases import get_case
from monitor.store.db import Database
from monitor.store.queue_tables import CaseEventRow
from monitor.store.users import add_user
from monitor.vocab import Action

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 6
CASES = 40


def _claimer(url: str, username: str, case_ids: list[int], barrier, out) -> None:
    """Child process: claim every case as `username`; report the ids won."""
    db = Database(url)
    barrier.wait()
    won = []
    for case_id in case_ids:
        try:
            act(db, case_id, username, Decision(Action.CLAIM), QueueSettings(), NOW)
            won.append(case_id)
        except WorkflowError:
            pass
    db.dispose()
    out.put((username, won))


def test_processes_claiming_at_once_exactly_one_wins(db):
    with db.write() as s:
        for i in range(PROCESSES):
            add_user(s, f"ctv{i}", "collaborator", f"Cộng tác viên {i}", NOW)
    ids = seed_cases(db, CASES)
    db.dispose()
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [
        ctx.Process(target=_claimer, args=(db.url, f"ctv{i}", ids, barrier, out)) for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    winners = [case_id for won in results.values() for case_id in won]
    assert sorted(winners) == sorted(ids)  # every case claimed, none twice
    with db.read() as s:
        claims = s.execute(
            select(CaseEventRow.case_id, func.count())
            .where(CaseEventRow.action == "claim")
            .group_by(CaseEventRow.case_id)
        ).all()
        assert all(n == 1 for _, n in claims) and len(claims) == CASES
        for case_id in ids[:5]:
            holder = get_case(s, case_id).holder
            assert case_id in results[holder]


# The child stops right after the case UPDATE, before the event INSERT of the same transaction, through
# SQLAlchemy's own event hook on its engine (no test hook in production code).
_CHILD = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from sqlalchemy import event
    from monitor.queue.service import Decision, act
    from monitor.config_tables import QueueSettings
    from monitor.vocab import Action
    from monitor.store.db import Database
    db = Database(sys.argv[1])

    @event.listens_for(db.engine, "after_cursor_execute")
    def pause(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE CASES"):
            print("updated, pausing", file=sys.stderr, flush=True)
            time.sleep(60)

    act(db, int(sys.argv[2]), "ctv1", Decision(Action.CLAIM), QueueSettings(), datetime.fromisoformat(sys.argv[3]))
    print("finished", flush=True)
""")


def test_kill_9_mid_transition_leaves_case_and_events_consistent(db):
    seed_users(db)
    case_id = seed_cases(db, 1)[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, db.url, str(case_id), NOW.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in child.stderr:  # the child's listener says so between the UPDATE and the event INSERT
            if "updated, pausing" in line:
                break
        else:
            pytest.fail("child never reached its UPDATE")
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
        child.stderr.close()
    with db.read() as s:
        case = get_case(s, case_id)
        assert (case.state, case.version, case.holder) == ("new", 1, None)
        assert s.scalar(select(func.count()).select_from(CaseEventRow)) == 1  # only "opened"
    after = act(db, case_id, "ctv2", Decision(Action.CLAIM), QueueSettings(), NOW)  # nothing left locked
    assert after.holder == "ctv2" and after.version == 2


def test_event_log_cannot_be_edited(db):
    seed_users(db)
    case_id = seed_cases(db, 1)[0]
    act(db, case_id, "ctv1", Decision(Action.CLAIM), QueueSettings(), NOW)
    for statement in ("UPDATE case_events SET note = 'sửa'", "DELETE FROM case_events"):
        with pytest.raises(DBAPIError, match="append-only"), db.write() as s:
            s.execute(text(statement))
    if db.dialect == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), db.write() as s:
            s.execute(text("TRUNCATE case_events"))
    with db.read() as s:
        assert s.scalar(select(CaseEventRow.note)) == ""


def test_the_database_refuses_every_way_of_changing_events(db):
    """Not a text search of our code: whatever SQLAlchemy construct a future change uses is refused."""
    seed_users(db)
    case_id = seed_cases(db, 1)[0]
    act(db, case_id, "ctv1", Decision(Action.CLAIM), QueueSettings(), NOW)
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(CaseEventRow))
    events = CaseEventRow.__table__
    changes = (
        events.update().values(note="sửa"),
        events.update().where(events.c.case_id == case_id).values(to_state="closed"),
        events.delete(),
        delete(CaseEventRow).where(CaseEventRow.case_id == case_id),
        update(CaseEventRow).values(actor_id=None),
    )
    for change in changes:
        with pytest.raises(DBAPIError, match="append-only"), db.write() as s:
            s.execute(change)
    with db.write() as s, pytest.raises(DBAPIError, match="append-only"):
        for row in s.scalars(select(CaseEventRow)):  # the ORM unit of work, too
            row.note = "sửa"
        s.flush()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(CaseEventRow)) == before >= 1  # the claim, at least
        assert set(s.scalars(select(CaseEventRow.note))) == {""}
