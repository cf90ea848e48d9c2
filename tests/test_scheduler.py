"""Scheduler wiring: coalescing and misfire policy, the hung-job cut-off, the single-scheduler lease."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import parse_config
from monitor.errors import SchedulerLockedError
from monitor.scheduler import SchedulerOptions, acquire_or_explain, build_scheduler, run_with_timeout
from monitor.store import leases
from monitor.store.db import Database

CONFIG = parse_config('[[source]]\nkey = "a"\nname = "A"\nurl = "https://a.vn/rss"\n', Path("sources.toml"))


def test_jobs_coalesce_and_run_once_after_an_outage(sqlite_db: Database) -> None:
    opts = SchedulerOptions(tick=timedelta(minutes=1), misfire_grace=timedelta(minutes=10))
    work = {"pass": lambda: None, "digest": lambda: None, "notify": lambda: None}
    sched = build_scheduler(sqlite_db, CONFIG, opts, work, "me")
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"lease", "pass", "digest", "digest-catch-up", "notify"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == (12 * 3600 if job.id == "digest" else 600)
    assert str(jobs["digest"].trigger.timezone) == "Asia/Ho_Chi_Minh"
    assert jobs["digest-catch-up"].func is jobs["digest"].func  # the same idempotent function on start


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
