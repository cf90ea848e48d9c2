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
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from test_queue_support import NOW, seed_cases, seed_users

from monitor.errors import WorkflowError
from monitor.queue.service import Decision, act
from monitor.queue.settings import QueueSettings
from monitor.store.cases import PAUSE_ENV, get_case
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


_CHILD = textwrap.dedent("""
    import logging, sys
    from datetime import datetime
    logging.basicConfig(level=logging.WARNING)
    from monitor.queue.service import Decision, act
    from monitor.queue.settings import QueueSettings
    from monitor.vocab import Action
    from monitor.store.db import Database
    print("ready", flush=True)
    act(Database(sys.argv[1]), int(sys.argv[2]), "ctv1", Decision(Action.CLAIM), QueueSettings(),
        datetime.fromisoformat(sys.argv[3]))
    print("finished", flush=True)
""")


def test_kill_9_mid_transition_leaves_case_and_events_consistent(db):
    seed_users(db)
    case_id = seed_cases(db, 1)[0]
    env = {**os.environ, PAUSE_ENV: "60", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, db.url, str(case_id), NOW.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in child.stderr:  # the hook logs just before it sleeps between UPDATE and event INSERT
            if "pausing inside transition" in line:
                break
        else:
            pytest.fail("child never reached the pause hook")
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


def test_no_code_path_updates_or_deletes_events():
    """No store function or command writes anything but INSERT to case_events."""
    sources = [p.read_text(encoding="utf-8") for p in (ROOT / "monitor").rglob("*.py")]
    for src in sources:
        assert "CaseEventRow).where" not in src and "case_events SET" not in src
        assert "delete(CaseEventRow" not in src and "DELETE FROM case_events" not in src
