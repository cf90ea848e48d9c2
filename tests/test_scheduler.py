"""Scheduler wiring: coalescing and misfire policy, the hung-job cut-off, the single-scheduler lease."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import SchedulerLockedError
from monitor.scheduler import (
    DailyAt,
    Every,
    SchedulerOptions,
    acquire_or_explain,
    build_scheduler,
    run_with_timeout,
)
from monitor.store import leases
from monitor.store.db import Database


def test_every_job_gets_one_policy(sqlite_db: Database) -> None:
    opts = SchedulerOptions(tick=timedelta(minutes=1), misfire_grace=timedelta(minutes=10))
    jobs = {"pass": (Every(opts.tick), lambda: None), "digest": (DailyAt("07:00"), lambda: None)}
    sched = build_scheduler(sqlite_db, opts, jobs, "me")
    built = {j.id: j for j in sched.get_jobs()}
    assert set(built) == {"lease", "pass", "digest"}
    for job in built.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == 600
    assert str(built["digest"].trigger.timezone) == "Asia/Ho_Chi_Minh"


def test_a_daily_job_may_have_its_own_grace(sqlite_db: Database) -> None:
    opts = SchedulerOptions(misfire_grace=timedelta(minutes=10))
    jobs = {"digest": (DailyAt("07:00", grace=timedelta(hours=12)), lambda: None)}
    built = {j.id: j for j in build_scheduler(sqlite_db, opts, jobs, "me").get_jobs()}
    assert built["digest"].misfire_grace_time == 12 * 3600 and built["lease"].misfire_grace_time == 600


def test_the_daemon_runs_the_digest_on_schedule_and_as_a_catch_up_on_start() -> None:
    from monitor.app import JOBS, App, DaemonOptions, daemon_jobs
    from monitor.settings import Settings

    app = App(Settings.from_env(config="sources.toml"))
    jobs = daemon_jobs(app, DaemonOptions(SchedulerOptions()))
    assert jobs["digest"][0] == DailyAt("07:00", grace=timedelta(hours=12))
    assert jobs["notify"][0] == Every(timedelta(minutes=1))  # runs first as the daemon starts: the catch-up
    assert [j.name for j in JOBS] == ["pass", "digest", "notify"]


def test_a_job_runs_once_after_an_outage(sqlite_db: Database) -> None:
    """Two hours without the daemon (120 missed one-minute ticks): the job runs once, not 120 times."""
    runs: list[datetime] = []
    opts = SchedulerOptions(tick=timedelta(minutes=1), misfire_grace=timedelta(minutes=10))
    sched = build_scheduler(sqlite_db, opts, {"pass": (Every(opts.tick), lambda: runs.append(now()))}, "me")
    # the outage: the job was last due two hours ago and every tick since was missed
    sched.modify_job("pass", next_run_time=datetime.now(UTC) - timedelta(hours=2))
    thread = threading.Thread(target=sched.start, daemon=True)
    thread.start()
    deadline = now() + timedelta(seconds=10)
    while not runs and now() < deadline:
        threading.Event().wait(0.05)
    threading.Event().wait(1.0)  # time for any further (wrong) catch-up runs
    sched.shutdown(wait=True)
    thread.join(5)
    assert len(runs) == 1


def now() -> datetime:
    """The wall clock, aware."""
    return datetime.now(UTC)


def test_hung_job_is_cut_off() -> None:
    async def hang(cancel: threading.Event) -> None:
        await asyncio.Event().wait()

    started = datetime.now(UTC)
    with pytest.raises(TimeoutError):
        run_with_timeout(hang, timedelta(seconds=0.3))
    assert datetime.now(UTC) - started < timedelta(seconds=5)


def test_hung_work_in_a_thread_is_cut_off_at_its_next_check() -> None:
    """Analysis runs in a thread that asyncio cannot cancel: the deadline sets the job's cancel event."""
    import time

    batches: list[int] = []

    def analyse(cancel: threading.Event) -> None:
        while not cancel.is_set():  # like analyse_pending: checks between batches
            batches.append(1)
            time.sleep(0.05)

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        run_with_timeout(lambda cancel: asyncio.to_thread(analyse, cancel), timedelta(seconds=0.3))
    assert time.monotonic() - started < 2
    assert batches


def test_lease_is_exclusive_until_it_expires(db: Database) -> None:
    now = datetime(2026, 11, 27, 8, tzinfo=UTC)
    ttl = timedelta(minutes=2)
    with db.write() as s:
        assert leases.try_acquire(s, "scheduler", "host-a:1", now, ttl) is not None
    with db.write() as s:
        assert leases.try_acquire(s, "scheduler", "host-b:2", now + timedelta(minutes=1), ttl) is None
    with db.write() as s:  # the holder renews
        assert leases.try_acquire(s, "scheduler", "host-a:1", now + timedelta(minutes=1), ttl) is not None
    with db.write() as s:  # a crashed holder's lease expires and can be taken over
        got = leases.try_acquire(s, "scheduler", "host-b:2", now + timedelta(minutes=4), ttl)
    assert got is not None and got.holder == "host-b:2"


def test_second_scheduler_gets_a_vietnamese_message(sqlite_db: Database) -> None:
    with sqlite_db.write() as s:
        leases.try_acquire(s, "scheduler", "other-host:99", datetime.now(UTC), timedelta(minutes=5))
    with pytest.raises(SchedulerLockedError) as info:
        acquire_or_explain(sqlite_db, "me:1", SchedulerOptions(), threading.Event())
    assert "other-host:99" in info.value.message and "--wait" in info.value.message
